"""A red team from outside: someone who is not signed in, against the public surface (the
certificate verification, the calendar feeds, the probes, uploaded files by their address, the
login page, the second factor, the language switch), and an ordinary API client against the
API (tokens, its units, page sizes, the docs page, CSRF and the browser's session).

A passing test is a defence that holds."""

import re
import time
from datetime import date
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiCall, ApiClient
from api.services import client_revoke, client_token_issue
from completion.models import Certificate
from sessions.models import CalendarFeed, Material
from sessions.services import timetable as timetable_services
from tests import factories
from tests.redirects import OFF_SITE, stays_on_site
from trainees import directory
from trainees.models import Enrollment

pytestmark = pytest.mark.django_db

OUTSIDER = "203.0.113.9"
NGINX = "127.0.0.1"


# --- helpers -----------------------------------------------------------------------------


def bearer(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def sign_in(client, username, password=factories.PASSWORD, address=OUTSIDER, **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def totp_code(device, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def units(db):
    return factories.city_units()


@pytest.fixture
def world(units, organizer):
    """CZ2023 (金坛分局's) with a chief of 儒林 and one of 湖塘; WJ2023 (武进分局's) with the
    湖塘 chief only."""
    program = factories.program(
        organizers=[organizer], code="CZ2023", bureau=units["jintan"], start_date=date(2023, 5, 8)
    )
    other = factories.program(code="WJ2023", bureau=units["wujin"], start_date=date(2023, 9, 4))
    rulin = factories.trainee("320401", name="龚定俊", unit=units["rulin"], phone="13912345678")
    hutang = factories.trainee("320499", name="湖塘所长", unit=units["hutang"])
    factories.enrollment(program, rulin)
    factories.enrollment(program, hutang)
    factories.enrollment(other, hutang)
    return {"program": program, "other": other, "rulin": rulin, "hutang": hutang}


def api_client(unit, access=ApiClient.Access.READ, name=None):
    client = ApiClient(name=name or f"{unit.name}-{access}", unit=unit, access=access)
    return client, client_token_issue(client=client)


# --- 1. the certificate verification (public, rate limited) ------------------------------


def issued(program, police_id="320401", name="龚定俊", **fields):
    enrollment = factories.enrollment(program, factories.trainee(police_id, name=name))
    serial = f"CZ2023-{Certificate.objects.count() + 1:04d}"
    return Certificate.objects.create(
        enrollment=enrollment,
        serial=serial,
        hours=Decimal("32.5"),
        issued_at=timezone.now(),
        **fields,
    )


def without_tokens(response):
    """The page without what changes at each request: its CSRF tokens and the address it
    echoes for the language switch."""
    page = re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', "", response.content.decode()
    )
    return re.sub(r'name="next" value="[^"]*"', "", page)


def verify_url(token):
    return reverse("completion:verify", args=[token])


def test_a_revoked_certificate_shows_neither_the_reason_nor_who_revoked_it(client, program):
    organizer = program.organizers.get()
    certificate = issued(
        program,
        revoked_at=timezone.now(),
        revoked_reason="考试作弊，经查实撤销",
        revoked_by=organizer,
    )

    page = client.get(verify_url(certificate.token)).content.decode()

    assert 'data-state="revoked"' in page
    assert "作弊" not in page
    assert organizer.username not in page


@pytest.mark.parametrize(
    "header",
    [
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_REAL_IP",
        "HTTP_FORWARDED",
        "HTTP_CLIENT_IP",
        "HTTP_TRUE_CLIENT_IP",
        "HTTP_CF_CONNECTING_IP",
        "HTTP_X_CLUSTER_CLIENT_IP",
    ],
)
def test_a_forged_address_header_does_not_reset_the_verification_limit(
    client, program, settings, header
):
    """Served without nginx (BEHIND_TLS_PROXY off), no header names the client: a new
    made-up address at each request is still one client."""
    settings.CERTIFICATE_VERIFY_LIMIT = 3
    url = verify_url(issued(program).token)

    answers = [
        client.get(url, REMOTE_ADDR=OUTSIDER, **{header: f"10.0.0.{n}"}).status_code
        for n in range(5)
    ]

    assert answers == [200, 200, 200, 429, 429]


def test_behind_nginx_a_forged_first_hop_does_not_reset_the_verification_limit(
    client, program, settings
):
    settings.BEHIND_TLS_PROXY = True
    settings.CERTIFICATE_VERIFY_LIMIT = 3
    url = verify_url(issued(program).token)

    answers = [
        client.get(
            url, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, {OUTSIDER}"
        ).status_code
        for n in range(5)
    ]

    assert answers == [200, 200, 200, 429, 429]


def test_a_real_and_a_revoked_token_cost_the_same_queries_and_a_made_up_one_no_more(
    client, program
):
    """No timing difference between a valid and a revoked certificate (their answers differ
    only in what the page says), and a made-up token costs no more than a real one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    real = issued(program, police_id="320401")
    revoked = issued(program, police_id="320402", revoked_at=timezone.now())

    counts = []
    for token in (real.token, revoked.token, "x" * len(real.token)):
        with CaptureQueriesContext(connection) as queries:
            client.get(verify_url(token))
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[2] <= counts[0]


def test_a_made_up_token_a_serial_and_a_huge_token_are_the_same_404(client, program):
    """The serial printed on the certificate is no key, and a wrong token reads like any
    other: the same 404 page but for the address it echoes and its CSRF tokens."""
    certificate = issued(program)
    tokens = ("made-up-token", certificate.serial, "a" * 5000, "%25", "%2A", "_", "-")

    pages = set()
    for token in tokens:
        answer = client.get(f"/completion/verify/{token}/")
        assert answer.status_code == 404
        assert "龚" not in answer.content.decode()
        pages.add(without_tokens(answer))

    assert len(pages) == 1


def test_the_verification_takes_no_other_method(client, program):
    url = verify_url(issued(program).token)

    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405


# --- calendar feeds ------------------------------------------------------------------------


@pytest.fixture
def published(program):
    program.timetable_published_at = timezone.now()
    program.save(update_fields=["timetable_published_at"])
    return program


def test_a_replaced_program_feed_address_is_dead_at_once(client, organizer, published):
    old = timetable_services.calendar_feed_for(program=published).token
    client.force_login(organizer)

    client.post(f"/timetable/programs/{published.code}/feed/revoke/")
    client.logout()

    new = CalendarFeed.objects.get(program=published, enrollment=None).token
    assert new != old
    assert client.get(f"/timetable/feeds/{old}.ics").status_code == 404
    assert client.get(f"/timetable/feeds/{new}.ics").status_code == 200


def test_a_withdrawn_trainees_feed_is_dead(client, published):
    enrollment = factories.enrollment(published, factories.trainee("320401"))
    feed = timetable_services.calendar_feed_for(program=published, enrollment=enrollment)
    assert client.get(f"/timetable/feeds/{feed.token}.ics").status_code == 200

    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)

    assert client.get(f"/timetable/feeds/{feed.token}.ics").status_code == 404


def test_a_feed_names_no_trainee(client, published):
    trainee = factories.trainee("320401", name="龚定俊", phone="13912345678")
    enrollment = factories.enrollment(published, trainee)
    feeds = [
        timetable_services.calendar_feed_for(program=published, enrollment=enrollment),
        timetable_services.calendar_feed_for(program=published),
    ]

    for feed in feeds:
        body = client.get(f"/timetable/feeds/{feed.token}.ics").content.decode()
        assert "BEGIN:VCALENDAR" in body
        assert "320401" not in body and "龚定俊" not in body and "13912345678" not in body


@pytest.mark.parametrize("token", ["%", "*", "_", ".", "a" * 5000, "%25"])
def test_a_wildcard_or_made_up_feed_token_finds_no_feed(client, published, token):
    timetable_services.calendar_feed_for(program=published)

    assert client.get(f"/timetable/feeds/{token}.ics").status_code == 404


# --- the probes: /healthz, /readyz, /metrics ------------------------------------------------


def test_healthz_says_ok_and_nothing_more(client):
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDER)

    assert (response.status_code, response.content) == (200, b"ok")
    assert "Server" not in response and "X-Powered-By" not in response


FORGED_LOCAL = [
    {"HTTP_X_FORWARDED_FOR": "127.0.0.1"},
    {"HTTP_X_REAL_IP": "127.0.0.1"},
    {"HTTP_FORWARDED": "for=127.0.0.1"},
    {"HTTP_CLIENT_IP": "127.0.0.1"},
    {"HTTP_AUTHORIZATION": "Bearer "},  # METRICS_TOKEN unset: an empty token is no token
    {"HTTP_AUTHORIZATION": "Bearer None"},
]


@pytest.mark.parametrize("forged", FORGED_LOCAL)
def test_metrics_are_404_to_an_outsider_whatever_header_it_forges(client, settings, forged):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", REMOTE_ADDR=OUTSIDER, **forged)

    assert response.status_code == 404
    assert b"jingxun_" not in response.content


def test_behind_nginx_metrics_are_404_to_a_forged_local_first_hop(client, settings):
    settings.BEHIND_TLS_PROXY = True

    response = client.get(
        "/metrics", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=f"127.0.0.1, {OUTSIDER}"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("forged", FORGED_LOCAL)
def test_readyz_tells_an_outsider_only_which_part_failed(client, settings, monkeypatch, forged):
    from config import readiness

    settings.METRICS_TOKEN = ""
    monkeypatch.setattr(
        readiness,
        "checks",
        lambda: {
            "database": (True, "ok"),
            "redis": (False, "Error 111 connecting to 10.20.0.6:6379. Connection refused."),
        },
    )

    response = client.get("/readyz", REMOTE_ADDR=OUTSIDER, **forged)

    assert response.status_code == 503
    assert response.json() == {
        "ready": False,
        "failed": ["redis"],
        "checks": {"database": "ok", "redis": "failed"},
    }


# --- uploaded files by their address --------------------------------------------------------


@pytest.fixture
def material(program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    made = Material(program=program, title="执法规范化讲义")
    made.file.save("讲义.pdf", ContentFile(b"%PDF-1.4 secret handout"), save=True)
    return made


def test_an_uploaded_material_is_not_served_by_its_address(client, material, settings):
    """The file's path under MEDIA_ROOT is guessable (materials/<year>/<month>/<its name>)."""
    stranger = factories.trainee("320777")  # signed in, of no program
    paths = [
        f"/media/{material.file.name}",
        f"/static/{material.file.name}",
        f"/static/../media/{material.file.name}",
        f"/protected/{material.file.name}",
        f"/{material.file.name}",
    ]

    anonymous = [client.get(path) for path in paths]
    client.force_login(stranger.user)
    signed_in = [client.get(path) for path in paths]
    download = client.get(f"/timetable/programs/{material.program.code}/materials/{material.pk}/")

    for response in (*anonymous, *signed_in, download):
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert b"secret handout" not in response.content


def test_an_outsider_is_sent_to_sign_in_for_a_material_download(client, material):
    response = client.get(f"/timetable/programs/{material.program.code}/materials/{material.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- the login page ------------------------------------------------------------------------


SPELLINGS = ["320401", " 320401", "320401 ", "３２０４０１", "\u3000320401\u3000", "320401\t"]


def test_the_lock_holds_across_spellings_of_one_police_id(client, settings):
    """Full-width digits, spaces and an ideographic space name the same account to the form
    (NFKC, stripped), and so to django-axes: ten wrong passwords spread over six spellings
    lock them all, and the right password then waits too."""
    trainee = factories.trainee("320401")
    last_sign_in = trainee.user.last_login
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, SPELLINGS[n % len(SPELLINGS)], "wrong-password")

    right = [sign_in(client, spelling).status_code for spelling in SPELLINGS]

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["320401"]
    assert right == [429] * len(SPELLINGS)
    assert "_auth_user_id" not in client.session
    trainee.user.refresh_from_db()
    assert trainee.user.last_login == last_sign_in


def test_another_case_of_a_local_user_name_is_no_door_to_the_account(client):
    """Local user names are compared with their case: 'ORGANIZER' is not 'organizer', so its
    own count of wrong passwords opens nothing."""
    factories.user("organizer", username="zhangsan")

    answers = [sign_in(client, name).status_code for name in ("ZhangSan", "ZHANGSAN")]
    signed_in = "_auth_user_id" in client.session
    full_width = sign_in(client, "ｚｈａｎｇｓａｎ")  # the same name (NFKC), the same count

    assert (answers, signed_in) == ([200, 200], False)
    assert full_width.status_code == 302


class CountingHasher(MD5PasswordHasher):
    """The tests' hasher, counting the hashes it computes: the costly part of a sign-in."""

    computed = 0

    def encode(self, password, salt):
        CountingHasher.computed += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.computed = 0
    return CountingHasher


@pytest.mark.parametrize(
    "username",
    ["zhangsan", "nobody-here", "320401", "320499", "320500"],
    ids=["staff", "unknown", "trainee", "trainee-before-first-sign-in", "unknown-police-id"],
)
def test_a_wrong_password_costs_one_hash_and_reads_the_same_for_anyone(
    client, counting_hasher, username
):
    """No user enumeration by the message, nor by the time a password hash takes: a known
    account, a trainee whose account is not made yet, and a name nobody has cost one hash."""
    factories.user("organizer", username="zhangsan")
    factories.trainee("320401")
    factories.trainee("320499", with_login=False, initial_password="slip-pass-1")
    CountingHasher.computed = 0

    answer = sign_in(client, username, "wrong-password")

    assert answer.status_code == 200
    assert [e.code for e in answer.context["form"].non_field_errors().as_data()] == [
        "invalid_login"
    ]
    assert CountingHasher.computed == 1


def test_the_slips_password_after_the_trainee_chose_one_reads_as_a_wrong_password(client):
    trainee = factories.trainee("320401", initial_password="slip-pass-1")

    answer = sign_in(client, "320401", "slip-pass-1")

    assert trainee.user.has_usable_password()
    assert [e.code for e in answer.context["form"].non_field_errors().as_data()] == [
        "invalid_login"
    ]


def test_an_unknown_name_is_locked_like_a_known_one(client, settings):
    """The lock page does not tell an account that exists from one that does not."""
    factories.trainee("320401")
    for name in ("320401", "320402"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, name, "wrong-password")

    known, unknown = sign_in(client, "320401", "x"), sign_in(client, "320402", "x")

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert without_tokens(known) == without_tokens(unknown)


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_and_out_never_leads_off_the_site(client, target):
    factories.user("organizer", username="zhangsan")

    signed_in = client.post(
        f"/accounts/login/?next={target}",
        {"username": "zhangsan", "password": factories.PASSWORD},
    )
    already_in = client.get("/accounts/login/", {"next": target})  # redirect_authenticated_user
    client.logout()
    posted_next = client.post(
        "/accounts/login/",
        {"username": "zhangsan", "password": factories.PASSWORD, "next": target},
    )
    signed_out = client.post("/accounts/logout/", {"next": target})
    language_get = client.get("/i18n/setlang/", {"next": target})
    language_referer = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER=target)

    answers = (signed_in, already_in, posted_next, signed_out, language_get, language_referer)
    for response in answers:
        assert response.status_code == 302
        assert stays_on_site(response["Location"]), response["Location"]


def test_there_is_no_self_service_password_reset_to_abuse(client):
    from django.urls import NoReverseMatch

    for path in ("/accounts/password/reset/", "/accounts/password_reset/"):
        assert client.get(path).status_code == 404
    for name in ("password_reset", "admin_password_reset"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


# --- the second factor ---------------------------------------------------------------------


def enrolled(role="organizer"):
    account = factories.user(role, username="zhangsan")
    return account, TOTPDevice.objects.create(user=account, name="phone", confirmed=True)


def test_a_code_once_used_is_refused_in_the_next_session(client):
    """Read over a shoulder (or from a proxy's log) after it was typed: still worthless."""
    _account, device = enrolled()
    code = totp_code(device)
    sign_in(client, "zhangsan")
    assert client.post("/accounts/two-factor/verify/", {"token": code})["Location"] == "/"

    thief = Client()
    sign_in(thief, "zhangsan", address="10.9.9.9")
    replayed = thief.post("/accounts/two-factor/verify/", {"token": code}, REMOTE_ADDR="10.9.9.9")

    assert replayed.status_code == 200  # the code page again
    assert thief.get("/trainees/programs/")["Location"].startswith("/accounts/two-factor/verify/")


def test_the_code_step_is_not_skipped_by_the_api_a_second_sign_in_or_the_admin(client):
    enrolled()
    sign_in(client, "zhangsan")

    answers = {
        "api": client.get("/api/v1/programs").status_code,
        "login again": client.post(
            "/accounts/login/", {"username": "zhangsan", "password": factories.PASSWORD}
        ).get("Location", ""),
        "admin login": client.get("/admin/login/").get("Location", ""),
        "setup": client.get("/accounts/two-factor/").get("Location", ""),
        "new codes": client.post("/accounts/two-factor/codes/").get("Location", ""),
    }

    assert answers["api"] in (302, 401)  # never the data
    for name in ("login again", "admin login", "setup", "new codes"):
        assert answers[name].startswith("/accounts/two-factor/verify/"), name


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED"])
def test_forged_address_headers_do_not_buy_more_code_guesses(settings, header):
    """Without nginx in front, every guess comes from REMOTE_ADDR whatever the headers say:
    the fifth wrong code signs the session out, and the next sign-in waits."""
    settings.OTP_WRONG_CODES_LIMIT = 5
    _account, device = enrolled()
    intruder = Client()
    sign_in(intruder, "zhangsan")

    answers = [
        intruder.post(
            "/accounts/two-factor/verify/",
            {"token": "000000"},
            REMOTE_ADDR=OUTSIDER,
            **{header: f"10.0.0.{n}"},
        ).status_code
        for n in range(5)
    ]
    sign_in(intruder, "zhangsan")
    again = intruder.post(
        "/accounts/two-factor/verify/",
        {"token": totp_code(device)},
        REMOTE_ADDR=OUTSIDER,
        **{header: "10.0.0.99"},
    )

    assert answers == [200, 200, 200, 200, 302]
    assert again["Location"] == "/accounts/login/"


# --- the directory sign-in, switched off -----------------------------------------------------


def test_without_ldap_url_a_directory_account_cannot_sign_in_and_no_directory_is_asked(
    client, settings, monkeypatch
):
    """LDAP_URL unset: the backend is not listed, and an account the directory made earlier
    (no password of its own) opens with no password at all."""
    assert directory.BACKEND not in settings.AUTHENTICATION_BACKENDS

    def asked(*args, **kwargs):
        raise AssertionError("the directory was asked")

    monkeypatch.setattr(directory, "directory_user", asked)
    monkeypatch.setattr(directory, "service_connection", asked)
    account = get_user_model().objects.create_user("chenjw", last_login=timezone.now())
    account.set_unusable_password()
    account.save()
    account.groups.add(
        Group.objects.get_or_create(name=directory.DIRECTORY)[0],
        Group.objects.get_or_create(name="organizer")[0],
    )

    answers = [sign_in(client, "chenjw", password) for password in ("pw-1234567", "", "!")]

    assert all(answer.status_code == 200 for answer in answers)
    assert "_auth_user_id" not in client.session


# --- the directory sign-in, switched on: the lock and the directory's case-blind names ----------


@pytest.fixture
def bureau_directory(settings, monkeypatch):
    """A directory (LDAP) that knows chenjw, an organizer, with his password; like every LDAP
    server it finds 'ChenJW' as 'chenjw' (uid is compared without case), and the account it
    makes or updates is named as the entry spells it."""
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, directory.BACKEND]
    password = "directory-pw-1"

    def directory_user(username, given):
        if username.lower() != "chenjw" or given != password:
            return None
        account, _made = get_user_model().objects.get_or_create(username="chenjw")
        account.set_unusable_password()
        account.save()
        account.groups.add(
            Group.objects.get_or_create(name=directory.DIRECTORY)[0],
            Group.objects.get_or_create(name="organizer")[0],
        )
        return account

    monkeypatch.setattr(directory, "directory_user", directory_user)
    return password


def test_the_lock_of_a_directory_account_holds_for_every_case_of_its_name(
    client, settings, bureau_directory
):
    """Ten wrong passwords lock (chenjw, this address); the directory opens 'ChenJW' with the
    same password, so the lock must hold for it too, or each of the name's 64 spellings buys
    ten more guesses."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "chenjw", "wrong-password")

    answers = [
        sign_in(client, spelling, bureau_directory).status_code
        for spelling in ("ChenJW", "CHENJW", "chenJw")
    ]

    assert answers == [429, 429, 429]
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_under_several_cases_of_a_directory_name_add_up(
    client, settings, bureau_directory
):
    spellings = ["chenjw", "ChenJW", "CHENJW", "chenJW", "Chenjw"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, spellings[n % len(spellings)], "wrong-password")

    assert sign_in(client, "chenjw", bureau_directory).status_code == 429


def test_an_erased_trainees_lock_records_go_though_counted_without_case(client, organizer):
    """The lock counts a police ID with a letter (J320401) as 'j320401': the erasure of the
    trainee's data finds those records too."""
    from trainees.personal_data import trainee_erase

    program = factories.program(organizers=[organizer], code="CZ2023")
    enrollment = factories.enrollment(program, factories.trainee("J320401"))
    sign_in(client, "J320401", "wrong-password")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["j320401"]
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)

    trainee_erase(enrollment=Enrollment.objects.get(pk=enrollment.pk), user=organizer)

    assert not AccessAttempt.objects.exists()


