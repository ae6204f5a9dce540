"""Reads of the timetable, each in a fixed number of queries whatever the size of the class."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import (
    Activity,
    ActivityChange,
    Attendance,
    AttendanceChange,
    Material,
    Speaker,
)
from trainees.audit import Change, HistoryEntry, label, shown
from trainees.models import Enrollment

GRID_START_HOUR = 6  # the week view's first row: 06:00
GRID_END_HOUR = 23
SLOT_MINUTES = 15
LAST_LINE = (GRID_END_HOUR - GRID_START_HOUR) * 60 // SLOT_MINUTES + 2  # the line at 23:00
MAX_LANES = 12  # the day grid has 60 columns; up to 12 activities side by side


def activities_of(program):
    """The program's activities with what every page shows of them: three queries."""
    return (
        Activity.objects.filter(program=program)
        .select_related("venue", "group")
        .prefetch_related(Prefetch("speakers", queryset=Speaker.objects.order_by("name")))
        .order_by("starts_at", "group__number")
    )


def for_enrollment(activities, enrollment):
    """Only what this trainee attends: the whole class's activities and their group's."""
    audience = Q(group__isnull=True)
    if enrollment.group_id:
        audience |= Q(group_id=enrollment.group_id)
    return activities.filter(audience)


def by_day(program, activities):
    """[(day, [activities])] for every day of the program, empty days included."""
    days = defaultdict(list)
    for activity in activities:
        days[timezone.localtime(activity.starts_at).date()].append(activity)
    return [(day, days.get(day, [])) for day in program.days()]


