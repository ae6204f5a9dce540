"""Reads of the chiefs' forum (所长论坛): its talks, its sessions on the timetable and who may
present. It is written in services/forum.py; who may see or change it is decided in
discussions/permissions.py.
"""

from django.db.models import Max, Q
from django.shortcuts import get_object_or_404

from discussions.models import ForumTalk
from sessions.models import Activity
from trainees.models import Enrollment


def forum_talks(program):
    """The forum's talks in order, with presenter and unit: one query."""
    return list(
        ForumTalk.objects.filter(program=program)
        .select_related("presenter__trainee__unit")
        .order_by("order", "pk")
    )


def forum_activities(program):
    """The forum sessions of the program's timetable."""
    return list(
        Activity.objects.filter(program=program, kind=Activity.Kind.FORUM)
        .select_related("venue")
        .order_by("starts_at")
    )


def forum_talk_of(program, pk):
    """A talk of `program`; 404 for another program's."""
    return get_object_or_404(
        ForumTalk.objects.select_related("presenter__trainee"), program=program, pk=pk
    )


def forum_next_order(program):
    """The order a new talk takes: after the last one."""
    last = ForumTalk.objects.filter(program=program).aggregate(last=Max("order"))["last"]
    return 1 if last is None else last + 1


def presenter_choices(program, current=None):
    """Who may present: the program's active trainees, and the current presenter even if
    withdrawn since."""
    presenters = Q(status=Enrollment.Status.ACTIVE)
    if current is not None:
        presenters |= Q(pk=current)
    return (
        Enrollment.objects.filter(presenters, program=program)
        .select_related("trainee__unit")
        .order_by("trainee__police_id")
    )
