import pytest


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
