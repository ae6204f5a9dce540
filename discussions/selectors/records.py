"""Reads of discussion records (分组讨论记录) and their ideas (金点子): each page's reads in a
fixed number of queries, whatever the size of the class. They are written in
services/records.py; who may read or write which record is decided in discussions/permissions.py.
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from discussions.models import DiscussionRecord, Idea
from discussions.permissions import may_read_record
from sessions.models import Activity
from trainees.models import Enrollment, Group


def discussion_activities(program):
    """The program's group discussions in time order, with their group and venue: one query."""
    return (
        Activity.objects.filter(program=program, kind=Activity.Kind.DISCUSSION)
        .select_related("group", "venue")
        .order_by("starts_at", "group__number", "pk")
    )


def blank_record(activity, group):
    """The unsaved record of a group that has not written one yet (nothing is created on a
    read: a record exists from its first save)."""
    record = DiscussionRecord(activity=activity, group=group)
    record.n_ideas = record.n_starred = 0
    return record


def record_board(program):
    """Every discussion × every group that holds it (an activity with a group is that group's
    only; one without a group is held by every group in parallel), each with its record or a
    blank one, annotated with `n_ideas` and `n_starred`: three queries."""
    activities = list(discussion_activities(program))
    groups = list(Group.objects.filter(program=program).order_by("number"))
    written = {
        (record.activity_id, record.group_id): record
        for record in DiscussionRecord.objects.filter(
            activity__program=program, activity__kind=Activity.Kind.DISCUSSION
        )
        .select_related("recorder__trainee")
        .annotate(n_ideas=Count("ideas"), n_starred=Count("ideas", filter=Q(ideas__starred=True)))
    }
    board = []
    for activity in activities:
        for group in [activity.group] if activity.group_id else groups:
            record = written.get((activity.pk, group.pk))
            if record is None:
                record = blank_record(activity, group)
            else:
                record.activity, record.group = activity, group  # already read: no query
            board.append(record)
    return board


def readable_records(access):
    """The records of the board that `access` may read: for a trainee, their group's (written
    or not yet), those they record, and those shared with the class."""
    return [record for record in record_board(access.program) if may_read_record(access, record)]


def record_at(program, activity_pk, group_number):
    """The record of group `group_number` in discussion `activity_pk` of `program`, or a blank
    one if not written yet; 404 if that group does not hold that discussion."""
    activity = get_object_or_404(
        Activity.objects.select_related("group", "venue"),
        program=program,
        pk=activity_pk,
        kind=Activity.Kind.DISCUSSION,
    )
    group = get_object_or_404(Group, program=program, number=group_number)
    if activity.group_id not in (None, group.pk):
        raise Http404
    record = (
        DiscussionRecord.objects.filter(activity=activity, group=group)
        .select_related("recorder__trainee")
        .first()
    )
    if record is None:
        return blank_record(activity, group)
    record.activity, record.group = activity, group
    return record


def record_of(program, pk):
    """A written record of `program`, by its id; 404 for another program's."""
    return get_object_or_404(
        DiscussionRecord.objects.select_related("activity", "group"),
        activity__program=program,
        activity__kind=Activity.Kind.DISCUSSION,
        pk=pk,
    )


def ideas_of(record):
    """A record's ideas in the order they were raised, with their authors: one query."""
    if record.pk is None:
        return []
    return list(
        Idea.objects.filter(record=record).select_related("author__trainee__unit").order_by("pk")
    )


def idea_of(program, pk):
    """An idea of `program`, with its record; 404 for another program's."""
    return get_object_or_404(
        Idea.objects.select_related("record__activity", "record__group"),
        record__activity__program=program,
        pk=pk,
    )


def starred_ideas(program):
    """The starred ideas of every group, by discussion and group, with their authors: one
    query."""
    return list(
        Idea.objects.filter(record__activity__program=program, starred=True)
        .select_related("record__activity", "record__group", "author__trainee__unit")
        .order_by(
            "record__activity__starts_at", "record__activity_id", "record__group__number", "pk"
        )
    )


def author_choices(program, group):
    """Who may be named the author of an idea: the program's active trainees, the record's
    group first."""
    return (
        Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE)
        .select_related("trainee__unit", "group")
        .annotate(
            other_group=Case(
                When(group=group, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("other_group", "group__number", "trainee__police_id")
    )


def recorder_choices(group, current=None):
    """Who may be named a group's recorder: the accounts of the group's active trainees, and
    whoever is named now (a host's account, say, set in the admin)."""
    accounts = Q(
        trainee__enrollments__group=group,
        trainee__enrollments__status=Enrollment.Status.ACTIVE,
    )
    if current is not None:
        accounts |= Q(pk=current)
    return (
        get_user_model()
        .objects.filter(accounts, is_active=True)
        .select_related("trainee")
        .distinct()
        .order_by("trainee__police_id", "username")
    )


def latest_enrollment(user):
    """The trainee's active place in the program that starts last, or None."""
    return (
        Enrollment.objects.filter(trainee__user=user, status=Enrollment.Status.ACTIVE)
        .select_related("program")
        .order_by("-program__start_date", "-pk")
        .first()
    )
