"""The public verification of a certificate (结业证书查验): whoever scans its QR code, signed
in or not, learns whether it is valid, and only what completion.selectors.verification lets
through. The address carries the certificate's unguessable token, never its serial, and each
client address may ask CERTIFICATE_VERIFY_LIMIT times a CERTIFICATE_VERIFY_WINDOW: past it the
page answers 429, so tokens cannot be tried in bulk nor the page scraped."""

import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from completion.selectors.verification import verification
from trainees.middleware import client_ip


def over_limit(address):
    """Count one verification from `address`; whether it is past the limit of its window
    (a fixed window that starts at the address's first verification). Two cache calls."""
    window = math.ceil(settings.CERTIFICATE_VERIFY_WINDOW.total_seconds())
    key = f"certificate-verify:{address}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between the two calls: this one starts anew
        cache.set(key, 1, timeout=window)
        count = 1
    return count > settings.CERTIFICATE_VERIFY_LIMIT


@login_not_required
@require_GET
@never_cache  # a revocation shows at once, whatever a proxy or the browser kept
def verify(request, token):
    """A certificate's state and what it certifies; 404 for an unknown token."""
    if over_limit(client_ip(request)):
        response = render(request, "completion/verify_limited.html", status=429)
        response["Retry-After"] = str(math.ceil(settings.CERTIFICATE_VERIFY_WINDOW.total_seconds()))
        return response
    found = verification(token)
    if found is None:
        raise Http404
    response = render(request, "completion/verify.html", {"certificate": found})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
