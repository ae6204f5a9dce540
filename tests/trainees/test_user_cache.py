"""The signed-in account from the shared cache (trainees.backends.ModelBackend): no query once
cached, and every change of the account (password, deactivation, roles, deletion) counts at
the very next request."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests import factories
from trainees.backends import CHANGED, ModelBackend, user_cache_key, users_changed
from trainees.roles import user_roles

pytestmark = pytest.mark.django_db

MY_DAY = "/timetable/my-day/"


@pytest.fixture(autouse=True, params=["cached_db", "trainees.sessions"])
def _user_cache(settings, request):
    """Each test with Django's cached_db sessions, and with the engine that reads the account
    along with the session (trainees.sessions, CACHE_URL's)."""
    settings.USER_CACHE_SECONDS = 3600
    settings.SESSION_ENGINE = {"cached_db": "django.contrib.sessions.backends.cached_db"}.get(
        request.param, request.param
    )


def signed_in(client, role="trainee"):
    user = factories.user(role)
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    cache.delete(user_cache_key(user.pk))  # the marks of its creation and sign-in have lapsed
    return user


def cached(user):
    """Whether the account's entry holds the account (not the mark of a change)."""
    return getattr(cache.get(user_cache_key(user.pk)), "pk", None) == user.pk


def test_the_account_and_its_roles_are_read_once_then_come_from_the_cache(
    django_assert_num_queries,
):
    user = factories.user("trainee")
    cache.delete(user_cache_key(user.pk))  # the mark of its creation has lapsed
    backend = ModelBackend()
    with django_assert_num_queries(2):  # the account, its roles
        backend.get_user(user.pk)

    with django_assert_num_queries(0):
        cached = backend.get_user(user.pk)
        assert user_roles(cached).trainee

    assert cached.pk == user.pk and cached.password == user.password


def test_a_new_password_signs_the_other_sessions_out_at_their_next_request(client):
    user = signed_in(client)
    assert client.get(MY_DAY).status_code == 200
    assert cached(user)

    user.set_password("another-password-2")
    user.save()

    response = client.get(MY_DAY)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_deactivated_account_is_signed_out_at_its_next_request(client):
    user = signed_in(client)
    assert client.get(MY_DAY).status_code == 200
    assert cached(user)

    user.is_active = False
    user.save()

    assert client.get(MY_DAY).status_code == 302


@pytest.mark.parametrize("how", ["user.groups.remove", "group.user_set.remove", "clear", "rename"])
def test_a_role_taken_away_counts_at_the_next_request(client, how):
    user = signed_in(client)
    assert client.get(MY_DAY).status_code == 200
    assert cached(user)
    group = Group.objects.get(name="trainee")

    if how == "user.groups.remove":
        user.groups.remove(group)
    elif how == "group.user_set.remove":
        group.user_set.remove(user)
    elif how == "clear":
        group.user_set.clear()
    else:
        group.name = "former-trainee"
        group.save()

    assert client.get(MY_DAY).status_code == 403


def test_a_role_given_counts_at_the_next_request(client):
    user = signed_in(client, role=None)
    assert client.get(MY_DAY).status_code == 403
    assert cached(user)

    Group.objects.get_or_create(name="trainee")[0].user_set.add(user)

    assert client.get(MY_DAY).status_code == 200


def test_a_deleted_account_is_signed_out(client):
    user = signed_in(client)
    assert client.get(MY_DAY).status_code == 200
    assert cached(user)

    user.delete()

    assert client.get(MY_DAY).status_code == 302


def test_a_row_read_before_a_change_is_not_put_back_into_the_cache():
    """A request that read the account just before a change committed: its copy must not
    replace the mark the change left (the next request would see the old password)."""
    user = factories.user("trainee")

    users_changed([user.pk])  # the change, while that request is between read and write
    ModelBackend().get_user(user.pk)

    assert cache.get(user_cache_key(user.pk)) == CHANGED


def test_a_session_signed_in_before_the_cache_stays_signed_in(client):
    user = factories.user("trainee")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get(MY_DAY).status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == "trainees.backends.ModelBackend"


def test_without_a_shared_cache_the_account_is_read_each_time(settings, django_assert_num_queries):
    settings.USER_CACHE_SECONDS = 0
    user = factories.user("trainee")
    ModelBackend().get_user(user.pk)

    with django_assert_num_queries(1):
        ModelBackend().get_user(user.pk)


def test_a_sign_in_puts_the_account_into_the_cache_and_its_first_page_reads_no_row_of_it(
    client, django_assert_num_queries
):
    user = factories.user("trainee")
    cache.delete(user_cache_key(user.pk))  # the mark of its creation has lapsed
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert cached(user)  # the stamp of last_login did not mark it changed
    entry = cache.get(user_cache_key(user.pk))
    with django_assert_num_queries(0):
        assert user_roles(entry).trainee and entry.last_login is not None
    assert not hasattr(entry, "backend")  # read afresh, not the login's own object

    # A change made since still counts at the next request.
    user.is_active = False
    user.save()
    assert client.get(MY_DAY).status_code == 302  # signed out: to the login page


def test_a_sign_in_leaves_the_mark_of_a_change_in_place():
    user = factories.user("trainee")
    users_changed([user.pk])
    from trainees.backends import account_cache_fill

    account_cache_fill([user.pk])
    assert cache.get(user_cache_key(user.pk)) == CHANGED
