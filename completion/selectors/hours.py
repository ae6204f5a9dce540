"""Study hours (学时) per trainee of a program: completion.hours says what one attended
activity earns; this reads a program's activities and roll call and sums them."""

from collections import defaultdict
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from completion.hours import as_hours, attended_minutes
from completion.models import Completion, ProgramClosing
from completion.rules import closing_of, with_defaults
from sessions.models import Activity, Attendance
from trainees.figures import Figure
from trainees.models import Enrollment
from trainees.rows import Columns, Fields, cache_per_process, fetch, moment, table

RECORD_FIELDS = (
    (Attendance, "a", "enrollment"),
    (Enrollment, "e", "group"),
    (Attendance, "a", "status"),
    (Attendance, "a", "minutes_late"),
    (Attendance, "a", "left_at"),
    (Activity, "act", "group"),
    (Activity, "act", "starts_at"),
    (Activity, "act", "ends_at"),
)


def records_from():
    """The FROM and WHERE of the records that count, with {ids} and {statuses} to fill with
    as many placeholders: the roll-call records of these enrollments of the program (%s),
    attended, of the program's (%s) activities that have ended (%s)."""
    return (
        f" FROM {table(Attendance)} a"
        f" JOIN {table(Enrollment)} e ON e.id = a.enrollment_id"
        f" JOIN {table(Activity)} act ON act.id = a.activity_id"
        " WHERE a.enrollment_id IN ({ids}) AND e.program_id = %s"
        " AND a.status IN ({statuses}) AND act.program_id = %s AND act.ends_at <= %s"
    )


@cache_per_process
def records_query():
    """attended_hours' SQL (trainees.rows: it is on every trainee's day), with {ids},
    {statuses} and {kinds} to fill with as many placeholders: the roll-call records that
    count, of these enrollments of the program, of the program's activities of these kinds
    that have ended."""
    fields = Fields(*RECORD_FIELDS)
    return f"SELECT {fields.sql()}{records_from()} AND act.kind IN ({{kinds}})", fields


@cache_per_process
def rules_and_records_query():
    """program_hours' SQL for some trainees (each trainee's day asks it for theirs): the
    program's ProgramClosing and those trainees' records that count, of every kind (which
    kinds count is the closing's, read by the same query), in one query: a UNION ALL of the
    closing's row and the records' rows, each with NULLs in the other's columns. No record
    once the program is closed (its hours are then its Completions')."""
    rules = Columns(ProgramClosing, "c")
    records = Fields(*RECORD_FIELDS, (Activity, "act", "kind"))
    closing = table(ProgramClosing)
    sql = (
        f"SELECT {rules.sql()}, {', '.join(['NULL'] * len(records))}"
        f" FROM {closing} c WHERE c.program_id = %s"
        f" UNION ALL SELECT {', '.join(['NULL'] * len(rules))}, {records.sql()}{records_from()}"
        f" AND NOT EXISTS (SELECT 1 FROM {closing} closed"
        " WHERE closed.program_id = %s AND closed.closed_at IS NOT NULL)"
    )
    return sql, rules, records


def rules_and_records(program, enrollment_ids, now):
    """(closing_of(program), the records rows of attended_hours with each activity's kind
    last) of these enrollments, in one query (rules_and_records_query)."""
    sql, rules, records = rules_and_records_query()
    sql = sql.format(
        ids=", ".join(["%s"] * len(enrollment_ids)),
        statuses=", ".join(["%s"] * len(Attendance.ATTENDED)),
    )
    params = [program.pk, *enrollment_ids, program.pk, *Attendance.ATTENDED, program.pk]
    params += [moment(now), program.pk]
    closing, found, width = None, [], len(rules)
    for row in fetch(sql, params):
        if row[0] is not None:
            closing = rules.instance(row[:width])
        else:
            found.append(records.convert(row[width:]))
    return with_defaults(program, closing), found


def attended_hours(program, *, closing=None, enrollment_ids=None, now=None, records=None):
    """{enrollment id: study hours} from the roll call as it stands: every active trainee of
    `program` (or each of `enrollment_ids`, whatever their status; they are the program's),
    over the activities of a counted kind that have ended and were theirs (the whole class's
    and their group's; a record of another group's activity does not count, as in the
    discipline record). The minutes are summed over the activities, then made hours once
    (completion.hours). Whatever the size of the class, one query for the records joined to
    their activities and trainees, one more for the active trainees without
    `enrollment_ids`, and one for the rules without `closing`. With `records` (of
    rules_and_records: these enrollments' records of every kind, read with the rules),
    none."""
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
    kinds = list(closing.counted_kinds)
    if records is not None:
        rows = [row[:-1] for row in records if row[-1] in kinds]
    elif ids:
        sql, fields = records_query()
        sql = sql.format(
            ids=", ".join(["%s"] * len(ids)),
            statuses=", ".join(["%s"] * len(Attendance.ATTENDED)),
            kinds=", ".join(["%s"] * len(kinds)),
        )
        params = [*ids, program.pk, *Attendance.ATTENDED, program.pk, moment(now), *kinds]
        rows = fields.rows(fetch(sql, params))
    else:
        rows = []
    for enrollment_id, group, status, late, left_at, activity_group, starts, ends in rows:
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
    Three queries at most, whatever the size of the class; for `enrollment_ids`, one until
    the close (rules_and_records), two after."""
    now = now or timezone.now()
    records = None
    if enrollment_ids is not None:
        enrollment_ids = list(enrollment_ids)
    if enrollment_ids:
        closing, records = rules_and_records(program, enrollment_ids, now)
    else:
        closing = closing_of(program)
    if closing.closed_at is None:
        return attended_hours(
            program, closing=closing, enrollment_ids=enrollment_ids, now=now, records=records
        )
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
