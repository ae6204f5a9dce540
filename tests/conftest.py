import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first; the manifest storage used
    in production is exercised by tests/config/test_static.py."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
