"""Certificates (结业证书): their PDFs, who downloads them, and the public verification page
(completion:verify) with what it shows, what it never shows, and its rate limit."""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from pypdf import PdfReader

from completion.documents import certificates_pdf, site_url, verification_url
from completion.models import Certificate, Completion
from completion.selectors.verification import masked_name
from exams.models import Attempt, Exam
from tests import factories
from tests.exams.factories import exam
from trainees.models import Unit

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
TITLE = "常州市公安派出所长素质能力提升专题培训班"


@pytest.fixture
def program(organizer):
    bureau = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    return factories.program(
        organizers=[organizer],
        code="CZ2023",
        title=TITLE,
        start_date=date(2023, 6, 5),
        end_date=date(2023, 6, 9),
        bureau=bureau,
    )


def certificate(program, name="龚定俊", police_id=None, number=None, **fields):
    """A certificate, as the closing of a program issues it, for a new trainee of `program`
    (of 溧阳市公安局竹箦派出所)."""
    unit = Unit.objects.get_or_create(name="溧阳市公安局竹箦派出所", parent=None)[0]
    trainee = factories.trainee(police_id, name=name, unit=unit)
    enrollment = factories.enrollment(program, trainee)
    number = number or Certificate.objects.count() + 1
    fields.setdefault("hours", Decimal("32.0"))
    fields.setdefault("issued_at", datetime(2023, 6, 9, 16, 0, tzinfo=BEIJING))
    return Certificate.objects.create(
        enrollment=enrollment, serial=f"{program.code}-{number:04d}", **fields
    )


def pdf_pages(content):
    return PdfReader(io.BytesIO(content)).pages


def pdf_text(content):
    """The text of every page, its lines joined (a long title wraps)."""
    return "".join(page.extract_text().replace("\n", "") for page in pdf_pages(content))


def link_uris(page):
    """The addresses of the page's link annotations."""
    return [
        annotation.get_object()["/A"]["/URI"]
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]


# --- the PDF -----------------------------------------------------------------------------------


def test_certificate_pdf_is_one_a4_page_with_its_serial_holder_program_and_bureau(program):
    issued = certificate(program, police_id="320401", hours=Decimal("32.5"))

    content = certificates_pdf([issued], site="https://jingxun.example", title="证书")

    pages = pdf_pages(content)
    assert len(pages) == 1
    assert [round(float(side)) for side in pages[0].mediabox[2:]] == [595, 842]  # A4 in points
    text = pdf_text(content)
    assert "CZ2023-0001" in text
    assert "龚定俊" in text
    assert TITLE in text
    assert "常州市公安局" in text
    assert "32.5" in text
    assert "320401" not in text  # the police ID is no part of a certificate


def test_certificate_pdf_without_a_bureau_prints_the_rest(program):
    program.bureau = None
    program.save()
    issued = certificate(program)

    text = pdf_text(certificates_pdf([issued], site="https://jingxun.example", title="证书"))

    assert "常州市公安局" not in text
    assert "CZ2023-0001" in text and "龚定俊" in text and TITLE in text


def test_certificate_pdf_links_its_qr_code_to_the_verification_page(program):
    issued = certificate(program)

    content = certificates_pdf([issued], site="https://jingxun.example", title="证书")

    url = f"https://jingxun.example/completion/verify/{issued.token}/"
    assert verification_url(issued, "https://jingxun.example") == url
    assert link_uris(pdf_pages(content)[0]) == [url]


def test_revoked_certificate_pdf_says_so_across_the_page(program):
    revoked = certificate(program, revoked_at=datetime(2023, 7, 1, 9, 0, tzinfo=BEIJING))
    valid = certificate(program, name="方圆")

    revoked_text = pdf_text(certificates_pdf([revoked], site="https://x.example", title="证书"))
    valid_text = pdf_text(certificates_pdf([valid], site="https://x.example", title="证书"))

    assert pgettext("certificate", "Revoked") in revoked_text
    assert pgettext("certificate", "Revoked") not in valid_text


def test_site_url_is_the_setting_or_else_the_address_asked(settings):
    request = RequestFactory().get("/", HTTP_HOST="10.1.2.3:8000")
    settings.ALLOWED_HOSTS = ["10.1.2.3"]

    settings.SITE_URL = ""
    assert site_url(request) == "http://10.1.2.3:8000"
    settings.SITE_URL = "https://jingxun.czga.example"
    assert site_url(request) == "https://jingxun.czga.example"


# --- the downloads -----------------------------------------------------------------------------


