"""Reads of the timetable (the organizer's week, the trainee's day and program), each in a fixed
number of queries whatever the size of the class. Trainees see a program's timetable only once
it is published (`timetable_published`), each activity with their own state on it
(`with_my_state`, `my_badges`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, FilteredRelation, OuterRef, Prefetch, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions.models import (
    Activity,
    ActivityChange,
    Attendance,
    CalendarFeed,
    LeaveRequest,
    Speaker,
    TimetableVersion,
)
from sessions.versions import version_of
from trainees.models import Enrollment, Group, Program, Trainee, Unit
from trainees.pages import Pages
from trainees.rows import Columns, Fields, cache_per_process, fetch, instances, moment, table

GRID_START_HOUR = 6  # the week view draws 06:00–23:00, widened to the routine and activities
GRID_END_HOUR = 23
SLOT_MINUTES = 15  # one grid row
MAX_LANES = 12  # the day grid has 60 columns; up to 12 blocks side by side


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


# A group's timetable is cached under its program's timetable version, which every change
# raises (sessions.versions): an entry is never stale, only unread, and expires by itself.
GROUP_TIMETABLE_SECONDS = 24 * 60 * 60
CACHE_FORMAT = 2  # raised when what an entry holds changes (2: the rendered card parts)
CHANGES_KEPT = 10
KEPT = Pages(128)  # the latest group timetables read by this process, by the same key


# The parts of an activity's card (timetable/includes/activity_item.html) that the whole group
# sees alike, rendered when the group's timetable is cached, in each language: the card's
# head (times, kind, title) and details (venue, group, speakers).
CARD_PARTS = {
    "card_head": "timetable/includes/activity_card_head.html",
    "card_details": "timetable/includes/activity_card_details.html",
}


@dataclass
class GroupTimetable:
    """What every trainee of a group sees alike: the activities they attend (with venue,
    group and speakers) and the latest changes that concern them, and each activity's
    card parts: {activity id: {language: {part: html}}}."""

    activities: list
    changes: list
    cards: dict = field(default_factory=dict)

    def cards_in(self, language):
        """Put the card parts of `language` on the activities (none if it has none: the
        card renders them itself then)."""
        for activity in self.activities:
            for part, html in self.cards.get(activity.pk, {}).get(language, {}).items():
                setattr(activity, part, html)
        return self


def rendered_cards(activities):
    """{activity id: {language: {part: html}}} of CARD_PARTS, for every language."""
    cards = defaultdict(dict)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for activity in activities:
                cards[activity.pk][language] = {
                    part: render_to_string(template, {"activity": activity})
                    for part, template in CARD_PARTS.items()
                }
    return dict(cards)


def group_timetable(program, group_id):
    """The GroupTimetable of a group of `program` (None: a trainee in no group), from the
    cache when this version of the timetable has been read before: no query then, else
    four (the version too, unless the program was read with select_related
    ("timetable_version")). The activities are new objects at each call, with the card
    parts of the current language: a page may set the trainee's own state on them
    (with_records)."""
    key = f"timetable:group:{CACHE_FORMAT}:{program.pk}:{version_of(program)}:{group_id or 0}"
    found = KEPT.get(key)  # this process's, before the shared cache's
    if found is None:
        found = cache.get(key)
    if found is None:
        audience = Q(group__isnull=True) | Q(group_id=group_id) if group_id else Q(group=None)
        changes = ActivityChange.objects.filter(audience, program_id=program.pk)
        activities = list(activities_of(program).filter(audience))
        found = GroupTimetable(
            activities=activities,
            changes=list(changes.order_by("-created_at")[:CHANGES_KEPT]),
            cards=rendered_cards(activities),
        )
        cache.set(key, found, GROUP_TIMETABLE_SECONDS)
    KEPT.put(key, found)
    # Copies of the activities: the page puts the trainee's own state on them.
    return GroupTimetable(
        activities=[fresh(activity) for activity in found.activities],
        changes=found.changes,
        cards=found.cards,
    ).cards_in(translation.get_language())


def fresh(activity):
    """A copy of a cached activity, for one page to put the trainee's state on: its own
    attributes, the same related objects (read only)."""
    copied = Activity.__new__(Activity)
    copied.__dict__.update(activity.__dict__)
    return copied


def with_records(activities, enrollment):
    """`activities` (a list of one program's, e.g. of group_timetable) with the trainee's
    own state, as with_my_state and with_badges give it: my_status, my_minutes_late,
    my_checked_in_at, my_leave and .badges. One query (none without activities): their
    roll-call records and their leave over the span of the activities (my_state); none when
    the enrollment was read with them (its .state_read: my_enrollment, current_enrollments
    with `state`)."""
    if not activities:
        return activities
    read = getattr(enrollment, "state_read", None)  # with the enrollment: a superset
    records, leaves = read or my_state(
        enrollment,
        [a.pk for a in activities],
        max(a.ends_at for a in activities),
        min(a.starts_at for a in activities),
    )
    Status = LeaveRequest.Status
    leaves = sorted(
        (leave for leave in leaves if leave[0] in (Status.APPROVED, Status.PENDING)),
        # As with_my_state: approved before pending, the latest first.
        key=lambda leave: (leave[0] != Status.APPROVED, -leave[3].timestamp()),
    )
    for activity in activities:
        state = records.get(activity.pk, (None, None, None))
        activity.my_status, activity.my_minutes_late, activity.my_checked_in_at = state
        activity.my_leave = next(
            (
                status
                for status, starts_at, ends_at, _created in leaves
                if starts_at < activity.ends_at and ends_at > activity.starts_at
            ),
            None,
        )
        activity.badges = my_badges(activity)
    return activities


@cache_per_process
def my_state_query():
    """my_state's SQL (trainees.rows: on every page of a trainee's day), with {ids} to fill
    with as many placeholders: the roll-call records of these activities, then the leave
    requests over a span, in one result."""
    fields = Fields(
        (Attendance, "a", "activity"),
        (Attendance, "a", "status"),
        (Attendance, "a", "minutes_late"),
        (Attendance, "a", "checked_in_at"),
        (LeaveRequest, "l", "starts_at"),
        (LeaveRequest, "l", "ends_at"),
        (LeaveRequest, "l", "created_at"),
    )
    quote = connection.ops.quote_name

    def column(alias, model, name):
        return f"{alias}.{quote(model._meta.get_field(name).column)}"

    record = [column("a", Attendance, n) for n in ("activity", "status", "minutes_late")]
    record.append(column("a", Attendance, "checked_in_at"))
    leave = [column("l", LeaveRequest, n) for n in ("starts_at", "ends_at", "created_at")]
    sql = (
        f"SELECT {', '.join(record)}, NULL, NULL, NULL FROM {table(Attendance)} a"
        " WHERE a.enrollment_id = %s AND a.activity_id IN ({ids})"
        f" UNION ALL SELECT NULL, {column('l', LeaveRequest, 'status')}, NULL, NULL,"
        f" {', '.join(leave)} FROM {table(LeaveRequest)} l"
        " WHERE l.enrollment_id = %s AND l.starts_at < %s AND l.ends_at > %s"
    )
    return sql, fields


def my_state(enrollment, activity_ids, before, after):
    """({activity id: (status, minutes late, checked in at)} of the trainee's roll-call
    records of these activities, [(status, starts, ends, created)] of their leave requests,
    whatever their status, that start before `before` and end after `after`). One query."""
    sql, fields = my_state_query()
    ids = list(activity_ids)
    sql = sql.replace("{ids}", ", ".join(["%s"] * len(ids)))
    params = [enrollment.pk, *ids, enrollment.pk, moment(before), moment(after)]
    records, leaves = {}, []
    for activity_id, status, minutes, checked_in_at, starts, ends, created in fields.rows(
        fetch(sql, params)
    ):
        if activity_id is None:
            leaves.append((status, starts, ends, created))
        else:
            records[activity_id] = (status, minutes, checked_in_at)
    return records, leaves


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


def held_in_parallel_with(activity):
    """The other groups' activities held at the same time as this group's one, of the same
    kind (its parallel set, e.g. the evening's 分组讨论), with their group and venue."""
    if not activity.group_id:
        return []
    return list(
        Activity.objects.filter(
            program_id=activity.program_id,
            kind=activity.kind,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            group__isnull=False,
        )
        .exclude(pk=activity.pk)
        .select_related("group", "venue")
        .order_by("group__number")
    )


class ParallelSet:
    """Activities of one kind held by several groups at the same times (分组同时进行: the
    evening's eight discussions, each in its room). The week shows them as one block."""

    is_parallel = True

    def __init__(self, activities):
        self.activities = activities
        first = activities[0]
        self.pk, self.kind, self.starts_at, self.ends_at = (
            first.pk,
            first.kind,
            first.starts_at,
            first.ends_at,
        )
        titles = {activity.title for activity in activities}
        # One title for all ("分组讨论"), else what they are ("Group discussion"): each row
        # then says its own title.
        self.title = first.title if len(titles) == 1 else first.get_kind_display()
        self.titles_differ = len(titles) > 1

    def __len__(self):
        return len(self.activities)

    def get_kind_display(self):
        return self.activities[0].get_kind_display()


def in_parallel_sets(activities):
    """A day's activities, those held by several groups at once gathered into one ParallelSet
    each (same kind, start and end, each for a group), in time order."""
    by_key = defaultdict(list)
    for activity in activities:
        if activity.group_id:
            by_key[(activity.kind, activity.starts_at, activity.ends_at)].append(activity)
    items, placed = [], set()
    for activity in activities:
        key = (activity.kind, activity.starts_at, activity.ends_at)
        if not activity.group_id or len(by_key[key]) == 1:
            items.append(activity)
        elif key not in placed:
            placed.add(key)
            items.append(ParallelSet(sorted(by_key[key], key=lambda a: a.group.number)))
    return items


def ceil_hour(moment, day):
    """The hour at or after `moment` on the grid of `day` (24 once past midnight)."""
    local = timezone.localtime(moment)
    if local.date() > day:
        return 24
    return local.hour + (1 if local.minute or local.second else 0)


@dataclass
class Grid:
    """The hours the week view draws: 06:00 to 23:00, widened to the daily routine and to
    every activity, so that a 05:30 drill is drawn at 05:30, not squashed at the top.

    Row 1 is the day's heading; row 2 starts at `first_hour`, one row per 15 minutes; the
    last line is at `last_hour`:00.
    """

    first_hour: int
    last_hour: int
    wake: time | None = None
    sleep: time | None = None

    @classmethod
    def of(cls, program, days):
        wake, sleep = program.routine_bounds()
        first, last = GRID_START_HOUR, GRID_END_HOUR
        if wake:
            first = min(first, wake.hour)
        if sleep:
            last = max(last, sleep.hour + (1 if sleep.minute else 0))
        for day, activities in days:
            for activity in activities:
                first = min(first, timezone.localtime(activity.starts_at).hour)
                last = max(last, ceil_hour(activity.ends_at, day))
        return cls(first, last, wake, sleep)

    @property
    def hours(self):
        return self.last_hour - self.first_hour

    @property
    def last_line(self):
        return 2 + self.hours * 60 // SLOT_MINUTES

    @property
    def middle_line(self):
        """A parallel set's list opens upwards below this line: the week scrolls sideways on a
        phone, so what overflows its bottom would be cut off."""
        return (2 + self.last_line) // 2

    def line(self, moment, day):
        """The grid line of a moment of `day` (clamped to the grid: past midnight is its end)."""
        local = timezone.localtime(moment)
        if local.date() > day:
            return self.last_line
        minutes = (local.hour - self.first_hour) * 60 + local.minute
        return max(2, min(self.last_line, 2 + minutes // SLOT_MINUTES))

    def clock_line(self, clock):
        return 2 + ((clock.hour - self.first_hour) * 60 + clock.minute) // SLOT_MINUTES

    def labels(self):
        """The hour labels, with their rows."""
        per_hour = 60 // SLOT_MINUTES
        return [
            (f"{hour:02d}:00", 2 + (hour - self.first_hour) * per_hour)
            for hour in range(self.first_hour, self.last_hour)
        ]

    def off_routine(self):
        """The (first, last) lines of the shaded spans before wake-up and after lights-out."""
        spans = []
        if self.wake and self.clock_line(self.wake) > 2:
            spans.append((2, self.clock_line(self.wake)))
        # A lights-out after midnight ("00:30 就寝") shades nothing: the day ends at 24:00.
        after_wake = self.wake is None or self.sleep > self.wake
        if self.sleep and after_wake and self.clock_line(self.sleep) < self.last_line:
            spans.append((self.clock_line(self.sleep), self.last_line))
        return spans


def lay_out(items, grid, day):
    """Place a day's blocks (activities and parallel sets) on the grid: rows by time, and side
    by side when they overlap. Sets .row_start, .row_end, .lane, .lanes."""
    clusters, current, cluster_end = [], [], None
    for item in sorted(items, key=lambda a: (a.starts_at, a.ends_at)):
        if current and item.starts_at >= cluster_end:
            clusters.append(current)
            current = []
        if not current:
            cluster_end = item.ends_at
        current.append(item)
        cluster_end = max(cluster_end, item.ends_at)
    if current:
        clusters.append(current)
    for cluster in clusters:
        lane_ends = []
        for item in cluster:
            lane = next((i for i, end in enumerate(lane_ends) if end <= item.starts_at), None)
            if lane is None:
                lane_ends.append(item.ends_at)
                lane = len(lane_ends) - 1
            else:
                lane_ends[lane] = item.ends_at
            item.lane = min(lane + 1, MAX_LANES)
        for item in cluster:
            item.lanes = min(len(lane_ends), MAX_LANES)
            # Every block spans at least one row (a 10-minute drill is still readable).
            item.row_start = min(grid.line(item.starts_at, day), grid.last_line - 1)
            item.row_end = max(item.row_start + 1, grid.line(item.ends_at, day))
    return items


@dataclass
class Week:
    """The organizer's week: [(day, blocks)] laid out on `grid`."""

    days: list
    grid: Grid


def week(program):
    """The organizer's week: every day with its blocks (an activity, or a ParallelSet of the
    groups' activities held at once) laid out on a grid wide enough for all of them."""
    days = by_day(program, activities_of(program))
    grid = Grid.of(program, days)
    return Week(
        days=[(day, lay_out(in_parallel_sets(items), grid, day)) for day, items in days],
        grid=grid,
    )


@cache_per_process
def enrollments_query():
    """The SQL of current_enrollments (trainees.rows): each active enrollment of an account
    with its program, the program's timetable version, its group, the trainee and their
    unit, as select_related would read them."""
    parts = [
        Columns(Enrollment, "e"),
        Columns(Program, "p"),
        Columns(TimetableVersion, "v"),
        Columns(Group, "g"),
        Columns(Trainee, "t"),
        Columns(Unit, "u"),
    ]
    sql = (
        f"SELECT {', '.join(part.sql() for part in parts)}"
        f" FROM {table(Enrollment)} e"
        f" JOIN {table(Trainee)} t ON t.id = e.trainee_id"
        f" JOIN {table(Program)} p ON p.id = e.program_id"
        f" LEFT JOIN {table(TimetableVersion)} v ON v.program_id = p.id"
        f" LEFT JOIN {table(Group)} g ON g.id = e.group_id"
        f" LEFT JOIN {table(Unit)} u ON u.id = t.unit_id"
        " WHERE t.user_id = %s AND e.status = %s ORDER BY p.start_date, e.id"
    )
    return sql, parts


@cache_per_process
def my_enrollment_query():
    """enrollments_query for one program by its code, with the trainee's calendar feed."""
    sql, parts = enrollments_query()
    feed = Columns(CalendarFeed, "f")
    select, rest = sql.split(" FROM ", 1)
    joins, _where = rest.split(" WHERE ", 1)
    sql = (
        f"{select}, {feed.sql()} FROM {joins}"
        f" LEFT JOIN {table(CalendarFeed)} f ON f.enrollment_id = e.id"
        " WHERE t.user_id = %s AND e.status = %s AND p.code = %s"
    )
    return sql, [*parts, feed]


def state_join(bounded):
    """A LEFT JOIN of the trainee's state to enrollments_query's enrollments `e` (alias s):
    a row for each of their roll-call records and each of their leave requests, whatever its
    status, as my_state reads them (the 7 columns of my_state_query's Fields, after the
    enrollment's id), none when they have neither. `bounded`: the records of the activities
    that start in [%s, %s) and the leave that starts before %s and ends after %s (a day);
    else all of them. Each half only of the account's (%s) enrollments."""
    quote = connection.ops.quote_name

    def column(alias, model, name):
        return f"{alias}.{quote(model._meta.get_field(name).column)}"

    mine = (
        f"IN (SELECT mine.id FROM {table(Enrollment)} mine"
        f" JOIN {table(Trainee)} me ON me.id = mine.trainee_id WHERE me.user_id = %s)"
    )
    record = ", ".join(
        f"{column('a', Attendance, name)} AS s_{name}"
        for name in ("enrollment", "activity", "status", "minutes_late", "checked_in_at")
    )
    leave = ", ".join(column("l", LeaveRequest, n) for n in ("starts_at", "ends_at", "created_at"))
    records = f"SELECT {record}, NULL AS s_starts, NULL AS s_ends, NULL AS s_created"
    records += f" FROM {table(Attendance)} a"
    leaves = f"SELECT {column('l', LeaveRequest, 'enrollment')}, NULL,"
    leaves += f" {column('l', LeaveRequest, 'status')}, NULL, NULL, {leave}"
    leaves += f" FROM {table(LeaveRequest)} l"
    if bounded:
        records += f" JOIN {table(Activity)} act ON act.id = a.activity_id"
        records += " WHERE act.starts_at >= %s AND act.starts_at < %s AND"
        leaves += " WHERE l.starts_at < %s AND l.ends_at > %s AND"
    else:
        records += " WHERE"
        leaves += " WHERE"
    records += f" {column('a', Attendance, 'enrollment')} {mine}"
    leaves += f" {column('l', LeaveRequest, 'enrollment')} {mine}"
    columns = "s.s_activity, s.s_status, s.s_minutes_late, s.s_checked_in_at, s.s_starts"
    return (
        f"{columns}, s.s_ends, s.s_created",
        f" LEFT JOIN ({records} UNION ALL {leaves}) s ON s.s_enrollment = e.id",
    )


def with_state(sql, bounded):
    """enrollments_query's `sql` (or one like it) with the state joined (state_join)."""
    columns, join = state_join(bounded)
    select, rest = sql.split(" FROM ", 1)
    joins, where = rest.split(" WHERE ", 1)
    return f"{select}, {columns} FROM {joins}{join} WHERE {where}"


def state_params(user, day=None):
    """state_join's parameters: for the account, over `day` or over everything."""
    if day is None:
        return [user.pk, user.pk]
    start, end = day_bounds(day)
    return [moment(start), moment(end), user.pk, moment(end), moment(start), user.pk]


def state_of(rows):
    """my_state's answer from the state columns of these rows (the last 7)."""
    _sql, fields = my_state_query()
    records, leaves = {}, []
    for activity_id, status, minutes, checked_in_at, starts, ends, created in fields.rows(
        [row[-len(fields) :] for row in rows]
    ):
        if status is None:  # neither record nor leave: the LEFT JOIN's empty row
            continue
        if activity_id is None:
            leaves.append((status, starts, ends, created))
        else:
            records[activity_id] = (status, minutes, checked_in_at)
    return records, leaves


@cache_per_process
def my_enrollment_state_query():
    """my_enrollment_query with the trainee's whole state (every record and leave)."""
    sql, parts = my_enrollment_query()
    return with_state(sql, bounded=False), parts


def my_enrollment(user, code):
    """The trainee's active enrollment in the program of `code` (None: they have none), as
    current_enrollments reads it, with its .calendar_feed (which raises DoesNotExist when
    there is none yet, as the ORM's) and its .state_read (my_state's answer for all their
    records and leave: with_records then reads nothing). One query."""
    sql, parts = my_enrollment_state_query()
    rows = fetch(sql, [*state_params(user), user.pk, Enrollment.Status.ACTIVE, code])
    if not rows:
        return None
    width = sum(len(part) for part in parts)
    enrollment = enrollment_of(instances(parts[:-1], rows[0]))
    feed = parts[-1].instance(rows[0][width - len(parts[-1]) : width])
    # As select_related keeps it: none found is known too (no query to find it again).
    Enrollment._meta.get_field("calendar_feed").set_cached_value(enrollment, feed)
    enrollment.state_read = state_of(rows)
    return enrollment


def enrollment_of(made):
    """The enrollment of enrollments_query's instances, with the others put in place."""
    enrollment, program, version, group, trainee, unit = made
    program.timetable_version = version  # None: no version yet (version_of: 0)
    trainee.unit = unit
    enrollment.program, enrollment.group, enrollment.trainee = program, group, trainee
    return enrollment


@cache_per_process
def my_day_query():
    """enrollments_query with the trainee's state over a day."""
    sql, parts = enrollments_query()
    return with_state(sql, bounded=True), parts


def current_enrollments(user, today, *, state=False):
    """The trainee's enrollments in programs that run today; failing that, the next program,
    or else the last one. One query (enrollments_query), each enrollment with its program
    (and timetable version), group, trainee and unit; with `state`, also with its
    .state_read over `today` (my_state's answer for the records of today's activities and
    the leave over today: with_records then reads nothing)."""
    if state:
        sql, parts = my_day_query()
        rows = fetch(sql, [*state_params(user, today), user.pk, Enrollment.Status.ACTIVE])
    else:
        sql, parts = enrollments_query()
        rows = fetch(sql, [user.pk, Enrollment.Status.ACTIVE])
    by_id = {}
    for row in rows:  # with the state, a row per record or leave: the enrollment's repeated
        by_id.setdefault(row[0], []).append(row)
    enrollments = []
    for same in by_id.values():
        enrollment = enrollment_of(instances(parts, same[0]))
        if state:
            enrollment.state_read = state_of(same)
        enrollments.append(enrollment)
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
