"""Attacks on the session engine that reads the signed-in account along with the session
(trainees.sessions, 69b537d) and on OTPMiddleware's real account in request.user (d8a092e).
Each test passes when the code is safe against the attack its name describes."""

import contextvars
import hashlib
import threading

import pytest
from asgiref.sync import async_to_sync
from axes.models import AccessLog
from django.contrib.auth import SESSION_KEY, aget_user, alogin
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.trainees.test_two_factor import code
from trainees import directory, sessions
from trainees.backends import ModelBackend, user_cache_key

pytestmark = pytest.mark.django_db

MY_DAY = "/timetable/my-day/"
PROGRAMS = "/trainees/programs/"


@pytest.fixture(autouse=True)
def _engine(settings):
    settings.USER_CACHE_SECONDS = 3600
    settings.SESSION_ENGINE = "trainees.sessions"


def sign_in(client, user, url="/accounts/login/", **extra):
    data = {"username": user.username, "password": factories.PASSWORD, **extra}
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:300]
    return client.cookies["sessionid"].value


def alive(key):
    """Whether a session key still names a session, in the cache or in the database."""
    return sessions.SessionStore().exists(key)


def anonymous(client, url=MY_DAY):
    response = client.get(url)
    return response.status_code == 302 and not response.wsgi_request.user.is_authenticated


def warm(user):
    """The marks of the account's creation and sign-in have lapsed; its entry is cached."""
    cache.delete(user_cache_key(user.pk))
    # In a context of its own: whatever an earlier test's request left in this thread's.
    assert contextvars.Context().run(ModelBackend().get_user, user.pk).pk == user.pk
    assert isinstance(cache.get(user_cache_key(user.pk)), type(user))


def with_cookie(key):
    client = Client()
    client.cookies["sessionid"] = key
    return client


# Forged and replayed keys -----------------------------------------------------------------


def test_my_own_random_part_with_the_victims_id_grafted_on_names_no_session():
    victim, attacker = factories.user("trainee"), factories.user("trainee")
    victim_key = sign_in(Client(), victim)
    own = sign_in(Client(), attacker)

    forged = with_cookie(own[: sessions.RANDOM_LENGTH + 1] + str(victim.pk))

    assert anonymous(forged)
    assert alive(victim_key) and alive(own)  # nobody's session touched


def test_a_key_with_unicode_digits_after_the_dash_is_no_server_error(client):
    """Latin-1 superscripts pass str.isdigit() but not int(); a WSGI cookie may hold them."""
    for tail in ("\u00b2", "1\u00b9", "\u00b3" * 3):
        assert sessions.account_id_of("a" * sessions.RANDOM_LENGTH + "-" + tail) is None
    response = client.get(MY_DAY, HTTP_COOKIE=f"sessionid={'a' * 30}-\u00b2")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_entry_left_in_the_context_var_is_never_served_to_the_next_request(client):
    """A poisoned entry (another account's object under my account's key) left in the
    thread's context by anything before: the next request's SessionStore forgets it."""
    me, victim = factories.user("trainee"), factories.user("trainee")
    sign_in(client, me)
    sessions.PREFETCHED.set((user_cache_key(me.pk), ModelBackend().get_user(victim.pk)))

    response = client.get(MY_DAY)

    assert response.wsgi_request.user.pk == me.pk
    assert sessions.PREFETCHED.get() is None  # used (or dropped) within the request


def test_the_context_var_is_not_shared_between_threads():
    one = factories.user("trainee")
    sessions.PREFETCHED.set((user_cache_key(one.pk), cache.get(user_cache_key(one.pk))))
    seen = []
    thread = threading.Thread(target=lambda: seen.append(sessions.PREFETCHED.get()))
    thread.start()
    thread.join()
    assert seen == [None]


def test_get_user_without_a_request_reads_the_cache_and_sees_a_deactivation():
    """A Celery task or a management command in a fresh thread (no session loaded)."""
    user = factories.user("trainee")
    warm(user)
    backend = ModelBackend()
    fresh = contextvars.Context()  # a task's own context: no session was loaded in it

    assert fresh.run(backend.get_user, user.pk).pk == user.pk
    user.is_active = False
    user.save()
    assert fresh.run(backend.get_user, user.pk) is None