def test_organizer_downloads_one_certificate_with_the_sites_address_in_its_code(
    client, organizer, program, settings
):
    settings.SITE_URL = "https://jingxun.czga.example"
    issued = certificate(program)
    client.force_login(organizer)

    response = client.get(reverse("completion:certificate-pdf", args=[program.code, issued.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    page = pdf_pages(response.content)[0]
    assert link_uris(page) == [f"https://jingxun.czga.example/completion/verify/{issued.token}/"]


def test_without_site_url_the_code_carries_the_address_the_organizer_used(
    client, organizer, program, settings
):
    settings.SITE_URL = ""
    issued = certificate(program)
    client.force_login(organizer)

    response = client.get(reverse("completion:certificate-pdf", args=[program.code, issued.pk]))

    page = pdf_pages(response.content)[0]
    assert link_uris(page) == [f"http://testserver/completion/verify/{issued.token}/"]


def test_all_in_one_pdf_has_a_page_per_valid_certificate_in_serial_order(
    client, organizer, program
):
    for name in ("龚定俊", "方圆", "欧阳明远"):
        certificate(program, name=name)
    certificate(program, name="钱多多", revoked_at=datetime(2023, 7, 1, tzinfo=BEIJING))
    client.force_login(organizer)

    response = client.get(reverse("completion:certificates-pdf", args=[program.code]))

    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert len(pages) == 3
    texts = [page.extract_text() for page in pages]
    assert ["CZ2023-0001" in texts[0], "CZ2023-0002" in texts[1], "CZ2023-0003" in texts[2]] == [
        True,
        True,
        True,
    ]
    assert "钱多多" not in "".join(texts)


def test_all_in_one_pdf_without_a_valid_certificate_is_404(client, organizer, program):
    certificate(program, revoked_at=datetime(2023, 7, 1, tzinfo=BEIJING))
    client.force_login(organizer)

    response = client.get(reverse("completion:certificates-pdf", args=[program.code]))

    assert response.status_code == 404


def test_all_in_one_pdf_reads_the_same_queries_for_one_certificate_and_for_four(
    client, organizer, program
):
    client.force_login(organizer)
    url = reverse("completion:certificates-pdf", args=[program.code])
    certificate(program)
    client.get(url)  # the session and the fonts, once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(3):
        certificate(program)

    with CaptureQueriesContext(connection) as four:
        response = client.get(url)

    assert len(pdf_pages(response.content)) == 4
    assert len(four) == len(one), "\n".join(query["sql"] for query in four.captured_queries)


def test_organizer_gets_404_for_a_certificate_of_another_program_under_their_code(
    client, organizer, program
):
    other = factories.program(organizers=[factories.user("organizer")], code="ZK2023")
    foreign = certificate(other)
    client.force_login(organizer)

    response = client.get(reverse("completion:certificate-pdf", args=[program.code, foreign.pk]))

    assert response.status_code == 404


def test_another_organizer_gets_404_and_the_bureau_leadership_403(client, program):
    issued = certificate(program)
    url = reverse("completion:certificate-pdf", args=[program.code, issued.pk])

    client.force_login(factories.user("organizer"))
    assert client.get(url).status_code == 404
    client.force_login(factories.user("leadership"))  # the city bureau's: reads, changes none
    assert client.get(url).status_code == 403


def test_trainee_downloads_their_own_certificate_and_404s_on_anothers(client, program):
    own = certificate(program, name="龚定俊")
    other = certificate(program, name="方圆")
    client.force_login(own.enrollment.trainee.user)

    mine = client.get(reverse("completion:my-certificate-pdf", args=[own.pk]))
    theirs = client.get(reverse("completion:my-certificate-pdf", args=[other.pk]))

    assert mine.status_code == 200
    assert "龚定俊" in pdf_text(mine.content)
    assert theirs.status_code == 404


def test_an_organizer_is_refused_the_trainees_download(client, organizer, program):
    issued = certificate(program)
    client.force_login(organizer)

    response = client.get(reverse("completion:my-certificate-pdf", args=[issued.pk]))

    assert response.status_code == 403


# --- the verification page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("龚定俊", "龚*俊"),
        ("方圆", "方*"),
        ("欧阳明远", "欧**远"),
        ("买买提·艾力", "买****力"),
        (" 龚定俊 ", "龚*俊"),
        ("龚", "*"),
    ],
)
def test_masked_name_keeps_the_first_and_last_character(name, masked):
    assert masked_name(name) == masked


def verify_url(issued):
    return reverse("completion:verify", args=[issued.token])


def test_verification_shows_serial_program_dates_hours_masked_name_and_valid(client, program):
    issued = certificate(program, police_id="320401", hours=Decimal("32.5"))

    response = client.get(verify_url(issued))  # no one signed in

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="valid"' in page
    assert pgettext("certificate", "Valid") in page
    assert "CZ2023-0001" in page
    assert TITLE in page
    with translation.override("zh-hans"):
        assert "2023年6月5日" in page and "2023年6月9日" in page
    assert "32.5" in page
    assert "龚*俊" in page
    assert "龚定俊" not in page


def test_verification_shows_no_police_id_unit_or_score(client, program):
    issued = certificate(program, police_id="320401")
    graduation = exam(program, kind=Exam.Kind.GRADUATION, title="结业考试")
    Attempt.objects.create(
        exam=graduation,
        enrollment=issued.enrollment,
        score=Decimal("87.5"),
        status=Attempt.Status.GRADED,
    )
    Completion.objects.create(
        enrollment=issued.enrollment,
        completed=True,
        hours=Decimal("32.0"),
        attendance_rate=Decimal("96.67"),
        decided_at=issued.issued_at,
    )

    page = client.get(verify_url(issued)).content.decode()

    assert "320401" not in page  # police ID
    assert "竹箦派出所" not in page and "溧阳市公安局" not in page  # unit
    assert "87.5" not in page and "结业考试" not in page  # score, exam
    assert "96.67" not in page and "96.7" not in page  # attendance rate
    assert "常州市公安局" not in page  # bureau: not among the listed fields


def test_verification_of_a_revoked_certificate_says_revoked_and_when(client, program):
    issued = certificate(program, revoked_at=datetime(2023, 7, 1, 9, 0, tzinfo=BEIJING))

    response = client.get(verify_url(issued))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="revoked"' in page
    assert pgettext("certificate", "Revoked") in page
    assert pgettext("certificate", "Valid") not in page
    assert "2023年7月1日" in page


def test_verification_says_yi_chexiao_and_youxiao_in_chinese(client, program):
    revoked = certificate(program, revoked_at=datetime(2023, 7, 1, 9, 0, tzinfo=BEIJING))
    valid = certificate(program, name="方圆")

    assert "已撤销" in client.get(verify_url(revoked)).content.decode()
    assert "有效" in client.get(verify_url(valid)).content.decode()


def test_verification_of_a_wrong_token_is_404(client, program):
    issued = certificate(program)

    last = "y" if issued.token.endswith("x") else "x"  # another token, whatever its end
    wrong = client.get(reverse("completion:verify", args=[issued.token[:-1] + last]))
    serial = client.get(reverse("completion:verify", args=[issued.serial]))

    assert wrong.status_code == 404
    assert serial.status_code == 404  # the serial is no key


def test_verification_page_is_not_indexed_cached_or_loading_other_sites(client, program):
    issued = certificate(program)

    response = client.get(verify_url(issued))

    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    addresses = re.findall(r'(?:src|href|action)="([^"]*)"', page)
    assert addresses, "the page's stylesheets, script and language form"
    assert [a for a in addresses if not a.startswith("/") or a.startswith("//")] == []


def test_verification_is_rate_limited_per_address(client, program, settings):
    settings.CERTIFICATE_VERIFY_LIMIT = 3
    issued = certificate(program)
    url = verify_url(issued)
    wrong = reverse("completion:verify", args=["not-a-token"])

    answers = [
        client.get(url, REMOTE_ADDR="10.0.0.1").status_code,
        client.get(wrong, REMOTE_ADDR="10.0.0.1").status_code,  # a wrong token counts too
        client.get(url, REMOTE_ADDR="10.0.0.1").status_code,
        client.get(url, REMOTE_ADDR="10.0.0.1").status_code,
    ]
    other_address = client.get(url, REMOTE_ADDR="10.0.0.2")

    assert answers == [200, 404, 200, 429]
    assert other_address.status_code == 200
    limited = client.get(url, REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "CZ2023-0001" not in limited.content.decode()


def test_verification_limit_ends_with_its_window(client, program, settings, monkeypatch):
    settings.CERTIFICATE_VERIFY_LIMIT = 1
    issued = certificate(program)
    url = verify_url(issued)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429

    from django.core.cache import cache

    cache.delete("certificate-verify:127.0.0.1")  # what the cache's expiry does after 60 s

    assert client.get(url).status_code == 200
