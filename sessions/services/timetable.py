"""Writes of the timetable: activities, days, publishing and change notices, calendar feed
tokens. Each function is one transaction (trainee_feed_create, one statement).

Every save of an activity goes through `sessions.clashes`: clashes are refused with a message
that names the other activity; a time outside the daily routine only warns.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.clashes import activity_clashes, span
from sessions.models import Activity, ActivityChange, CalendarFeed, Speaker, Venue
from trainees.rows import cache_per_process, execute, fetch, table

# Sent once the transaction that recorded a change of the published timetable has committed,
# with the ActivityChange as `change`: sessions.tasks mails it to the trainees concerned.
timetable_changed = Signal()


def record_change(*, program, kind, summary, user, activity=None, group=None):
    """After publication, remember a change and mail the trainees concerned (on commit).

    `group` is the audience: a group, or None for the whole class.
    """
    if program.timetable_published_at is None:
        return None
    change = ActivityChange.objects.create(
        program=program,
        activity=activity,
        group=group,
        kind=kind,
        summary=summary,
        created_by=user,
    )
    transaction.on_commit(lambda: timetable_changed.send(ActivityChange, change=change))
    return change


def change_summary(activity, speakers=None):
    """One line a trainee understands: what, when, where, for whom, with whom."""
    start = timezone.localtime(activity.starts_at)
    speakers = activity.speakers.all() if speakers is None else speakers
    parts = [f"{activity.title}：{start:%m-%d} {span(activity)}"]
    if activity.venue_id:
        parts.append(activity.venue.name)
    if activity.group_id:
        parts.append(str(activity.group))
    if speakers:
        parts.append("、".join(speaker.name for speaker in speakers))
    return " ".join(parts)


def audience(before, after):
    """Who must hear of a change: the group, if it stayed one group; else the whole class
    (an activity that moves from group 1 to the whole class concerns everyone)."""
    if before is None or before.group_id == after.group_id:
        return after.group
    return None


@transaction.atomic
def venue_get_or_create(*, program, name):
    """The program's venue of that name, made on first use (typed in the activity form, or
    imported)."""
    venue, _created = Venue.objects.get_or_create(program=program, name=name)
    return venue


@transaction.atomic
def speaker_get_or_create(*, name, title="", organization=""):
    """The speaker with that name, title and organization, made on first use."""
    speaker, _created = Speaker.objects.get_or_create(
        name=name, title=title, organization=organization
    )
    return speaker


@transaction.atomic
def activity_save(*, activity, speakers, user, record=True, new_venue="", new_speaker=None):
    """Save an activity with its speakers if nothing clashes; returns the warnings.

    `new_venue` (a name) and `new_speaker` (name, title, organization) are typed in the form:
    made here on first use, they are checked for clashes like any other (rolled back with the
    activity if it is refused). Raises ValidationError with every clash, naming the other
    activities. After the timetable is published, the change is recorded (unless `record` is
    false: a batch records one change for all its activities).
    """
    if new_venue:
        activity.venue = venue_get_or_create(program=activity.program, name=new_venue)
    if new_speaker:
        speakers = [*speakers, speaker_get_or_create(**new_speaker)]
    problems = activity_clashes(activity, speakers)
    if problems.errors:
        raise ValidationError(problems.errors)
    previous = None
    if activity.pk is not None:
        previous = (
            Activity.objects.select_related("venue", "group")
            .prefetch_related("speakers")
            .get(pk=activity.pk)
        )
    activity.save()
    activity.speakers.set(speakers)
    if record:
        after = change_summary(activity, speakers)
        if previous is None:
            summary, kind = after, ActivityChange.Kind.ADDED
        else:
            before = change_summary(previous)
            summary = _("%(now)s (was %(before)s)") % {"now": after, "before": before}
            kind = ActivityChange.Kind.CHANGED if before != after else None
        if kind:
            record_change(
                program=activity.program,
                activity=activity,
                group=audience(previous, activity),
                kind=kind,
                summary=summary,
                user=user,
            )
    return problems.warnings


def record_batch(*, program, activities, user):
    """One change for activities added together (an import, a duplicated day)."""
    if not activities:
        return None
    titles = "；".join(change_summary(activity) for activity in activities[:5])
    if len(activities) > 5:
        titles += "……"
    groups = {activity.group_id for activity in activities}
    return record_change(
        program=program,
        kind=ActivityChange.Kind.ADDED,
        summary=_("%(count)s activities added: %(titles)s")
        % {"count": len(activities), "titles": titles},
        group=activities[0].group if len(groups) == 1 else None,
        user=user,
    )


@dataclass
class GroupRow:
    """One group's part of an activity held by every group at once (分组同时进行): its room
    (a venue, or the name of a new one), its host and its speakers."""

    group: object
    venue: object = None
    new_venue: str = ""
    host: str = ""
    speakers: list = field(default_factory=list)


@transaction.atomic
def group_activities_create(*, activity, rows, user):
    """One activity per row's group, at the time of `activity` (unsaved: kind, title, times,
    formats…), each in the row's room with the row's host and speakers; all or nothing.

    Every row is checked like any activity (sessions.clashes), and against the other rows: two
    groups in one room, or one speaker in two rooms. Raises ValidationError whose
    `message_dict` maps a group's number to its clashes, each message naming the group.
    Returns (the activities, the warnings). After publication, one change tells the class.
    """
    copies, errors, warnings = [], {}, []
    for row in rows:
        copy = Activity(
            program=activity.program,
            kind=activity.kind,
            title=activity.title,
            description=activity.description,
            formats=activity.formats,
            checkout_required=activity.checkout_required,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            group=row.group,
            venue=row.venue,
            host=row.host,
        )
        if row.new_venue:
            copy.venue = venue_get_or_create(program=activity.program, name=row.new_venue)
        problems = activity_clashes(copy, row.speakers)
        found = list(problems.errors)
        for earlier, earlier_speakers in copies:
            if copy.venue_id and copy.venue_id == earlier.venue_id:
                found.append(
                    _("The venue %(venue)s is also chosen for %(group)s.")
                    % {"venue": copy.venue.name, "group": earlier.group}
                )
            shared = [s.name for s in row.speakers if s in earlier_speakers]
            if shared:
                found.append(
                    _("%(speaker)s is also chosen for %(group)s.")
                    % {"speaker": "、".join(shared), "group": earlier.group}
                )
        if found:
            errors[row.group.number] = [
                _("%(group)s: %(problem)s") % {"group": row.group, "problem": problem}
                for problem in found
            ]
        # Every row has the same times: the routine's warnings are said once.
        warnings = warnings or problems.warnings
        copies.append((copy, list(row.speakers)))
    if errors:
        raise ValidationError(errors)
    for copy, speakers in copies:
        activity_save(activity=copy, speakers=speakers, user=user, record=False)
    created = [copy for copy, _speakers in copies]
    record_batch(program=activity.program, activities=created, user=user)
    return created, warnings


@transaction.atomic
def activity_delete(*, activity, user):
    """Remove an activity; after publication, trainees are told it is cancelled."""
    record_change(
        program=activity.program,
        group=activity.group,
        kind=ActivityChange.Kind.CANCELLED,
        summary=_("Cancelled: %(what)s") % {"what": change_summary(activity)},
        user=user,
    )
    activity.delete()


def shifted(activity, starts_at):
    """An unsaved copy of `activity` moved to start at `starts_at`, same length."""
    copy = Activity(
        program=activity.program,
        kind=activity.kind,
        title=activity.title,
        description=activity.description,
        venue=activity.venue,
        group=activity.group,
        formats=activity.formats,
        host=activity.host,
        starts_at=starts_at,
        ends_at=starts_at + (activity.ends_at - activity.starts_at),
    )
    return copy


@transaction.atomic
def day_duplicate(*, program, source, target, user):
    """Copy every activity of one day to another, all or nothing.

    Raises ValidationError listing every clash of every copy.
    """
    if source == target:
        raise ValidationError(_("Choose another day to copy to."))
    delta = datetime.combine(target, datetime.min.time()) - datetime.combine(
        source, datetime.min.time()
    )
    originals = list(
        Activity.objects.filter(program=program, starts_at__date=source)
        .select_related("program", "venue", "group")
        .prefetch_related("speakers")
        .order_by("starts_at")
    )
    if not originals:
        raise ValidationError(_("There is nothing to copy on %(day)s.") % {"day": source})
    copies, errors, warnings = [], [], []
    for original in originals:
        copy = shifted(original, original.starts_at + delta)
        problems = activity_clashes(copy, list(original.speakers.all()))
        errors += problems.errors
        warnings += problems.warnings
        copies.append((copy, list(original.speakers.all())))
    if errors:
        raise ValidationError(errors)
    for copy, speakers in copies:
        activity_save(activity=copy, speakers=speakers, user=user, record=False)
    saved = [copy for copy, _speakers in copies]
    record_batch(program=program, activities=saved, user=user)
    return saved, warnings


@transaction.atomic
def timetable_publish(*, program):
    """Publish the timetable: from now on, changes are recorded and announced."""
    if program.timetable_published_at is None:
        program.timetable_published_at = timezone.now()
        program.save(update_fields=["timetable_published_at"])
    return program


def new_token():
    return secrets.token_urlsafe(32)


def calendar_feed_for(*, program, enrollment=None):
    """The feed of a trainee (or of the whole program), made on first use. No transaction of
    its own: get_or_create makes it in one, and the unique constraints settle a race."""
    feed, _created = CalendarFeed.objects.get_or_create(
        program=program, enrollment=enrollment, defaults={"token": new_token()}
    )
    return feed


@cache_per_process
def feed_insert_sql():
    quote = connection.ops.quote_name
    columns = ", ".join(quote(CalendarFeed._meta.get_field(name).column) for name in FEED_WRITTEN)
    sql = (
        f"INSERT INTO {table(CalendarFeed)} ({columns}) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT DO NOTHING"
    )
    if connection.features.can_return_columns_from_insert:  # PostgreSQL, SQLite 3.35+
        sql += f" RETURNING {quote(CalendarFeed._meta.pk.column)}"
    return sql


FEED_WRITTEN = ("program", "enrollment", "token", "created_at")


def trainee_feed_create(*, program, enrollment):
    """The trainee's feed, made at their first look at the whole timetable, which read the
    enrollment with its feed and found none: one INSERT … ON CONFLICT DO NOTHING, with no
    transaction around it (calendar_feed_for's get_or_create sends a SELECT, then BEGIN, the
    INSERT and COMMIT: each of a class's trainees opens the page for the first time in the
    same hour). A feed made meanwhile by another request of theirs is read instead."""
    feed = CalendarFeed(
        program=program, enrollment=enrollment, token=new_token(), created_at=timezone.now()
    )
    params = [
        CalendarFeed._meta.get_field(name).get_db_prep_save(
            getattr(feed, CalendarFeed._meta.get_field(name).attname), connection
        )
        for name in FEED_WRITTEN
    ]
    sql = feed_insert_sql()
    if "RETURNING" not in sql:
        execute(sql, params)
        return calendar_feed_for(program=program, enrollment=enrollment)
    made = fetch(sql, params)
    if not made:  # made meanwhile
        return calendar_feed_for(program=program, enrollment=enrollment)
    feed.pk = made[0][0]
    feed._state.adding = False
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed):
    """A new token: the old address stops working at once."""
    feed.token = new_token()
    feed.save(update_fields=["token"])
    return feed