@pytest.mark.parametrize("how", ["a directory session", "a signed-out key replayed"])
def test_no_entry_read_along_outlives_its_request_in_the_thread(client, settings, monkeypatch, how):
    """A request whose key names an account reads that account's entry along, and nothing
    takes it when the backend is not ours (a directory session) or the session is gone (a
    signed-out, forged or expired key): the entry stays in the thread's context after the
    request, until the thread's next SessionStore. A get_user in that thread outside a
    request (an eager Celery task, CELERY_TASK_ALWAYS_EAGER without a broker; a command; a
    signal handler after the response) is then served that stale entry: here an account
    deactivated since comes back active."""
    if how == "a directory session":
        user = directory_account(settings, monkeypatch)
        sign_in(client, user)
        warm(user)
        assert client.get(PROGRAMS).status_code == 200
    else:
        user = factories.user("trainee")
        key = sign_in(client, user)
        client.post("/accounts/logout/")
        warm(user)
        assert anonymous(with_cookie(key))

    user.is_active = False
    user.save()

    assert ModelBackend().get_user(user.pk) is None


# Session fixation, sign-in, sign-out -------------------------------------------------------


def keys_made(monkeypatch):
    made = []
    create = sessions.SessionStore.create

    def spy(self):
        create(self)
        made.append(self.session_key)

    monkeypatch.setattr(sessions.SessionStore, "create", spy)
    return made


def test_a_planted_anonymous_key_dies_at_the_sign_in_with_every_key_made_on_the_way(
    monkeypatch,
):
    planted = sessions.SessionStore()
    planted["planted"] = True
    planted.create()
    victim = factories.user("trainee")
    client = with_cookie(planted.session_key)
    made = keys_made(monkeypatch)

    key = sign_in(client, victim)

    assert key != planted.session_key and key.endswith(f"-{victim.pk}")
    assert made[-1] == key and len(made) >= 2  # Django's own cycle, then the receiver's
    assert [k for k in [planted.session_key, *made] if alive(k)] == [key]
    assert anonymous(with_cookie(planted.session_key))


def test_a_planted_signed_in_session_of_the_attacker_is_flushed_at_the_victims_sign_in():
    """The site's login page sends a signed-in session away; the admin's signs in anew
    (Django's login flushes a session of another account)."""
    attacker = factories.user("trainee", is_staff=True)
    victim = factories.user("trainee", is_staff=True)
    attacker_key = sign_in(Client(), attacker, url="/admin/login/", next="/admin/")
    client = with_cookie(attacker_key)

    key = sign_in(client, victim, url="/admin/login/", next="/admin/")

    assert key.endswith(f"-{victim.pk}") and not alive(attacker_key)
    assert client.get(MY_DAY).wsgi_request.user.pk == victim.pk
    assert anonymous(with_cookie(attacker_key))


def test_a_first_sign_in_keeps_what_the_session_owes_across_the_new_key(client):
    user = factories.user("trainee", last_login=None)
    key = sign_in(client, user)
    assert key.endswith(f"-{user.pk}")
    response = client.get(MY_DAY)
    assert response.status_code == 302 and response["Location"].endswith("/accounts/password/")


def test_a_replayed_key_after_sign_out_is_anonymous_though_the_account_is_cached(client):
    user = factories.user("trainee")
    key = sign_in(client, user)
    client.post("/accounts/logout/")
    warm(user)

    assert not alive(key)
    assert anonymous(with_cookie(key))


def test_flush_kills_the_key_and_the_next_key_names_nobody():
    user = factories.user("trainee")
    key = sign_in(Client(), user)
    store = sessions.SessionStore(key)
    assert store[SESSION_KEY] == str(user.pk)

    store.flush()
    store["after"] = 1
    store.save()

    assert not alive(key) and sessions.account_id_of(store.session_key) is None
    assert anonymous(with_cookie(key))


def test_a_new_password_kills_the_old_key_and_signs_the_other_session_out():
    user = factories.user("trainee")
    other = Client()
    sign_in(other, user)
    client = Client()
    old = sign_in(client, user)
    client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "a-new-password-77",
            "new_password2": "a-new-password-77",
        },
    )

    assert not alive(old) and anonymous(with_cookie(old))
    assert anonymous(other)
    assert client.get(MY_DAY).wsgi_request.user.pk == user.pk


def test_an_expired_session_is_anonymous_though_its_key_names_the_account(client):
    user = factories.user("trainee")
    key = sign_in(client, user)
    store = sessions.SessionStore(key)
    store.set_expiry(-60)
    store.save()  # the cache's copy expires at once, the row is past its date

    assert Session.objects.get(session_key=key).expire_date < timezone.now()
    assert anonymous(client)


