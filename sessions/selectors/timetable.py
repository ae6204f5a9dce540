"""Reads of the timetable (the organizer's week, the trainee's day and program), each in a fixed
number of queries whatever the size of the class.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from sessions.models import Activity, ActivityChange, Speaker
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


def day_bounds(day):
    """Aware datetimes of the start of `day` and of the next day, in Beijing time."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)
