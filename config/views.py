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