def test_a_role_taken_away_between_two_requests_counts(client):
    user = factories.user("organizer")
    sign_in(client, user)
    assert client.get(PROGRAMS).status_code == 200
    user.groups.remove(Group.objects.get(name="organizer"))
    assert client.get(PROGRAMS).status_code in (302, 403)


# Long ids ----------------------------------------------------------------------------------


# 2,147,483,647: the last id PostgreSQL's integer column holds.
@pytest.mark.parametrize("pk", [999_999_999, 1_000_000_007, 2_147_483_647])
def test_a_long_id_signs_in_and_the_key_fits_the_column(client, pk):
    user = factories.user("trainee", id=pk)
    key = sign_in(client, user)

    assert len(key) <= 40
    assert sessions.account_id_of(key) == (pk if pk < 10**9 else None)
    response = client.get(MY_DAY)
    assert response.status_code == 200 and response.wsgi_request.user.pk == pk


# The admin's login, two factors, the directory ---------------------------------------------


def test_the_admins_login_gives_a_key_naming_the_account_and_kills_the_old_one(client):
    admin = factories.user(is_staff=True, is_superuser=True)
    client.get("/admin/login/")
    before = client.cookies.get("sessionid")
    key = sign_in(client, admin, url="/admin/login/", next="/admin/")

    assert key.endswith(f"-{admin.pk}")
    assert before is None or not alive(before.value)
    assert client.get("/admin/").status_code == 200


def test_a_verified_session_does_not_verify_another_session_of_the_same_account(settings):
    organizer = factories.user("organizer")
    device = TOTPDevice.objects.create(user=organizer, name="phone", confirmed=True)
    first, second = Client(), Client()
    sign_in(first, organizer)
    sign_in(second, organizer)

    answer = first.post("/accounts/two-factor/verify/", {"token": code(device), "next": "/"})
    assert answer.status_code == 302
    assert first.get(PROGRAMS).status_code == 200  # its account object took the device

    asked = second.get(PROGRAMS)
    assert asked.status_code == 302 and "/two-factor/verify/" in asked["Location"]
    assert not asked.wsgi_request.user.is_verified()
    assert first.get(PROGRAMS).status_code == 200


def directory_account(settings, monkeypatch):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, directory.BACKEND]
    user = factories.user("organizer", username="chenjw")
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=directory.DIRECTORY)[0])
    monkeypatch.setattr(
        directory,
        "directory_user",
        lambda username, password: user if password == factories.PASSWORD else None,
    )
    return type(user).objects.get(pk=user.pk)


def test_a_directory_session_is_signed_out_when_the_account_is_deactivated(
    client, settings, monkeypatch
):
    user = directory_account(settings, monkeypatch)
    key = sign_in(client, user)
    assert key.endswith(f"-{user.pk}")
    assert client.session["_auth_user_backend"] == directory.BACKEND
    assert client.get(PROGRAMS).status_code == 200

    user.is_active = False
    user.save()

    assert anonymous(client, PROGRAMS)


# The sign-out log (django-axes) -------------------------------------------------------------


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.cached_db", "trainees.sessions"]
)
def test_the_sign_out_is_written_to_the_access_log_of_its_sign_in(client, settings, engine):
    """django-axes writes the hash of the session key at the sign-in (its receiver runs
    before account_signed_in cycles the key) and finds the row by the key at the sign-out."""
    settings.SESSION_ENGINE = engine
    user = factories.user("trainee")
    key = sign_in(client, user)
    client.post("/accounts/logout/")

    log = AccessLog.objects.get(username=user.username)
    assert log.session_hash == hashlib.sha256(key.encode()).hexdigest()
    assert log.logout_time is not None


# The async path -----------------------------------------------------------------------------


def test_the_async_path_signs_in_reads_the_account_and_sees_a_deactivation():
    user = factories.user("trainee")
    request = RequestFactory().post("/accounts/login/")
    request.session = sessions.SessionStore()
    request.session["before"] = 1
    request.session.save()
    before = request.session.session_key

    async_to_sync(alogin)(request, user, "trainees.backends.ModelBackend")
    request.session.save()
    key = request.session.session_key

    assert key != before and not alive(before) and key.endswith(f"-{user.pk}")
    later = RequestFactory().get(MY_DAY)
    later.session = sessions.SessionStore(key)
    assert async_to_sync(aget_user)(later).pk == user.pk
    assert sessions.PREFETCHED.get() is None  # aload reads nothing along

    user.is_active = False
    user.save()
    again = RequestFactory().get(MY_DAY)
    again.session = sessions.SessionStore(key)
    assert not async_to_sync(aget_user)(again).is_authenticated
