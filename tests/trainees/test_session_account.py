"""The session engine that reads the signed-in account with the session (trainees.sessions):
one round trip to the cache for both, and never an account the session does not name."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.core.cache import cache
from django.test import Client

from tests import factories
from trainees import sessions
from trainees.backends import ModelBackend, user_cache_key

pytestmark = pytest.mark.django_db

MY_DAY = "/timetable/my-day/"


@pytest.fixture(autouse=True)
def _engine(settings):
    settings.USER_CACHE_SECONDS = 3600
    settings.SESSION_ENGINE = "trainees.sessions"


def sign_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def session_cache_key(client):
    return sessions.SessionStore.cache_key_prefix + client.cookies["sessionid"].value


class CacheCalls:
    """The calls made to the cache, each a round trip with Redis (the memory cache of the
    tests makes a get_many of gets: those are not counted apart)."""

    def __init__(self, monkeypatch):
        self.calls, self.inside = [], False
        get, get_many = cache.get, cache.get_many

        def spy_get(key, *args, **kwargs):
            if not self.inside:
                self.calls.append(("get", key))
            return get(key, *args, **kwargs)

        def spy_get_many(keys, *args, **kwargs):
            self.calls.append(("get_many", list(keys)))
            self.inside = True
            try:
                return get_many(keys, *args, **kwargs)
            finally:
                self.inside = False

        monkeypatch.setattr(cache, "get", spy_get)
        monkeypatch.setattr(cache, "get_many", spy_get_many)


def test_a_signed_in_key_ends_with_its_account_and_fits_the_column():
    user = factories.user("trainee")
    key = sign_in(Client(), user)

    assert key.endswith(f"-{user.pk}") and len(key) <= 40
    assert sessions.account_id_of(key) == user.pk
    assert sessions.account_id_of(f"{'a' * 30}-{10**9 - 1}") == 10**9 - 1  # 40 characters


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "a" * 32,
        "a" * 30 + "-",
        "a" * 30 + "-1x",
        "a" * 29 + "-12",
        "a" * 30 + "-" + "9" * 10,
    ],
)
def test_a_key_without_an_account_names_none(key):
    assert sessions.account_id_of(key) is None


def test_each_request_reads_the_session_and_the_account_in_one_round_trip(
    client, monkeypatch, django_assert_num_queries
):
    user = factories.user("trainee")
    sign_in(client, user)
    client.get(MY_DAY)  # the page's own caches filled
    calls = CacheCalls(monkeypatch)

    response = client.get(MY_DAY)

    assert response.status_code == 200 and response.wsgi_request.user.pk == user.pk
    account_reads = [c for c in calls.calls if user_cache_key(user.pk) in str(c[1])]
    assert account_reads == [("get_many", [session_cache_key(client), user_cache_key(user.pk)])]


def test_a_forged_key_naming_another_account_signs_nobody_in(client):
    victim = factories.user("trainee")
    sign_in(Client(), victim)
    client.cookies["sessionid"] = f"{'x' * 30}-{victim.pk}"

    response = client.get(MY_DAY)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not response.wsgi_request.user.is_authenticated


def test_the_account_read_along_serves_only_the_account_the_session_names(monkeypatch):
    """A session whose key names one account and whose data another (no key is made so: a
    guard all the same) reads the other's from the cache, not the one read along."""
    one, other = factories.user("trainee"), factories.user("trainee")
    ModelBackend().get_user(one.pk), ModelBackend().get_user(other.pk)  # both cached
    sessions.PREFETCHED.set((user_cache_key(one.pk), cache.get(user_cache_key(one.pk))))

    assert ModelBackend().get_user(other.pk).pk == other.pk
    assert sessions.PREFETCHED.get() is None  # used once, whatever it held


def test_a_change_of_the_account_counts_at_the_next_request(client):
    user = factories.user("trainee")
    sign_in(client, user)
    assert client.get(MY_DAY).status_code == 200

    user.set_password("another-password-2")
    user.save()

    assert client.get(MY_DAY).status_code == 302  # signed out


def test_a_new_password_of_the_session_itself_keeps_it_signed_in_under_a_new_key(client):
    user = factories.user("trainee")
    old = sign_in(client, user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "a-new-password-77",
            "new_password2": "a-new-password-77",
        },
    )
    assert response.status_code == 302, response.content[:300]

    new = client.cookies["sessionid"].value
    assert new != old and new.endswith(f"-{user.pk}")
    assert client.get(MY_DAY).wsgi_request.user.pk == user.pk


def test_a_session_whose_key_names_no_account_still_works(client):
    """Signed in before this engine (or by force_login): read the old way, in two reads."""
    user = factories.user("trainee")
    client.force_login(user)
    old = cached_db.SessionStore()  # a key as Django makes it, the same data
    old.update(dict(client.session.items()))
    old.create()
    client.cookies["sessionid"] = key = old.session_key
    assert len(key) == 32 and sessions.account_id_of(key) is None

    response = client.get(MY_DAY)

    assert response.status_code == 200 and response.wsgi_request.user.pk == user.pk
    assert response.wsgi_request.session[SESSION_KEY] == str(user.pk)
