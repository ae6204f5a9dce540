"""Two-factor sign-in for staff: setting up an authenticator, the code after the password,
recovery codes used once, and the setting that makes it mandatory."""

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

pytestmark = pytest.mark.django_db


def code(device, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user):
    return client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )


def set_up(client, organizer):
    """Turn two-factor on through the pages; returns (device, recovery codes)."""
    client.force_login(organizer)
    page = client.get("/accounts/two-factor/")
    assert "<svg" in page.content.decode()  # the QR code
    device = TOTPDevice.objects.get(user=organizer, confirmed=False)
    done = client.post("/accounts/two-factor/", {"token": code(device)})
    codes = re.findall(r'<li class="list-group-item">(\w+)</li>', done.content.decode())
    device.refresh_from_db()
    return device, codes


def test_an_organizer_turns_it_on_and_then_gives_a_code_after_the_password(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would lock the next one for a second
    organizer = factories.user("organizer")
    device, codes = set_up(client, organizer)
    assert device.confirmed and len(codes) == 10
    client.logout()

    sign_in(client, organizer)
    asked = client.get("/trainees/programs/")
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/two-factor/verify/")
    wrong = client.post("/accounts/two-factor/verify/", {"token": "000000", "next": "/"})
    assert "验证码不正确" in wrong.content.decode()
    assert client.get("/trainees/programs/").status_code == 302

    right = client.post(
        "/accounts/two-factor/verify/",
        {"token": code(device, later=30), "next": "/trainees/programs/"},
    )
    assert right["Location"] == "/trainees/programs/"
    assert client.get("/trainees/programs/").status_code == 200


def test_a_recovery_code_works_once(client):
    organizer = factories.user("organizer")
    _device, codes = set_up(client, organizer)
    client.logout()

    sign_in(client, organizer)
    client.post("/accounts/two-factor/verify/", {"token": codes[0], "next": "/"})
    assert client.get("/trainees/programs/").status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0
    client.logout()

    sign_in(client, organizer)
    client.post("/accounts/two-factor/verify/", {"token": codes[0], "next": "/"})
    assert client.get("/trainees/programs/").status_code == 302  # used up


def test_mandatory_two_factor_sends_staff_without_a_device_to_set_it_up(client, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    leader = factories.user("leadership")
    sign_in(client, leader)

    response = client.get("/reports/dashboard/")

    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    trainee = factories.user("trainee")
    client.logout()
    sign_in(client, trainee)
    assert client.get("/timetable/my-day/").status_code == 200  # trainees are not asked


def test_the_next_address_must_be_this_site(client):
    organizer = factories.user("organizer")
    device, _codes = set_up(client, organizer)
    client.logout()
    sign_in(client, organizer)

    response = client.post(
        "/accounts/two-factor/verify/",
        {"token": code(device, later=30), "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"
