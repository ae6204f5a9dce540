"""Discussion records (分组讨论记录), their ideas (金点子) and the chiefs' forum (所长论坛).

Services change data (keyword-only, one transaction each); selectors read it, each page's
reads in a fixed number of queries whatever the size of the class. Who may do what is decided
in discussions/permissions.py, not here.
"""

import hashlib

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from discussions.models import DiscussionRecord, ForumTalk, Idea
from discussions.permissions import may_read_record
from sessions.models import Activity
from trainees.models import Enrollment, Group

# --- selectors: discussion records ---------------------------------------------------------


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


# --- services: discussion records ----------------------------------------------------------


class SummaryConflict(Exception):
    """The summary was changed by someone else since the writer opened it."""

    def __init__(self, current):
        super().__init__(current)
        self.current = current


def summary_fingerprint(summary):
    """A short digest of a summary, carried by the form to notice a change made meanwhile."""
    return hashlib.sha256(summary.encode()).hexdigest()[:16]


@transaction.atomic
def record_summary_save(*, activity, group, summary, base=None):
    """Save the summary of a group's record, creating the record on its first save.

    `base` is the fingerprint of the text the writer started from: if the recorder and an
    organizer write at once, the later save does not silently replace the earlier one; it
    raises SummaryConflict with the text stored now, and nothing is saved.
    """
    record, _created = DiscussionRecord.objects.get_or_create(activity=activity, group=group)
    record = DiscussionRecord.objects.select_for_update().get(pk=record.pk)
    if base and summary_fingerprint(record.summary) != base and record.summary != summary:
        raise SummaryConflict(record.summary)
    record.summary = summary
    record.save(update_fields=["summary", "updated_at"])
    return record


@transaction.atomic
def record_recorder_set(*, activity, group, recorder):
    """Name the recorder of a group's record (None: nobody), creating the record if needed."""
    record, _created = DiscussionRecord.objects.update_or_create(
        activity=activity, group=group, defaults={"recorder": recorder}
    )
    return record


@transaction.atomic
def record_share(*, record, shared):
    """Share a record with the whole class (keeping the time it was first shared), or take it
    back to its group. Idempotent: sharing twice keeps the first time."""
    if shared:
        DiscussionRecord.objects.filter(pk=record.pk, shared_at__isnull=True).update(
            shared_at=timezone.now()
        )
    else:
        DiscussionRecord.objects.filter(pk=record.pk).update(shared_at=None)
    record.shared_at = DiscussionRecord.objects.values_list("shared_at", flat=True).get(
        pk=record.pk
    )
    return record


@transaction.atomic
def idea_add(*, activity, group, text, author=None):
    """Add an idea to a group's record, creating the record if needed."""
    record, _created = DiscussionRecord.objects.get_or_create(activity=activity, group=group)
    return Idea.objects.create(record=record, text=text, author=author)


@transaction.atomic
def idea_delete(*, idea):
    """Remove an idea."""
    idea.delete()


@transaction.atomic
def idea_star(*, idea, starred):
    """Star an idea (or take the star off). The form says which, so two organizers tapping at
    once agree instead of cancelling each other out."""
    Idea.objects.filter(pk=idea.pk).update(starred=starred)
    idea.starred = starred
    return idea


# --- selectors: the chiefs' forum ----------------------------------------------------------


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


# --- services: the chiefs' forum -----------------------------------------------------------


@transaction.atomic
def forum_talk_save(*, talk, previous_slides=""):
    """Save a talk; slides it replaced or cleared are removed from storage once the save has
    committed."""
    talk.save()
    if previous_slides and previous_slides != talk.slides.name:
        storage = talk.slides.storage
        transaction.on_commit(lambda: storage.delete(previous_slides))
    return talk


@transaction.atomic
def forum_talk_delete(*, talk):
    """Remove a talk and, once that has committed, its slides."""
    slides = talk.slides
    talk.delete()
    if slides:
        transaction.on_commit(lambda: slides.storage.delete(slides.name))
