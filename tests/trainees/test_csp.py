"""trainees.middleware.CSPMiddleware: django-csp's header, built once from the settings."""

import pytest
from csp.constants import SELF
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory

from trainees.middleware import CSPMiddleware

pytestmark = pytest.mark.django_db


def served(path="/accounts/login/", **response_attributes):
    response = HttpResponse("ok")
    for name, value in response_attributes.items():
        setattr(response, name, value)
    request = RequestFactory().get(path)
    middleware = CSPMiddleware(lambda request: response)
    return middleware(request)


def test_the_header_is_django_csps_and_follows_the_settings(client, settings):
    assert client.get("/accounts/login/")["Content-Security-Policy"] == build_policy()

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF, "data:"]}}

    assert served()["Content-Security-Policy"] == "default-src 'self' data:"
    assert "Content-Security-Policy-Report-Only" not in served()


def test_a_response_with_a_policy_of_its_own_goes_through_django_csp():
    response = served(_csp_update={"img-src": ["blob:"]})

    assert "blob:" in response["Content-Security-Policy"]
    assert served()["Content-Security-Policy"] == build_policy()  # the built one untouched


def test_an_exempt_response_or_an_excluded_path_gets_no_header(settings):
    assert "Content-Security-Policy" not in served(_csp_exempt=True)
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }
    assert "Content-Security-Policy" not in served("/healthz")
    assert "Content-Security-Policy" in served("/accounts/login/")
