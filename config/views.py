from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import get_script_prefix

from trainees.roles import user_roles


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
