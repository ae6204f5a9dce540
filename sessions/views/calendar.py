"""Calendar feeds (iCal): the feed itself, reached by its unguessable token (empty until the
timetable is published), and replacing a program's or a trainee's address.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions import calendar
from sessions.models import CalendarFeed
from sessions.selectors import timetable as timetable_selectors
from sessions.services import timetable as timetable_services
from trainees.models import Enrollment
from trainees.permissions import program_for
from trainees.roles import TRAINEE, role_required


@login_not_required
def feed(request, token):
    """An iCal feed: calendar apps cannot sign in, so the unguessable token is the key."""
    calendar_feed = get_object_or_404(
        CalendarFeed.objects.select_related("program", "enrollment"), token=token
    )
    enrollment = calendar_feed.enrollment
    if enrollment and enrollment.status != Enrollment.Status.ACTIVE:
        raise Http404  # a withdrawn trainee's calendar stops
    program = calendar_feed.program
    activities = timetable_selectors.activities_of(program)
    if not timetable_selectors.timetable_published(program):
        # An empty calendar, not an error: a phone subscribed early fills in on publication.
        activities = activities.none()
    elif calendar_feed.enrollment:
        activities = timetable_selectors.for_enrollment(activities, calendar_feed.enrollment)
    body = calendar.ics(program, activities)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # ?download=1 (the calendar page's download link) saves the file instead of opening it.
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{program.code}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
def program_feed_revoke(request, code):
    program = program_for(request.user, code, change=True)
    timetable_services.calendar_feed_revoke(
        feed=timetable_services.calendar_feed_for(program=program)
    )
    messages.success(request, _("The calendar address has been replaced; the old one is dead."))
    return redirect("timetable:week", code=program.code)


@require_POST
@role_required(TRAINEE)
def my_feed_revoke(request, code):
    enrollment = get_object_or_404(
        Enrollment,
        trainee__user=request.user,
        program__code=code,
        status=Enrollment.Status.ACTIVE,
    )
    feed = timetable_services.calendar_feed_for(program=enrollment.program, enrollment=enrollment)
    timetable_services.calendar_feed_revoke(feed=feed)
    messages.success(request, _("The calendar address has been replaced; the old one is dead."))
    return redirect("timetable:my-timetable", code=code)