# --- 2. an ordinary API client --------------------------------------------------------------


def test_one_character_changed_anywhere_in_another_clients_token_is_401(world, units):
    _mine, mine = api_client(units["jintan"])
    _theirs, theirs = api_client(units["city"])
    prefix, secret = theirs.split("_")[1], theirs.split("_", 2)[2]
    forged = [
        theirs[:-1] + ("A" if theirs[-1] != "A" else "B"),  # the secret's last character
        theirs[:12] + ("A" if theirs[12] != "A" else "B") + theirs[13:],  # one in the middle
        f"jx_{prefix}_{mine.split('_', 2)[2]}",  # their prefix, my secret
        f"jx_{mine.split('_')[1]}_{secret}",  # my prefix, their secret
        theirs.upper(),
        f"JX_{prefix}_{secret}",
        theirs + " ",  # stripped: still theirs, see below
        f"jx_{prefix}_",
        f"jx__{secret}",
        "jx_" + prefix,
    ]

    answers = [bearer(token).get("/api/v1/programs/WJ2023").status_code for token in forged]

    assert answers == [401, 401, 401, 401, 401, 401, 200, 401, 401, 401]


@pytest.mark.parametrize(
    "how",
    [
        {"HTTP_AUTHORIZATION": "Token {token}"},
        {"HTTP_AUTHORIZATION": "Basic {token}"},
        {"HTTP_AUTHORIZATION": "{token}"},
        {"HTTP_X_API_KEY": "{token}"},
        {"HTTP_COOKIE": "token={token}"},
        {"QUERY_STRING": "token={token}"},
        {"QUERY_STRING": "access_token={token}"},
    ],
)
def test_a_token_anywhere_but_the_bearer_header_is_no_token(world, units, how):
    _client, token = api_client(units["city"])
    extra = {name: value.format(token=token) for name, value in how.items()}

    response = Client().get("/api/v1/programs", **extra)

    assert response.status_code == 401


