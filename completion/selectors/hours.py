"""Study hours (学时) per trainee of a program: completion.hours says what one attended
activity earns; this reads a program's activities and roll call and sums them."""

from collections import defaultdict
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from completion.hours import as_hours, attended_minutes
from completion.models import Completion
from completion.rules import closing_of
from sessions.models import Activity, Attendance
from trainees.figures import Figure
from trainees.models import Enrollment
from trainees.rows import Fields, cache_per_process, fetch, moment, table


@cache_per_process
def records_query():
    """attended_hours' SQL (trainees.rows: it is on every trainee's day), with {ids},
    {statuses} and {kinds} to fill with as many placeholders: the roll-call records that
    count, of these enrollments of the program, of the program's activities of these kinds
    that have ended."""
    fields = Fields(
        (Attendance, "a", "enrollment"),
        (Enrollment, "e", "group"),
        (Attendance, "a", "status"),
        (Attendance, "a", "minutes_late"),
        (Attendance, "a", "left_at"),
        (Activity, "act", "group"),
        (Activity, "act", "starts_at"),
        (Activity, "act", "ends_at"),
    )
    sql = (
        f"SELECT {fields.sql()} FROM {table(Attendance)} a"
        f" JOIN {table(Enrollment)} e ON e.id = a.enrollment_id"
        f" JOIN {table(Activity)} act ON act.id = a.activity_id"
        " WHERE a.enrollment_id IN ({ids}) AND e.program_id = %s"
        " AND a.status IN ({statuses}) AND act.program_id = %s"
        " AND act.kind IN ({kinds}) AND act.ends_at <= %s"
    )
    return sql, fields


def attended_hours(program, *, closing=None, enrollment_ids=None, now=None):
    """{enrollment id: study hours} from the roll call as it stands: every active trainee of
    `program` (or each of `enrollment_ids`, whatever their status; they are the program's),
    over the activities of a counted kind that have ended and were theirs (the whole class's
    and their group's; a record of another group's activity does not count, as in the
    discipline record). The minutes are summed over the activities, then made hours once
    (completion.hours). Whatever the size of the class, one query for the records joined to
    their activities and trainees, one more for the active trainees without
    `enrollment_ids`, and one for the rules without `closing`."""
    closing = closing or closing_of(program)
    now = now or timezone.now()
    if enrollment_ids is None:
        ids = list(
            Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE).values_list(
                "pk", flat=True
            )
        )
    else:
        ids = list(enrollment_ids)
    minutes = defaultdict(int)
    if ids:
        sql, fields = records_query()
        kinds = list(closing.counted_kinds)
        sql = sql.format(
            ids=", ".join(["%s"] * len(ids)),
            statuses=", ".join(["%s"] * len(Attendance.ATTENDED)),
            kinds=", ".join(["%s"] * len(kinds)),
        )
        params = [*ids, program.pk, *Attendance.ATTENDED, program.pk, *kinds, moment(now)]
        for (
            enrollment_id,
            group,
            status,
            late,
            left_at,
            activity_group,
            starts,
            ends,
        ) in fields.rows(fetch(sql, params)):
            if activity_group in (None, group):
                minutes[enrollment_id] += attended_minutes(
                    SimpleNamespace(starts_at=starts, ends_at=ends),
                    SimpleNamespace(status=status, minutes_late=late, left_at=left_at),
                )
    return {pk: as_hours(minutes[pk], closing.hour_minutes) for pk in ids}


def program_hours(program, *, enrollment_ids=None, now=None):
    """{enrollment id: study hours} of `program`'s active trainees (or of `enrollment_ids`):
    what the roster, the score report and the trainee's pages show. Once the program is
    closed, the hours frozen in each trainee's Completion (what the certificate prints); a
    trainee without one (withdrawn before the close) has none. Until then, attended_hours.
    Three queries at most, whatever the size of the class (two for `enrollment_ids`)."""
    closing = closing_of(program)
    if closing.closed_at is None:
        return attended_hours(program, closing=closing, enrollment_ids=enrollment_ids, now=now)
    completions = Completion.objects.filter(enrollment__program=program)
    if enrollment_ids is not None:
        completions = completions.filter(enrollment_id__in=list(enrollment_ids))
    return dict(completions.values_list("enrollment_id", "hours"))


# The roster's column and the trainee's day (trainees.figures; registered in apps.py).
hours_figure = Figure(
    key="hours",
    label=_("Study hours"),
    values=lambda program, enrollment_ids: program_hours(program, enrollment_ids=enrollment_ids),
)
