import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils import translation

from config.celery import app as celery_app
from exams.selectors.keys import answer_key, attempt_owner
from reports.services import sending
from sessions.selectors import timetable as timetable_selectors
from tests import factories
from trainees import pages

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def pytest_configure(config):
    """Passwords are hashed with MD5 in tests, for speed (as healthchecks and cookiecutter-django
    do): PBKDF2's million iterations were two thirds of the suite's time. Production keeps
    Django's strong default (tests/config/test_settings.py checks it)."""
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first; the manifest storage used
    in production is exercised by tests/config/test_static.py."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def organizer():
    """An organizer (教务): the one of `program`."""
    return factories.user("organizer")


@pytest.fixture
def program(organizer):
    """A program of `organizer`, code CZ2023. A module that needs another program (dates, a
    daily routine, groups) defines its own `program`."""
    return factories.program(organizers=[organizer], code="CZ2023")


def login(client, username, password):
    """Sign in through the login page, as a person does; returns the response after redirects."""
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, follow=True
    )


@pytest.fixture(autouse=True)
def _chinese(settings):
    """Each test starts in the site's language: a request in English would otherwise leave
    this thread speaking English (LocaleMiddleware activates, and nothing deactivates)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in the test's own thread, even in the lane that has a broker; only the
    integration tests send them through Redis to a real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Answer keys, attempt owners, report attachments and the process's own cache (wrong
    codes, trainees.throttle) are kept in the process; a rolled-back test's ids come back in
    the next test, so each test starts with none. A kept SMTP connection would outlive the
    test's mail server. A shared cache (CACHE_URL) is left alone: other workers use it."""

    def clear():
        answer_key.kept.clear()
        attempt_owner.kept.clear()
        sending.attachments.cache_clear()
        sending.smtp.drop()
        pages.SHARED.clear()
        timetable_selectors.KEPT.clear()
        if isinstance(caches["default"], LocMemCache):
            caches["default"].clear()

    clear()
    yield
    clear()
