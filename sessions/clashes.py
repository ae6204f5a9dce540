"""Clashes (冲突): what is wrong with placing an activity on the timetable.

A clash is two things that cannot happen at once: a venue or a speaker in two places at the
same time, or the same trainees in two activities at once (the whole class against any of its
groups, or one group twice). A clash, an activity that ends before it starts, one outside the
program's dates or in another program's venue is an error: the save is refused with a message
that names the other activity (and its program, when it is another's: speakers are shared).
A time outside the daily routine (before wake-up, after lights-out) is only a warning.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from sessions.models import Activity


@dataclass
class Clashes:
    """What `activity_clashes` found: errors refuse the save, warnings only inform."""

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def span(activity):
    """'10:00–11:30' in Beijing time, for messages (the clash messages and the change notices)."""
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    return f"{time_format(start, 'H:i')}–{time_format(end, 'H:i')}"


def describe(activity, program=None):
    """How a message names another activity: its title, day and times; and its program's code
    when that is not `program` (the program of the activity being placed)."""
    names = {
        "title": activity.title,
        "day": timezone.localtime(activity.starts_at).strftime("%m-%d"),
        "span": span(activity),
    }
    if program is not None and activity.program_id != program.pk:
        return _("%(program)s's “%(title)s” (%(day)s %(span)s)") % {
            **names,
            "program": activity.program.code,
        }
    return _("“%(title)s” (%(day)s %(span)s)") % names


def activity_clashes(activity, speakers=(), ignore=()):
    """What is wrong with placing `activity` (not yet saved) with these speakers.

    Errors: a venue or a speaker in two places at once; the same trainees in two activities
    at once (the whole class against any group, or one group twice); a time outside the
    program's dates; a venue of another program. Warnings: a start before wake-up or an end
    after lights-out.
    `ignore` lists activities (unsaved ones of the same batch) not to compare with.
    """
    problems = Clashes()
    program = activity.program
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    if end <= start:
        problems.errors.append(_("The activity must end after it starts."))
        return problems
    if start.date() < program.start_date or end.date() > program.end_date:
        problems.errors.append(
            _("The activity is outside the program's dates (%(start)s to %(end)s).")
            % {"start": program.start_date, "end": program.end_date}
        )
    overlapping = (
        Activity.objects.filter(starts_at__lt=activity.ends_at, ends_at__gt=activity.starts_at)
        .exclude(pk__in=[a.pk for a in (activity, *ignore) if a.pk])
        .select_related("program", "venue", "group")
        .order_by("starts_at")
    )
    if activity.venue_id:
        if activity.venue.program_id != program.pk:
            problems.errors.append(
                _("The venue %(venue)s is not one of this program's venues.")
                % {"venue": activity.venue.name}
            )
        for other in overlapping.filter(venue_id=activity.venue_id):
            problems.errors.append(
                _("The venue %(venue)s is already used by %(other)s.")
                % {"venue": activity.venue.name, "other": describe(other, program)}
            )
    speaker_ids = [speaker.pk for speaker in speakers]
    if speaker_ids:
        for other in overlapping.filter(speakers__in=speaker_ids).distinct():
            names = "、".join(s.name for s in other.speakers.all() if s.pk in speaker_ids)
            problems.errors.append(
                _("%(speaker)s is already speaking at %(other)s.")
                % {"speaker": names, "other": describe(other, program)}
            )
    same_class = overlapping.filter(program_id=activity.program_id)
    if activity.group_id:
        same_class = same_class.filter(Q(group__isnull=True) | Q(group_id=activity.group_id))
    for other in same_class:
        group = other.group or activity.group
        if group:
            message = _("%(group)s already has %(other)s at that time.")
        else:
            message = _("The whole class already has %(other)s at that time.")
        problems.errors.append(message % {"group": group, "other": describe(other)})
    wake, sleep = program.routine_bounds()
    if wake and start.time() < wake:
        problems.warnings.append(
            _("%(title)s starts before wake-up (%(wake)s).")
            % {"title": activity.title, "wake": wake.strftime("%H:%M")}
        )
    if sleep and (end.time() > sleep or end.date() > start.date()):
        problems.warnings.append(
            _("%(title)s ends after lights-out (%(sleep)s).")
            % {"title": activity.title, "sleep": sleep.strftime("%H:%M")}
        )
    return problems