def test_a_revoked_token_is_401_even_when_reissued_tokens_are_live(world, units):
    client, old = api_client(units["city"])
    client_revoke(client=client)
    new = client_token_issue(client=client)

    assert bearer(old).get("/api/v1/programs").status_code == 401
    assert bearer(new).get("/api/v1/programs").status_code == 200


def test_the_secret_is_compared_in_constant_time(world, units, monkeypatch):
    """A wrong secret under a real prefix goes through hmac.compare_digest of two digests of
    the same length: nothing to learn from the time the comparison takes."""
    import hmac

    from api import tokens

    _client, token = api_client(units["city"])
    compared = []
    original = hmac.compare_digest

    def compare_digest(a, b):
        compared.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", compare_digest)

    wrong = bearer(token[:-2] + "zz").get("/api/v1/programs")
    right = bearer(token).get("/api/v1/programs")

    assert (wrong.status_code, right.status_code) == (401, 200)
    assert compared == [(64, 64), (64, 64)]


BRANCH_PATHS = [
    "/api/v1/programs/WJ2023",
    "/api/v1/programs/WJ2023/groups",
    "/api/v1/programs/WJ2023/timetable",
    "/api/v1/programs/WJ2023/attendance",
    "/api/v1/programs/WJ2023/scores",
    "/api/v1/programs/WJ2023/essays",
    "/api/v1/programs/WJ2023/completion",
    "/api/v1/programs/WJ2023/roster",
    "/api/v1/programs/wj2023",
    "/api/v1/programs/WJ2023%20",
    "/api/v1/programs/WJ2023%00",
    "/api/v1/programs/WJ%25",
    "/api/v1/trainees/320499",
    "/api/v1/trainees/320499%20",
    "/api/v1/trainees/32049%25",
    "/api/v1/trainees/%EF%BC%93%EF%BC%92%EF%BC%90%EF%BC%94%EF%BC%99%EF%BC%99",  # full-width
]


