from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from trainees.roles import user_roles


def home(request):
    """Send each role to its start page; an account with no role is told so."""
    roles = user_roles(request.user)
    if roles.organizer:
        return redirect("trainees:program-list")
    if roles.leadership:
        return redirect("exams:dashboard")
    if roles.trainee:
        return redirect("timetable:my-day")
    return render(request, "home_no_role.html", status=403)


@login_not_required
def health(request):
    """For the load balancer and the benchmarks: the app answers, touching nothing."""
    return HttpResponse("ok", content_type="text/plain")
