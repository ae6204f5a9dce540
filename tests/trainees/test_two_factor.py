"""Two-factor sign-in for staff: setting up an authenticator, the code after the password,
recovery codes used once, and the setting that makes it mandatory."""

import logging
import re
import time

import pytest
from django.test import Client
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


def enrolled(role="organizer", **fields):
    """A staff account with a confirmed authenticator (set up earlier, elsewhere)."""
    account = factories.user(role, **fields)
    return account, TOTPDevice.objects.create(user=account, name="phone", confirmed=True)


def test_the_password_page_waits_for_the_code(client):
    organizer, _device = enrolled()
    sign_in(client, organizer)  # the password alone, as someone who read it over a shoulder

    page = client.get("/accounts/password/")
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Taken-over-2024",
            "new_password2": "Taken-over-2024",
        },
    )

    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/two-factor/verify/")
    assert changed.status_code == 302
    assert changed["Location"].startswith("/accounts/two-factor/verify/")
    organizer.refresh_from_db()
    assert organizer.check_password(factories.PASSWORD)


def test_a_password_only_session_sees_nothing_but_the_code_page_and_sign_out(client):
    organizer, _device = enrolled()
    sign_in(client, organizer)

    refused = [
        path
        for path in ("/", "/accounts/password/", "/accounts/two-factor/", "/admin/")
        if client.get(path).get("Location", "").split("?")[0] != "/accounts/two-factor/verify/"
    ]
    code_page = client.get("/accounts/two-factor/verify/")
    signed_out = client.post("/accounts/logout/")

    assert refused == []
    assert code_page.status_code == 200
    assert signed_out["Location"] == "/accounts/login/"


def test_wrong_codes_of_a_password_only_session_do_not_lock_the_owner_out(settings):
    settings.OTP_WRONG_CODES_LIMIT = 5
    organizer, device = enrolled()
    intruder, owner = Client(REMOTE_ADDR="10.9.9.9"), Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(4):  # four sessions, five wrong codes each
        sign_in(intruder, organizer)
        for _ in range(5):
            intruder.post("/accounts/two-factor/verify/", {"token": "000000", "next": "/"})

    sign_in(owner, organizer)
    right = owner.post("/accounts/two-factor/verify/", {"token": code(device), "next": "/"})

    assert right["Location"] == "/"
    assert owner.get("/trainees/programs/").status_code == 200


def test_too_many_wrong_codes_sign_the_session_out_and_hold_that_address(settings, caplog):
    settings.OTP_WRONG_CODES_LIMIT = 5
    organizer, device = enrolled()
    intruder = Client(REMOTE_ADDR="10.9.9.9")
    sign_in(intruder, organizer)

    with caplog.at_level(logging.WARNING, logger="trainees.two_factor"):
        answers = [
            intruder.post("/accounts/two-factor/verify/", {"token": "000000", "next": "/"})
            for _ in range(5)
        ]
    after = intruder.get("/trainees/programs/")
    sign_in(intruder, organizer)
    again = intruder.post("/accounts/two-factor/verify/", {"token": code(device), "next": "/"})

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 302]
    assert answers[-1]["Location"] == "/accounts/login/"
    assert after["Location"].startswith("/accounts/login/")  # signed out
    assert again["Location"] == "/accounts/login/"  # the right code waits out the lock
    assert intruder.get("/trainees/programs/")["Location"].startswith("/accounts/login/")
    assert [r.getMessage() for r in caplog.records] == [
        f"Too many wrong second-factor codes for {organizer.username} from 10.9.9.9:"
        " signed out for 900 seconds"
    ]


def test_the_admin_login_asks_an_enrolled_account_for_its_code(client):
    admin, device = enrolled(is_staff=True, is_superuser=True)

    client.post("/admin/login/", {"username": admin.username, "password": factories.PASSWORD})
    asked = client.get("/admin/")
    client.post("/accounts/two-factor/verify/", {"token": code(device), "next": "/admin/"})

    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/two-factor/verify/")
    assert client.get("/admin/").status_code == 200


def test_a_first_sign_in_at_the_admin_login_gives_the_code_then_a_new_password(client):
    admin, device = enrolled(is_staff=True, is_superuser=True, last_login=None)
    client.post("/admin/login/", {"username": admin.username, "password": factories.PASSWORD})

    first = client.get("/admin/")
    client.post("/accounts/two-factor/verify/", {"token": code(device), "next": "/admin/"})
    then = client.get("/admin/")
    client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "qz7-Lk2-wp-9",
            "new_password2": "qz7-Lk2-wp-9",
        },
    )

    assert first["Location"].startswith("/accounts/two-factor/verify/")
    assert then["Location"] == "/accounts/password/"
    assert client.get("/admin/").status_code == 200