@pytest.mark.parametrize("path", BRANCH_PATHS)
def test_a_branch_client_reads_nothing_of_another_branch_by_any_path(world, units, path):
    _client, token = api_client(units["jintan"])

    response = bearer(token).get(path)

    assert response.status_code == 404
    assert "湖塘" not in response.content.decode() and "320499" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?unit=%d",
        "?unit_id=%d",
        "?program=WJ2023",
        "?bureau=%d",
        "?police_id=320499",
        "?scope=all",
        "?everything=true",
    ],
)
def test_no_query_parameter_widens_a_branch_clients_lists(world, units, query):
    _client, token = api_client(units["jintan"])
    filled = query.replace("%d", str(units["city"].pk))

    trainees = bearer(token).get(f"/api/v1/trainees{filled}").json()
    programs = bearer(token).get(f"/api/v1/programs{filled}").json()
    roster = bearer(token).get(f"/api/v1/programs/CZ2023/roster{filled}").json()

    assert [row["police_id"] for row in trainees["items"]] == ["320401"]
    assert [row["code"] for row in programs["items"]] == ["CZ2023"]
    assert [row["police_id"] for row in roster["items"]] == ["320401"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=1000000",
        "limit=201",
        "limit=0",
        "limit=-1",
        "limit=1e9",
        "limit=99999999999999999999999999999",
        "limit=%EF%BC%95%EF%BC%90",  # full-width 50
        "offset=1000001",
        "offset=-1",
        "offset=99999999999999999999999999999",
        "limit=" + "9" * 5000,
    ],
)
def test_a_page_too_big_or_nonsense_is_422_not_a_server_error(world, units, query):
    _client, token = api_client(units["city"])

    for path in ("/api/v1/trainees", "/api/v1/programs", "/api/v1/programs/CZ2023/attendance"):
        response = bearer(token).get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)