def grid_row(moment):
    """The week grid's row of a moment (row 1 is the header; one row per 15 minutes)."""
    local = timezone.localtime(moment)
    minutes = (local.hour - GRID_START_HOUR) * 60 + local.minute
    return max(2, min(LAST_LINE, 2 + minutes // SLOT_MINUTES))


def lay_out(activities):
    """Place a day's activities on the grid: rows by time, and side by side when they overlap
    (the five group discussions of an evening). Sets .row_start, .row_end, .lane, .lanes."""
    clusters, current, cluster_end = [], [], None
    for activity in sorted(activities, key=lambda a: (a.starts_at, a.ends_at)):
        if current and activity.starts_at >= cluster_end:
            clusters.append(current)
            current = []
        if not current:
            cluster_end = activity.ends_at
        current.append(activity)
        cluster_end = max(cluster_end, activity.ends_at)
    if current:
        clusters.append(current)
    for cluster in clusters:
        lane_ends = []
        for activity in cluster:
            lane = next((i for i, end in enumerate(lane_ends) if end <= activity.starts_at), None)
            if lane is None:
                lane_ends.append(activity.ends_at)
                lane = len(lane_ends) - 1
            else:
                lane_ends[lane] = activity.ends_at
            activity.lane = min(lane + 1, MAX_LANES)
        for activity in cluster:
            activity.lanes = min(len(lane_ends), MAX_LANES)
            # Before 06:00 or after 23:00, the box sticks to the grid's edge (its label keeps
            # the true time); it always spans at least one row.
            activity.row_start = min(grid_row(activity.starts_at), LAST_LINE - 1)
            activity.row_end = max(activity.row_start + 1, grid_row(activity.ends_at))
    return activities


def week(program):
    """The organizer's week: every day with its activities laid out on the grid."""
    return [(day, lay_out(items)) for day, items in by_day(program, activities_of(program))]


def grid_hours():
    """The hour labels of the grid, with their rows."""
    per_hour = 60 // SLOT_MINUTES
    return [
        (f"{hour:02d}:00", 2 + (hour - GRID_START_HOUR) * per_hour)
        for hour in range(GRID_START_HOUR, GRID_END_HOUR)
    ]


def current_enrollments(user, today):
    """The trainee's enrollments in programs that run today; failing that, the next program,
    or else the last one."""
    enrollments = list(
        Enrollment.objects.filter(trainee__user=user, status=Enrollment.Status.ACTIVE)
        .select_related("program", "group")
        .order_by("program__start_date")
    )
    running = [e for e in enrollments if e.program.start_date <= today <= e.program.end_date]
    if running:
        return running
    upcoming = [e for e in enrollments if e.program.start_date > today]
    return upcoming[:1] or enrollments[-1:]


def recent_changes(enrollment, limit=10):
    """The latest timetable changes that concern this trainee."""
    changes = ActivityChange.objects.filter(program_id=enrollment.program_id)
    audience = Q(group__isnull=True)
    if enrollment.group_id:
        audience |= Q(group_id=enrollment.group_id)
    return changes.filter(audience).order_by("-created_at")[:limit]


def materials_of(program):
    """The program's materials, each with its activity: one query."""
    return (
        Material.objects.filter(program=program)
        .select_related("activity")
        .order_by("activity__starts_at", "title")
    )


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


STATUSES = ["present", "late", "absent", "leave", "left_early"]


@dataclass
class DisciplineLine:
    labels: list
    expected: int = 0
    present: int = 0
    late: int = 0
    minutes_late: int = 0
    left_early: int = 0
    absent: int = 0
    leave: int = 0
    enrollment_id: int | None = None  # a trainee's line; None for the sums

    @property
    def attended(self):
        return sum(getattr(self, status.value) for status in Attendance.ATTENDED)

    @property
    def rate(self):
        return round(100 * self.attended / self.expected, 1) if self.expected else None

    @property
    def figures(self):
        rate = f"{self.rate}%" if self.rate is not None else ""
        return [
            self.expected,
            self.attended,
            rate,
            self.late,
            self.minutes_late,
            self.left_early,
            self.absent,
            self.leave,
        ]

    def add(self, other):
        for name in (
            "expected",
            "present",
            "late",
            "minutes_late",
            "left_early",
            "absent",
            "leave",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Discipline:
    trainees: list
    groups: list
    units: list
    total: DisciplineLine


def discipline(program, now=None):
    """Attendance of every active trainee over the activities that have ended, summed by
    group and by (parent) unit: three queries, whatever the size of the class."""
    now = now or timezone.now()
    ended = dict(
        Activity.objects.filter(program=program, ends_at__lte=now).values_list("pk", "group_id")
    )
    enrollments = list(
        Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE)
        .select_related("trainee__unit__parent", "group")
        .order_by("group__number", "trainee__police_id")
    )
    records = defaultdict(list)
    for enrollment_id, activity_id, status, minutes in Attendance.objects.filter(
        activity__program=program, activity__ends_at__lte=now
    ).values_list("enrollment_id", "activity_id", "status", "minutes_late"):
        records[enrollment_id].append((activity_id, status, minutes))
    trainees, groups, units = [], {}, {}
    total = DisciplineLine(labels=[])
    for enrollment in enrollments:
        trainee = enrollment.trainee
        unit = trainee.unit.parent or trainee.unit
        line = DisciplineLine(
            labels=[
                trainee.police_id,
                trainee.name,
                trainee.unit.name,
                str(enrollment.group or ""),
            ],
            enrollment_id=enrollment.pk,
        )
        mine = {pk for pk, group in ended.items() if group in (None, enrollment.group_id)}
        line.expected = len(mine)
        for activity_id, status, minutes in records[enrollment.pk]:
            if activity_id in mine:  # a record of another group's activity does not count
                setattr(line, status, getattr(line, status) + 1)
                line.minutes_late += minutes
        trainees.append(line)
        group_key = str(enrollment.group or "—")
        groups.setdefault(group_key, DisciplineLine(labels=[group_key])).add(line)
        units.setdefault(unit.name, DisciplineLine(labels=[unit.name])).add(line)
        total.add(line)
    return Discipline(
        trainees=trainees,
        groups=list(groups.values()),
        units=sorted(units.values(), key=lambda line: line.labels[0]),
        total=total,
    )


# The reasons sessions.attendance gives a change of an attendance record.
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
