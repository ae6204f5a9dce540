"""Reads of the timetable (the organizer's week, the trainee's day and program), each in a fixed
number of queries whatever the size of the class. Trainees see a program's timetable only once
it is published (`timetable_published`), each activity with their own state on it
(`with_my_state`, `my_badges`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, F, FilteredRelation, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.models import Activity, ActivityChange, Attendance, LeaveRequest, Speaker
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


def timetable_published(program):
    """Trainees (and calendar feeds) see a program's timetable only once the organizer has
    published it; until then the organizers draft it unseen."""
    return program.timetable_published_at is not None


def with_my_state(activities, enrollment):
    """The activities with this trainee's roll-call record and the leave that covers each
    (approved before pending), read in the same query: my_status, my_minutes_late,
    my_checked_in_at, my_leave (a LeaveRequest status or None)."""
    leave = (
        LeaveRequest.objects.filter(
            enrollment=enrollment,
            status__in=[LeaveRequest.Status.APPROVED, LeaveRequest.Status.PENDING],
            starts_at__lt=OuterRef("ends_at"),
            ends_at__gt=OuterRef("starts_at"),
        )
        .order_by(
            Case(When(status=LeaveRequest.Status.APPROVED, then=Value(0)), default=Value(1)),
            "-created_at",
        )
        .values("status")[:1]
    )
    # (activity, enrollment) is unique: the join adds at most one row to each activity.
    return activities.annotate(
        mine=FilteredRelation("attendances", condition=Q(attendances__enrollment=enrollment)),
        my_status=F("mine__status"),
        my_minutes_late=F("mine__minutes_late"),
        my_checked_in_at=F("mine__checked_in_at"),
        my_leave=Subquery(leave),
    )


@dataclass(frozen=True)
class Badge:
    """A state shown on a trainee's activity card: `state` names it for CSS and tests."""

    state: str
    label: str
    tone: str  # a Bootstrap colour: success, warning, danger, info, secondary


def my_badges(activity):
    """What the card says of the trainee, from `with_my_state`: 已签到 08:27, 迟到 N 分钟,
    早退, 请假（已批准/待审批）, 缺勤 (a record made by the sheet or by closing roll call).
    Leave asked for an activity the trainee missed is shown beside 缺勤."""
    Status = Attendance.Status
    status = activity.my_status
    badges = []
    if status == Status.PRESENT:
        if activity.my_checked_in_at:
            time = timezone.localtime(activity.my_checked_in_at).strftime("%H:%M")
            badges.append(Badge("checked-in", _("Checked in %(time)s") % {"time": time}, "success"))
        else:
            badges.append(Badge("present", _("Present"), "success"))
    elif status == Status.LATE:
        minutes = activity.my_minutes_late
        label = _("Late %(minutes)s min") % {"minutes": minutes} if minutes else _("Late")
        badges.append(Badge("late", label, "warning"))
    elif status == Status.LEFT_EARLY:
        badges.append(Badge("left-early", _("Left early"), "warning"))
    elif status == Status.LEAVE:
        badges.append(Badge("leave-approved", _("On leave (approved)"), "info"))
    elif status == Status.ABSENT:
        badges.append(Badge("absent", _("Absent"), "danger"))
    if status in (None, Status.ABSENT):
        if activity.my_leave == LeaveRequest.Status.APPROVED:
            badges.append(Badge("leave-approved", _("On leave (approved)"), "info"))
        elif activity.my_leave == LeaveRequest.Status.PENDING:
            badges.append(Badge("leave-pending", _("On leave (awaiting approval)"), "secondary"))
    return badges


def with_badges(activities):
    """The activities of `with_my_state` as a list, each with its .badges; no more queries."""
    activities = list(activities)
    for activity in activities:
        activity.badges = my_badges(activity)
    return activities


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


def day_bounds(day):
    """Aware datetimes of the start of `day` and of the next day, in Beijing time."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)
