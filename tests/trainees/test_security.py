"""Logins: lockout by username and address together (django-axes), password rules for staff,
session idle timeout and absolute lifetime, and the Content-Security-Policy header."""

import logging
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests import factories

pytestmark = pytest.mark.django_db

CLASSROOM = "10.20.30.40"  # the training base's NAT address: the whole class shares it


def sign_in(client, username, password, address=CLASSROOM):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_twenty_wrong_passwords_lock_trainee_a_and_not_b_on_the_same_address(client, caplog):
    a = factories.user("trainee", username="320401")
    b = factories.user("trainee", username="320402")

    with caplog.at_level(logging.WARNING, logger="axes"):
        answers = [sign_in(client, a.username, "wrong-password").status_code for _ in range(20)]

    assert answers[:9] == [200] * 9  # the form again, with its error
    assert set(answers[10:]) == {429}  # locked
    locked = sign_in(client, a.username, factories.PASSWORD)
    assert locked.status_code == 429 and "已锁定" in locked.content.decode()
    assert any("320401" in r.getMessage() and CLASSROOM in r.getMessage() for r in caplog.records)
    # Trainee B, at the next desk behind the same NAT address, signs in.
    assert sign_in(client, b.username, factories.PASSWORD).status_code == 302
    client.logout()
    # Trainee A on a phone's own network is not locked either.
    assert sign_in(client, a.username, factories.PASSWORD, address="172.16.0.9").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, settings):
    trainee = factories.user("trainee", username="320403")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, trainee.username, "wrong-password")
    assert sign_in(client, trainee.username, factories.PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )

    assert sign_in(client, trainee.username, factories.PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("role", "password", "accepted"),
    [
        ("organizer", "qz7-Lk2-wp", True),  # 10 characters
        ("organizer", "qz7-Lk2-w", False),  # 9: too short for staff
        ("leadership", "qz7-Lk2-w", False),
        ("trainee", "qz7-Lk2w", True),  # 8: enough for a trainee
        ("trainee", "password123", False),  # a common password
        ("organizer", "12345678901", False),  # digits only
    ],
)
def test_staff_passwords_are_ten_characters_and_common_ones_are_refused(role, password, accepted):
    user = factories.user(role)
    if accepted:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def stale(client, **ages):
    """Make the signed-in session look `ages` seconds old (started_at, seen_at)."""
    session = client.session
    for key, seconds in ages.items():
        session[key] = time.time() - seconds
    session.save()


def test_a_staff_session_ends_after_30_idle_minutes_and_a_trainees_does_not(client):
    organizer = factories.user("organizer")
    client.force_login(organizer)
    assert client.get("/trainees/programs/").status_code == 200
    stale(client, seen_at=31 * 60)

    response = client.get("/trainees/programs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/trainees/programs/")
    assert client.get("/trainees/programs/").status_code == 302  # signed out

    trainee = factories.user("trainee")
    client.force_login(trainee)
    client.get("/timetable/my-day/")
    stale(client, seen_at=3 * 60 * 60)
    assert client.get("/timetable/my-day/").status_code == 200


def test_a_trainees_session_is_not_written_for_its_idle_time_and_a_staff_one_is(client):
    trainee = factories.user("trainee")
    client.force_login(trainee)
    client.get("/timetable/my-day/")
    stale(client, seen_at=3 * 60 * 60)
    seen = client.session["seen_at"]

    assert client.get("/timetable/my-day/").status_code == 200

    assert client.session["seen_at"] == seen  # no write: a trainee's idleness does not matter
    organizer = factories.user("organizer")
    client.force_login(organizer)
    client.get("/trainees/programs/")
    stale(client, seen_at=2 * 60)
    seen = client.session["seen_at"]
    client.get("/trainees/programs/")
    assert client.session["seen_at"] > seen


def test_every_session_ends_at_its_absolute_lifetime_however_active(client, settings):
    organizer = factories.user("organizer")
    client.force_login(organizer)
    client.get("/trainees/programs/")
    stale(client, started_at=settings.STAFF_SESSION_LIFETIME.total_seconds() + 1, seen_at=5)

    assert client.get("/trainees/programs/").status_code == 302

    trainee = factories.user("trainee")
    client.force_login(trainee)
    client.get("/timetable/my-day/")
    stale(client, started_at=settings.SESSION_LIFETIME.total_seconds() + 1, seen_at=5)
    assert client.get("/timetable/my-day/").status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/accounts/login/")

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"]


def test_behind_nginx_the_lock_counts_the_clients_address_not_nginxs(client, settings):
    """nginx appends the address it saw to X-Forwarded-For; a client can only prepend."""
    settings.BEHIND_TLS_PROXY = True
    trainee = factories.user("trainee", username="320405")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": trainee.username, "password": "wrong-password"},
            REMOTE_ADDR="127.0.0.1",  # nginx
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {CLASSROOM}",  # a forged first hop, then nginx's
        )

    assert AccessAttempt.objects.get().ip_address == CLASSROOM
    ok = client.post(
        "/accounts/login/",
        {"username": trainee.username, "password": factories.PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="172.16.0.9",
    )
    assert ok.status_code == 302  # the same account from another client is not locked


def test_a_first_sign_in_with_a_password_an_admin_set_must_change_it(client):
    organizer = factories.user("organizer", last_login=None)  # made in the admin just now

    response = client.post(
        "/accounts/login/", {"username": organizer.username, "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/trainees/programs/")["Location"] == "/accounts/password/"
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "qz7-Lk2-wp-9",
            "new_password2": "qz7-Lk2-wp-9",
        },
    )
    assert changed.status_code == 302
    assert client.get("/trainees/programs/").status_code == 200


def test_a_first_sign_in_at_the_admin_login_must_change_the_password_too(client):
    organizer = factories.user("organizer", last_login=None, is_staff=True)

    signed_in = client.post(
        "/admin/login/", {"username": organizer.username, "password": factories.PASSWORD}
    )

    assert signed_in.status_code == 302
    assert client.get("/admin/")["Location"] == "/accounts/password/"
    assert client.get("/trainees/programs/")["Location"] == "/accounts/password/"
    organizer.refresh_from_db()
    assert organizer.last_login is not None  # Django still stamps it, after our look
