"""A certificate as the organizer downloads it, rendered with poppler's pdftoppm and read as a
person with a phone does: its QR code decoded from the image (zxing-cpp), the address opened
on a 360 px phone, signed in as no one. Skipped without pdftoppm (apt-get install
poppler-utils), unless E2E_REQUIRED=1."""

import os
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from PIL import Image

from completion.documents import verification_url
from completion.models import Certificate
from tests import factories
from tests.e2e.conftest import PHONE, SCREENSHOTS, sign_in
from trainees.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "常州市公安派出所长素质能力提升专题培训班"


@pytest.fixture
def pdftoppm():
    found = shutil.which("pdftoppm")
    if not found:
        reason = "pdftoppm is not installed (apt-get install poppler-utils)"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def decoded_qr_codes(png):
    """The texts of the QR codes found in the image."""
    import zxingcpp

    with Image.open(png) as image:
        return [
            result.text
            for result in zxingcpp.read_barcodes(image.convert("L"))
            if result.format == zxingcpp.BarcodeFormat.QRCode
        ]


def test_certificate_pdf_renders_and_its_qr_code_opens_the_verification_at_360_px(
    browser, live_server, phone, screenshot, pdftoppm, settings, tmp_path
):
    settings.SITE_URL = ""  # the address the organizer used: the live server's
    organizer = factories.user("organizer", username="jiaowu")
    program = factories.program(
        organizers=[organizer],
        code="CZ2023",
        title=TITLE,
        start_date=date(2023, 6, 5),
        end_date=date(2023, 6, 9),
        bureau=factories.unit("常州市公安局", kind=Unit.Kind.BUREAU),
    )
    trainee = factories.trainee(
        "320401", name="龚定俊", unit=factories.unit("溧阳市公安局竹箦派出所"), with_login=False
    )
    certificate = Certificate.objects.create(
        enrollment=factories.enrollment(program, trainee),
        serial="CZ2023-0042",
        hours=Decimal("32.5"),
        issued_at=datetime(2023, 6, 9, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )

    # The organizer downloads the certificate, signed in, in a desktop browser.
    desktop = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = desktop.new_page()
    sign_in(page, "jiaowu", landing="**/trainees/**")
    response = page.request.get(
        reverse("completion:certificate-pdf", args=[program.code, certificate.pk])
    )
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.body())
    desktop.close()

    # pdftoppm draws its one A4 page at 150 dpi.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = SCREENSHOTS / "certificate.png"
    subprocess.run(
        [pdftoppm, "-png", "-r", "150", "-singlefile", str(pdf), str(png.with_suffix(""))],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with Image.open(png) as image:
        assert image.size == (1241, 1754)  # A4 (595.3 × 841.9 points) at 150 dpi, rounded up

    # The QR code, as a phone's camera reads it, is the verification page's address.
    expected = verification_url(certificate, live_server.url)
    assert decoded_qr_codes(png) == [expected]
    assert certificate.token in expected and certificate.serial not in expected

    # A stranger's phone opens it: no sign-in, 360 px wide.
    phone.goto(expected)
    card = phone.locator(".verify-card")
    assert card.get_attribute("data-state") == "valid"
    text = card.inner_text()
    assert "CZ2023-0042" in text
    assert "龚*俊" in text and "龚定俊" not in text
    assert TITLE in text
    assert "32.5" in text
    assert "320401" not in phone.content() and "竹箦派出所" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(phone, "verify-360")

    # Printed: the state stays legible without background colours.
    phone.emulate_media(media="print")
    state = phone.locator(".verify-state")
    assert state.evaluate("element => getComputedStyle(element).color") == "rgb(0, 0, 0)"
    assert phone.locator("header").is_hidden()
    phone.emulate_media(media="screen")

    # Revoked, the same address says so at the next scan, with the date.
    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=datetime(2023, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    phone.reload()
    assert phone.locator(".verify-card").get_attribute("data-state") == "revoked"
    assert "2023年7月1日" in phone.locator(".verify-card").inner_text()
    screenshot(phone, "verify-360-revoked")
