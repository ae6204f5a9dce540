from django.shortcuts import render

from trainees.roles import TRAINEE, role_required
from trainees.selectors import enrollments_of


@role_required(TRAINEE)
def my_day(request):
    """The trainee's start page ("我的一天"); today's activities arrive with the timetable."""
    return render(request, "timetable/my_day.html", {"enrollments": enrollments_of(request.user)})