def test_the_public_schema_and_docs_hold_no_data_and_no_token(world, units):
    client, token = api_client(units["city"], name="人事系统")
    outsider = Client()

    pages = [
        outsider.get("/api/v1/openapi.json").content.decode(),
        outsider.get("/api/v1/docs").content.decode(),
    ]

    for page in pages:
        for secret in (token, client.token_prefix, "人事系统", "320401", "龚定俊", "CZ2023"):
            assert secret not in page


def test_the_docs_page_is_framed_by_no_one_and_takes_no_token_from_the_query(db):
    response = Client().get("/api/v1/docs")

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_cross_site_post_riding_an_organizers_session_imports_nothing(world, organizer):
    """A page on another site posts a roster to the API in the organizer's browser: the session
    cookie goes along, but the API knows only tokens."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(organizer)
    roster = ContentFile("姓名,警号,单位\n坏人,999999,儒林派出所\n".encode(), name="r.csv")

    response = browser.post(
        "/api/v1/programs/CZ2023/roster",
        {"file": roster},
        HTTP_ORIGIN="https://evil.example",
    )

    assert response.status_code == 401
    assert not Enrollment.objects.filter(trainee__police_id="999999").exists()


def test_a_signed_in_browser_without_a_token_reads_nothing_anywhere(world, organizer):
    browser = Client()
    browser.force_login(organizer)

    answers = [
        browser.get(path).status_code
        for path in ("/api/v1/programs", "/api/v1/programs/CZ2023/scores", "/api/v1/trainees")
    ]

    assert answers == [401, 401, 401]


def test_a_read_only_token_with_a_signed_in_organizers_session_still_cannot_write(
    world, units, organizer
):
    _client, token = api_client(units["jintan"])
    browser = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    browser.force_login(organizer)
    roster = ContentFile("姓名,警号,单位\n坏人,999999,儒林派出所\n".encode(), name="r.csv")

    response = browser.post("/api/v1/programs/CZ2023/roster", {"file": roster})

    assert response.status_code == 403
    assert not Enrollment.objects.filter(trainee__police_id="999999").exists()


@pytest.mark.parametrize("method", ["PROPFINDXYZ1", "ABCDEFGHIJKLMNOPQRST", "DELETE", "TRACE"])
def test_an_odd_http_method_is_no_server_error_and_its_record_fits(world, units, method):
    """gunicorn takes any method name of 3 to 20 characters, and nginx passes it on; the
    call's record keeps 10 (ApiCall.method), and a longer one was a database error (500) on
    PostgreSQL at every call, anonymous ones included, each mailed to ADMINS."""
    _client, token = api_client(units["city"])

    anonymous = Client().generic(method, "/api/v1/programs")
    with_token = bearer(token).generic(method, "/api/v1/programs")

    assert anonymous.status_code == 401
    assert with_token.status_code == 405
    limit = ApiCall._meta.get_field("method").max_length
    assert all(len(call.method) <= limit for call in ApiCall.objects.all())


NUL_ADDRESSES = [
    "/timetable/feeds/%00.ics",  # an outsider's
    "/timetable/feeds/abc%00def.ics",
    "/api/v1/programs/CZ2023%00",  # anonymous, then with a token
    "/api/v1/programs/CZ2023%00/scores",
    "/api/v1/trainees/320401%00",
    "/completion/programs/CZ2023%00/closing/",  # an organizer's
    "/trainees/programs/CZ2023%00/",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_a_nul_in_the_address_reaches_no_database_lookup(world, units, organizer, address):
    """PostgreSQL refuses a NUL in a text parameter (DataError: a 500, mailed to ADMINS): an
    outsider's feed address, an anonymous API call (its record holds the path) and an
    organizer's page with one in the program's code were all 500s there."""
    from django.db import connection

    _client, token = api_client(units["city"])
    signed_in = Client()
    signed_in.force_login(organizer)
    callers = [Client(), bearer(token), signed_in]
    with_nul = []

    def watch(execute, sql, params, many, context):
        rows = params if many else [params]
        for row in rows or []:
            values = row.values() if isinstance(row, dict) else row
            if any(isinstance(value, str) and "\x00" in value for value in values or []):
                with_nul.append(sql)
        return execute(sql, params, many, context)

    for caller in callers:
        with connection.execute_wrapper(watch):
            response = caller.get(address)
        assert response.status_code == 404, (address, response.status_code)
    assert with_nul == []
