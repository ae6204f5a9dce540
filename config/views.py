import hmac
import logging
from functools import cache
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from config import metrics as metrics_exposition
from config import readiness
from trainees.middleware import client_ip
from trainees.roles import user_roles

logger = logging.getLogger(__name__)


def home(request):
    """Send each role to its start page; an account with no role is told so."""
    roles = user_roles(request.user)
    if roles.organizer:
        return redirect("trainees:program-list")
    if roles.leadership:
        return redirect("reports:dashboard")
    if roles.trainee:
        return redirect("timetable:my-day")
    return render(request, "home_no_role.html", status=403)


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the static icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


@login_not_required
def health(request):
    """For the load balancer and the benchmarks: the app answers, touching nothing."""
    return HttpResponse("ok", content_type="text/plain")


@cache
def _networks(allowed):
    return [ip_network(network, strict=False) for network in allowed]


def operator_may_read(request):
    """The client is one of METRICS_ALLOWED_IPS, or sends "Authorization: Bearer METRICS_TOKEN"."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


@login_not_required
@never_cache
def ready(request):
    """For the load balancer: 200 when this machine can serve users (config.readiness), else
    503 naming what failed. What each check saw is shown to the operator's addresses (those
    of /metrics) and logged; anyone else sees only which part failed."""
    results = readiness.checks()
    failed = [name for name, (passed, _) in results.items() if passed is False]
    if failed:
        logger.warning(
            "readyz: not ready: %s",
            "; ".join(f"{name}: {results[name][1]}" for name in failed),
        )
    states = {True: "ok", False: "failed", None: "skipped"}
    if operator_may_read(request):
        shown = {name: seen for name, (_, seen) in results.items()}
    else:
        shown = {name: states[passed] for name, (passed, _) in results.items()}
    response = JsonResponse(
        {"ready": not failed, "failed": failed, "checks": shown}, status=503 if failed else 200
    )
    # Logged above, as a warning: Django would log each 503 of the probe (every few seconds
    # while Redis is down) as an ERROR of django.request, and so mail it to ADMINS.
    response._has_been_logged = True
    return response


@login_not_required
@never_cache
def metrics(request):
    """Prometheus's scrape (config.metrics): only for the operator's addresses or token; a 404
    for anyone else, as if there were nothing here."""
    if not operator_may_read(request):
        raise Http404
    return HttpResponse(metrics_exposition.exposition(), content_type=CONTENT_TYPE_LATEST)


class HttpResponsePermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    status_code = 308  # a form posted to an old address is posted again to the new one


def moved_to_reports(request, rest):
    """The score report and the dashboards moved from /exams/ to /reports/ (the reports app):
    a bookmarked address leads to the same page, permanently, with its query string."""
    target = f"{get_script_prefix()}reports/{rest}"
    if request.META.get("QUERY_STRING"):
        target += f"?{request.META['QUERY_STRING']}"
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    return HttpResponsePermanentRedirectKeepingMethod(target)
