"""Reads of roll call (点名): who an activity expects, leave over it (approved, or awaiting a
decision), the counts, the sheet in one section per group, the roll-call list, and the kept
changes of a trainee's attendance records.
"""

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import Activity, Attendance, AttendanceChange, LeaveRequest
from sessions.selectors.timetable import by_day
from trainees.audit import Change, HistoryEntry, label, shown
from trainees.models import Enrollment, Program, Trainee
from trainees.rows import Columns, cache_per_process, fetch, instances, moment, table

Status = Attendance.Status
LEAVE = Status.LEAVE
APPROVED = LeaveRequest.Status.APPROVED


def expected(activity):
    """The active enrollments an activity expects: the class, or the activity's group."""
    enrollments = Enrollment.objects.filter(
        program_id=activity.program_id, status=Enrollment.Status.ACTIVE
    )
    if activity.group_id:
        enrollments = enrollments.filter(group_id=activity.group_id)
    return enrollments


def leave_over(activity):
    """The program's leave requests whose time overlaps the activity's (any status)."""
    return LeaveRequest.objects.filter(
        enrollment__program_id=activity.program_id,
        starts_at__lt=activity.ends_at,
        ends_at__gt=activity.starts_at,
    )


def covering_leave(activity):
    """{enrollment id: approved leave} covering the activity."""
    leaves = leave_over(activity).filter(status=APPROVED)
    return {leave.enrollment_id: leave for leave in leaves}


def leave_on_sheet(activity):
    """{enrollment id: leave} over the activity, approved or awaiting a decision; the approved
    one where a trainee has both. One query."""
    leaves = leave_over(activity).filter(
        status__in=[LeaveRequest.Status.APPROVED, LeaveRequest.Status.PENDING]
    )
    by_enrollment = {}
    for leave in leaves.order_by("starts_at"):
        kept = by_enrollment.get(leave.enrollment_id)
        if kept is None or (leave.status == APPROVED and kept.status != APPROVED):
            by_enrollment[leave.enrollment_id] = leave
    return by_enrollment


@dataclass
class Counts:
    expected: int
    present: int
    late: int
    absent: int
    leave: int
    left_early: int
    # Approved leave over the activity with no record yet: recorded as leave when roll call
    # closes or the rest are marked present (SheetRow.leave_expected, one by one).
    leave_ahead: int = 0

    @property
    def attended(self):  # 实到: Attendance.ATTENDED
        return sum(getattr(self, status.value) for status in Attendance.ATTENDED)

    @property
    def on_leave(self):
        return self.leave + self.leave_ahead

    @property
    def unmarked(self):
        return self.expected - self.attended - self.absent - self.on_leave


