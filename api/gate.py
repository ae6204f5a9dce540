"""The door of every API call, before django-ninja: the bearer token, the rate limit, and the
record of the call (ApiCall), whatever its answer: 401 and 429 included.

The API is not the site: no session, no CSRF token, no sign-in page (login_not_required);
a client is known by its token alone. An unknown token, a revoked one and none at all get the
same 401, which says nothing of which it was.
"""

import functools
import math
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.models import ApiClient
from api.services import call_record
from api.tokens import token_matches, token_prefix


def bearer_client(request):
    """The live ApiClient whose token the request carries (Authorization: Bearer …), or None."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    prefix = token_prefix(token)
    if prefix is None:
        return None
    client = ApiClient.objects.select_related("unit").filter(token_prefix=prefix).first()
    if client is None or client.revoked_at is not None:
        return None
    return client if token_matches(token, client.token_hash) else None


def over_limit(client):
    """Seconds to wait if `client` has made API_RATE_LIMIT calls this minute, else 0. A
    fixed window of a minute, counted in the cache (shared by every worker with CACHE_URL)."""
    now = time.time()
    window = int(now // 60)
    key = f"api-rate:{client.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count <= settings.API_RATE_LIMIT:
        return 0
    return max(1, math.ceil((window + 1) * 60 - now))


def refusal(status, message, **headers):
    response = JsonResponse({"detail": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def record(request, client, status, started):
    call_record(
        client=client,
        method=request.method,
        path=request.path,
        status=status,
        duration_ms=round((time.monotonic() - started) * 1000),
    )


def gated(view, *, public=False):
    """`view` (a django-ninja view) behind the token and the rate limit, and recorded. A
    `public` view (the schema, the docs page) needs no token."""

    @functools.wraps(view)
    def gate(request, *args, **kwargs):
        started = time.monotonic()
        client = bearer_client(request)
        if client is None and not public:
            response = refusal(401, _("A valid API token is required."))
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        elif client is not None and (wait := over_limit(client)):
            response = refusal(
                429,
                _("Too many calls: at most %(limit)s a minute. Try again in %(wait)s s.")
                % {"limit": settings.API_RATE_LIMIT, "wait": wait},
                **{"Retry-After": str(wait)},
            )
        else:
            request.api_client = client
            try:
                response = view(request, *args, **kwargs)
            except Exception:
                record(request, client, 500, started)  # Django answers 500, and logs it
                raise
        record(request, client, response.status_code, started)
        return response

    return login_not_required(csrf_exempt(gate))
