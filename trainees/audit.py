"""变更记录: the history of one trainee's record in a program, newest first, shown to the
program's organizers (and the city bureau's leadership) on the trainee's page.

The roster's part is read here, from the history django-simple-history keeps of Trainee and
Enrollment. Scores, attendance and essays belong to apps above this one, which this app must
not import (imports flow trainees ← sessions ← discussions ← exams): each of them registers a
source in its AppConfig.ready(), a function(enrollment) → [HistoryEntry] in a fixed number of
queries, so that the whole history costs the same queries for 1 change or 1,000.

The reasons of the roster's changes are named here too, with `recorded`, through which the
services (trainees.services) tell the history who made a change and why.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainees.models import Enrollment, Trainee, mask_phone

# Why a roster row changed: the history's change reason, written by trainees.services.
ROSTER_IMPORT = "roster import"
GROUP_SPLIT = "group split"
GROUPS_EDITED = "groups edited"  # the hosts, names and topics, on the page of every group
MOVED = "moved"
WITHDRAWN = "withdrawn"
TAKEN_BACK = "taken back"
NEW_PASSWORD = "new initial password"
ROSTER_REASONS = {
    ROSTER_IMPORT: _("Import roster"),
    GROUP_SPLIT: _("Split the class"),
    MOVED: _("Move"),
    WITHDRAWN: _("Withdraw from the program"),
    TAKEN_BACK: _("Take back into the program"),
    NEW_PASSWORD: _("New initial password"),
}


# Units, trainees, groups and enrollments keep their history (django-simple-history): a save()
# records itself, with the signed-in user of the request (HistoryRequestMiddleware) unless a
# service names one; the bulk writes go through simple_history's bulk helpers, given the acting
# user, because bulk_create, bulk_update and QuerySet.update() send no signal.
def recorded(instance, *, user, reason):
    """Name who (if not the request's user) and why, for the history row of the next save."""
    if user is not None:
        instance._history_user = user
    instance._change_reason = reason
    return instance


TRAINEE_FIELDS = ("name", "police_id", "gender", "unit", "position", "phone", "email")
ENROLLMENT_FIELDS = ("group", "role", "status")
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    """One field of a record: its label, and its value before (None: not told) and after."""

    label: str
    old: str | None
    new: str


@dataclass
class HistoryEntry:
    """One change of one record of the trainee: when, by whom (None: done automatically, e.g.
    grading or the closing of an activity), of what, and why."""

    when: datetime
    topic: str  # 名册, 成绩, 考勤, 心得体会
    subject: str  # which record: the trainee's data, an exam, an activity …
    changes: list = field(default_factory=list)  # Change
    who: object = None
    note: str = ""


SOURCES = []


def history_source(source):
    """Add a source of entries: a function(enrollment) → [HistoryEntry]."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def shown(value):
    """A value as the history shows it: "—" for nothing, a moment in Beijing time."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


def label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def enrollment_history(enrollment, *, full_phone):
    """Every kept change of the trainee's record in the enrollment's program, newest first:
    the roster's (their data, group, role, status), then each registered source's. Phone
    numbers are masked unless `full_phone` (organizers: the roster's rule)."""
    entries = roster_history(enrollment, full_phone=full_phone)
    for source in SOURCES:
        entries.extend(source(enrollment))
    entries.sort(key=lambda entry: entry.when, reverse=True)  # stable: ties keep their order
    return entries


def roster_history(enrollment, *, full_phone):
    """The history rows of the trainee and of the enrollment, as entries: two queries."""

    def trainee_value(record, name):
        if name == "unit":
            return shown(record.unit)
        if name == "gender":
            return shown(record.get_gender_display())
        if name == "phone":
            return shown(record.phone if full_phone else mask_phone(record.phone))
        return shown(getattr(record, name))

    def enrollment_value(record, name):
        if name == "group":
            return shown(record.group)
        return shown(getattr(record, f"get_{name}_display")())

    trainee_rows = enrollment.trainee.history.select_related("unit", "history_user")
    enrollment_rows = enrollment.history.select_related("group", "history_user")
    roster = {"topic": _("Roster"), "reasons": ROSTER_REASONS}
    return [
        *entries_of(trainee_rows, Trainee, TRAINEE_FIELDS, trainee_value, **roster),
        *entries_of(enrollment_rows, Enrollment, ENROLLMENT_FIELDS, enrollment_value, **roster),
    ]


def reason_text(reason, reasons):
    """A change reason as shown: "roster import:ZK2026" → "Import roster · ZK2026"."""
    key, _sep, detail = reason.partition(":")
    if key not in reasons:
        return reason
    return f"{reasons[key]} · {detail}" if detail else str(reasons[key])


def entries_of(records, model, fields, value, *, topic, reasons, created=True):
    """Each row of a simple_history history against the one before it: the `fields` that
    changed, shown by value(row, name). A row that changed none of them and says no reason
    (a save of something not shown) is left out; so is the first row unless `created`."""
    entries, previous = [], None
    for record in records.order_by("history_date", "history_id"):
        if previous is None and not created:
            previous = record
            continue
        changes = []
        for name in fields:
            attname = model._meta.get_field(name).attname
            if previous is None or getattr(previous, attname) != getattr(record, attname):
                old = EMPTY if previous is None else value(previous, name)
                new = value(record, name)
                if old != new:
                    changes.append(Change(label(model, name), old, new))
        reason = record.history_change_reason or ""
        if record.history_type != "-" and (changes or reason):
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    topic=topic,
                    subject=model._meta.verbose_name,
                    changes=changes,
                    who=record.history_user,
                    note=reason_text(reason, reasons),
                )
            )
        previous = record
    return entries