def counts(activity):
    """应到 N, 实到 M, 请假 K (approved leave counts before it is recorded), 迟到 L, 缺勤 A:
    three queries."""
    records = Attendance.objects.filter(activity=activity)
    by_status = dict(
        records.filter(enrollment__status=Enrollment.Status.ACTIVE)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    on_approved_leave = leave_over(activity).filter(status=APPROVED).values("enrollment_id")
    leave_ahead = (
        expected(activity)
        .filter(pk__in=on_approved_leave)
        .exclude(pk__in=records.values("enrollment_id"))
        .count()
    )
    return Counts(
        expected=expected(activity).count(),
        present=by_status.get(Status.PRESENT, 0),
        late=by_status.get(Status.LATE, 0),
        absent=by_status.get(Status.ABSENT, 0),
        leave=by_status.get(Status.LEAVE, 0),
        left_early=by_status.get(Status.LEFT_EARLY, 0),
        leave_ahead=leave_ahead,
    )


@dataclass
class SheetRow:
    """One trainee on the roll-call sheet: their record once marked, and leave over the
    activity (approved, else awaiting a decision), shown before anything is marked."""

    enrollment: Enrollment
    record: Attendance | None
    leave: LeaveRequest | None

    @property
    def leave_state(self):
        """ "approved", "pending" or ""."""
        return self.leave.status if self.leave else ""

    @property
    def leave_expected(self):
        """Not marked yet, with approved leave: closing the activity or "mark all remaining
        present" records it as leave (sessions.services.rollcall), so the sheet shows 请假
        before any record is written."""
        return self.record is None and self.leave_state == APPROVED

    @property
    def attended(self):
        return self.record is not None and self.record.attended

    @property
    def on_leave(self):
        return self.leave_expected or (self.record is not None and self.record.status == LEAVE)

    @property
    def unmarked(self):
        return self.record is None and not self.leave_expected


@dataclass
class SheetSection:
    """One group's part of the sheet (group None: trainees in no group), with its counts."""

    group: object
    rows: list

    @property
    def expected(self):
        return len(self.rows)

    @property
    def attended(self):
        return sum(row.attended for row in self.rows)

    @property
    def on_leave(self):
        return sum(row.on_leave for row in self.rows)

    @property
    def unmarked(self):
        return sum(row.unmarked for row in self.rows)


def sheet_row(activity, enrollment, record):
    """One row of the sheet after a tap: one query (the trainee's leave)."""
    leave = leave_on_sheet(activity).get(enrollment.pk)
    return SheetRow(enrollment, record, leave)


def sheet(activity):
    """Every expected trainee in group order, with their record (or None) and their leave:
    three queries, whatever the size of the class."""
    records = {a.enrollment_id: a for a in Attendance.objects.filter(activity=activity)}
    leaves = leave_on_sheet(activity)
    enrollments = (
        expected(activity)
        .select_related("trainee__unit", "group")
        .order_by(F("group__number").asc(nulls_last=True), "trainee__police_id")
    )
    return [SheetRow(e, records.get(e.pk), leaves.get(e.pk)) for e in enrollments]


def sheet_sections(rows):
    """The sheet's rows in one section per group, in group order (no group last)."""
    return [
        SheetSection(group, list(members))
        for group, members in groupby(rows, key=lambda row: row.enrollment.group)
    ]


STATUSES = ["present", "late", "absent", "leave", "left_early"]


def rollcall_days(program):
    """[(day, activities)] with each activity's roll-call counts: three queries."""
    marked = {s: Count("attendances", filter=Q(attendances__status=s)) for s in STATUSES}
    activities = (
        Activity.objects.filter(program=program)
        .select_related("group", "venue")
        .annotate(**{f"n_{status}": count for status, count in marked.items()})
        .order_by("starts_at", "group__number")
    )
    sizes = dict(
        Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE)
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    class_size = sum(sizes.values())
    for activity in activities:
        activity.n_expected = sizes.get(activity.group_id, 0) if activity.group_id else class_size
        activity.n_attended = sum(getattr(activity, f"n_{s.value}") for s in Attendance.ATTENDED)
    return by_day(program, activities)


# The reasons sessions.services.rollcall and sessions.services.leave give a change of an
# attendance record.
ATTENDANCE_REASONS = {
    "sheet": _("Roll-call sheet"),
    "code": _("Check-in code"),
    "code after roll call": _("Check-in code after roll call"),
    "all remaining present": _("Mark all remaining present"),
    "closed": _("closed"),
    "no check-out": _("No check-out"),
    "leave approved": _("Leave approved"),
}


def attendance_history(enrollment):
    """The kept changes of the trainee's attendance records (trainees.audit): one query."""

    def status(value):
        return shown(Attendance.Status(value).label if value else "")

    entries = []
    for change in AttendanceChange.objects.filter(attendance__enrollment=enrollment).select_related(
        "attendance__activity", "changed_by"
    ):
        activity = change.attendance.activity
        changes = [
            Change(
                label(Attendance, "status"), status(change.old_status), status(change.new_status)
            )
        ]
        if change.old_minutes_late != change.new_minutes_late:
            changes.append(
                Change(
                    label(Attendance, "minutes_late"),
                    str(change.old_minutes_late),
                    str(change.new_minutes_late),
                )
            )
        entries.append(
            HistoryEntry(
                when=change.changed_at,
                topic=Attendance._meta.verbose_name,
                subject=f"{activity.title} · {timezone.localtime(activity.starts_at):%m-%d %H:%M}",
                changes=changes,
                who=change.changed_by,
                note=ATTENDANCE_REASONS.get(change.reason, change.reason),
            )
        )
    return entries


@cache_per_process
def candidates_query():
    """check_in_candidates' SQL (trainees.rows: the check-in rush sends it 220 times in a
    minute): activities of the account's active enrollments, with their program, and the
    enrollment."""
    parts = [Columns(Activity, "a"), Columns(Program, "p"), Columns(Enrollment, "e")]
    sql = (
        f"SELECT {', '.join(part.sql() for part in parts)} FROM {table(Activity)} a"
        f" JOIN {table(Program)} p ON p.id = a.program_id"
        f" JOIN {table(Enrollment)} e ON e.program_id = a.program_id"
        f" JOIN {table(Trainee)} t ON t.id = e.trainee_id"
        " WHERE t.user_id = %s AND e.status = %s AND a.starts_at <= %s AND a.ends_at >= %s"
    )
    return sql, parts


def check_in_candidates(user, starts_before, ends_after, activity_id=None):
    """[(activity, enrollment)]: the activities of the programs `user` is an active trainee
    of that start by `starts_before` and end from `ends_after` (only `activity_id`, if
    given), each with its program, and the trainee's enrollment in it. One query."""
    sql, parts = candidates_query()
    params = [user.pk, Enrollment.Status.ACTIVE, moment(starts_before), moment(ends_after)]
    if activity_id is not None:
        sql += " AND a.id = %s"
        params.append(activity_id)
    found = []
    for row in fetch(sql + " ORDER BY a.starts_at, a.id", params):
        activity, program, enrollment = instances(parts, row)
        activity.program = enrollment.program = program
        found.append((activity, enrollment))
    return found
