"""Reads of roll call (点名): who an activity expects, approved leave covering it, the counts and
the sheet, the roll-call list, and the kept changes of a trainee's attendance records.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import Activity, Attendance, AttendanceChange, LeaveRequest
from sessions.selectors.timetable import by_day
from trainees.audit import Change, HistoryEntry, label, shown
from trainees.models import Enrollment

Status = Attendance.Status


def expected(activity):
    """The active enrollments an activity expects: the class, or the activity's group."""
    enrollments = Enrollment.objects.filter(
        program_id=activity.program_id, status=Enrollment.Status.ACTIVE
    )
    if activity.group_id:
        enrollments = enrollments.filter(group_id=activity.group_id)
    return enrollments


def covering_leave(activity):
    """{enrollment id: approved leave} covering the activity."""
    leaves = LeaveRequest.objects.filter(
        enrollment__program_id=activity.program_id,
        status=LeaveRequest.Status.APPROVED,
        starts_at__lt=activity.ends_at,
        ends_at__gt=activity.starts_at,
    )
    return {leave.enrollment_id: leave for leave in leaves}


@dataclass
class Counts:
    expected: int
    present: int
    late: int
    absent: int
    leave: int
    left_early: int

    @property
    def attended(self):  # 实到: Attendance.ATTENDED
        return sum(getattr(self, status.value) for status in Attendance.ATTENDED)

    @property
    def unmarked(self):
        return self.expected - self.attended - self.absent - self.leave


def counts(activity):
    """应到 N, 实到 M, 请假 K, 迟到 L, 缺勤 A: two queries."""
    by_status = dict(
        Attendance.objects.filter(activity=activity, enrollment__status=Enrollment.Status.ACTIVE)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return Counts(
        expected=expected(activity).count(),
        present=by_status.get(Status.PRESENT, 0),
        late=by_status.get(Status.LATE, 0),
        absent=by_status.get(Status.ABSENT, 0),
        leave=by_status.get(Status.LEAVE, 0),
        left_early=by_status.get(Status.LEFT_EARLY, 0),
    )


def sheet(activity):
    """Every expected trainee with their record (or None): two queries."""
    records = {a.enrollment_id: a for a in Attendance.objects.filter(activity=activity)}
    rows = (
        expected(activity)
        .select_related("trainee__unit", "group")
        .order_by("group__number", "trainee__police_id")
    )
    return [(enrollment, records.get(enrollment.pk)) for enrollment in rows]


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
