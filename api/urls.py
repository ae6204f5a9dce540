"""/api/v1/: every URL of the API behind api.gate (token, rate limit, record of the call); the
schema and the docs page need no token."""

from django.urls import URLPattern

from api.endpoints import api
from api.gate import gated

PUBLIC = ("openapi-json", "openapi-view")


def gated_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = gated(pattern.callback, public=pattern.name in PUBLIC)
    return patterns


app_name = "api"  # the namespace ninja reverses its docs page in (NinjaAPI.urls_namespace)
api_patterns, _ninja, _namespace = api.urls
urlpatterns = gated_patterns(api_patterns)
