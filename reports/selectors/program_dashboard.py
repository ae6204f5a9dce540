"""The program dashboard: one program at a glance, for its organizers and leadership.

Its scores, pass rates and attendance come from reports.selectors.report.program_report, the
score report's selector: the dashboard and the report of the same program agree by
construction. It reads a fixed number of queries, whatever the number of trainees.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    Q,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Essay, Grade, Idea
from reports.selectors.report import program_report
from reports.selectors.tables import Table, chart, rate, summary_columns
from sessions.models import Activity, Attendance

BINS = [(low, low + 10) for low in range(0, 100, 10)]  # 0–9 … 90–100


@dataclass
class ProgramDashboard:
    report: object  # reports.selectors.report.ProgramReport
    kpis: list  # [(label, value, kind)]
    tables: list
    ideas: list
    gain_trainees: list  # the trainee id of each row of the "gains" table


def summary_rows(summaries):
    return [
        [
            s.name,
            s.trainees,
            s.entry,
            s.graduation,
            s.gain,
            s.pass_rate,
            s.attendance_rate,
            s.attendance.late,
            s.attendance.absent,
        ]
        for s in summaries
    ]


def attendance_by_day(program, rows, now):
    """[(day, expected, present, late, left early, absent, leave)] over the activities that
    have ended, for the trainees of `rows` (the report's, so the scope is the same): three
    queries."""
    members = defaultdict(int)  # group id → trainees in scope
    for row in rows:
        members[row.group.pk if row.group else None] += 1
    enrollment_ids = [row.enrollment.pk for row in rows]
    ended = Activity.objects.filter(program=program, ends_at__lte=now)
    expected = defaultdict(int)
    for day, group_id, count in (
        ended.annotate(day=TruncDate("starts_at"))
        .values("day", "group_id")
        .annotate(count=Count("pk"))
        .values_list("day", "group_id", "count")
    ):
        expected[day] += count * (len(rows) if group_id is None else members[group_id])
    counts = defaultdict(lambda: defaultdict(int))
    for day, status, count in (
        Attendance.objects.filter(
            Q(activity__group__isnull=True) | Q(activity__group=F("enrollment__group")),
            activity__in=ended,
            enrollment_id__in=enrollment_ids,
        )
        .annotate(day=TruncDate("activity__starts_at"))
        .values("day", "status")
        .annotate(count=Count("pk"))
        .values_list("day", "status", "count")
    ):
        counts[day][status] += count
    return [
        [
            day,
            expected[day],
            counts[day]["present"],
            counts[day]["late"],
            counts[day]["left_early"],
            counts[day]["absent"],
            counts[day]["leave"],
            rate(sum(counts[day][s] for s in Attendance.ATTENDED), expected[day]),
        ]
        for day in sorted(expected)
    ]


def essay_figures(rows):
    """(states, grades): [(label, count)] of the trainees of `rows`: one query."""
    enrollment_ids = [row.enrollment.pk for row in rows]
    states, grades = defaultdict(int), defaultdict(int)
    for status, grade, count in (
        Essay.objects.filter(enrollment_id__in=enrollment_ids)
        .values("status", "grade")
        .annotate(count=Count("pk"))
        .values_list("status", "grade", "count")
    ):
        key = "reviewed" if grade and status == Essay.Status.SUBMITTED else status
        states[key] += count
        if grade:
            grades[grade] += count
    started = sum(states.values())
    state_rows = [
        [_("Not started"), len(rows) - started],
        [_("Draft"), states[Essay.Status.DRAFT]],
        [_("Returned for revision"), states[Essay.Status.RETURNED]],
        [_("Handed in, to review"), states[Essay.Status.SUBMITTED]],
        [_("Reviewed"), states["reviewed"]],
    ]
    grade_rows = [[str(label), grades[value]] for value, label in Grade.choices]
    return state_rows, grade_rows


def program_dashboard(program, *, scope_unit=None, now=None):
    """The dashboard of `program`, cut to `scope_unit`'s subtree if given."""
    now = now or timezone.now()
    report = program_report(program, scope_unit=scope_unit, now=now)
    rows, overall = report.rows, report.overall
    tables = []

    def distribution(score):
        counts = [0] * len(BINS)
        for row in rows:
            value = score(row)
            if value is not None:
                counts[min(int(value // 10), len(BINS) - 1)] += 1
        return counts

    entry, graduation = distribution(lambda r: r.entry), distribution(lambda r: r.graduation)
    labels = [f"{low}–{high - 1}" if high < 100 else f"{low}–100" for low, high in BINS]
    tables.append(
        Table(
            "distribution",
            _("Entry and graduation scores"),
            [(_("Score"), "text"), (_("Entry"), "count"), (_("Graduation"), "count")],
            [[label, e, g] for label, e, g in zip(labels, entry, graduation, strict=True)],
            chart(
                "bar",
                labels,
                (_("Entry"), entry),
                (_("Graduation"), graduation),
                overlay=True,
                yName=_("Trainees"),
            ),
        )
    )
    gains = sorted(
        (row for row in rows if row.gain is not None), key=lambda r: (-r.gain, r.police_id)
    )
    tables.append(
        Table(
            "gains",
            _("Gain per trainee"),
            [
                (_("Full name"), "text"),
                (_("Unit"), "text"),
                (_("Entry"), "score"),
                (_("Graduation"), "score"),
                (_("Gain"), "score"),
            ],
            [[r.name, r.unit, r.entry, r.graduation, r.gain] for r in gains],
            chart("bar", [r.name for r in gains], (_("Gain"), [r.gain for r in gains])),
            note=_("Trainees with both scores, largest gain first."),
        )
    )
    for key, title, label, summaries in (
        ("groups", _("By group"), _("Group"), report.groups),
        ("units", _("By unit"), _("Branch"), report.units),
    ):
        tables.append(
            Table(
                key,
                title,
                summary_columns(label),
                summary_rows(summaries),
                chart(
                    "bar",
                    [s.name for s in summaries],
                    (_("Mean gain"), [s.gain for s in summaries]),
                    (_("Pass rate"), [s.pass_rate for s in summaries]),
                    dual=True,  # points on the left, percent on the right
                ),
            )
        )
    days = attendance_by_day(program, rows, now)
    tables.append(
        Table(
            "days",
            _("Attendance by day"),
            [
                (_("Day"), "date"),
                (_("Expected"), "count"),
                (_("Present"), "count"),
                (_("Late"), "count"),
                (_("Left early"), "count"),
                (_("Absent"), "count"),
                (_("On leave"), "count"),
                (_("Attendance rate"), "rate"),
            ],
            days,
            chart(
                "bar",
                [d[0].strftime("%m-%d") for d in days],
                (_("Present"), [d[2] for d in days]),
                (_("Late"), [d[3] for d in days]),
                (_("Left early"), [d[4] for d in days]),
                (_("Absent"), [d[5] for d in days]),
                (_("On leave"), [d[6] for d in days]),
                stack=True,
            ),
            note=_("Activities that have ended; a trainee's group activities count for them only."),
        )
    )
    states, grades = essay_figures(rows)
    tables.append(
        Table(
            "essays",
            _("Reflection essays"),
            [(_("State"), "text"), (_("Trainees"), "count")],
            states,
            chart("bar", [s[0] for s in states], (_("Trainees"), [s[1] for s in states])),
        )
    )
    tables.append(
        Table(
            "grades",
            _("Essay grades"),
            [(_("Grade"), "text"), (_("Essays"), "count")],
            grades,
            chart("bar", [g[0] for g in grades], (_("Essays"), [g[1] for g in grades])),
        )
    )
    handed_in = sum(count for label, count in states[3:])
    kpis = [
        (_("Trainees"), overall.trainees, "count"),
        (_("Mean entry → graduation"), (overall.entry, overall.graduation), "pair"),
        (_("Mean gain"), overall.gain, "score"),
        (_("Pass rate"), overall.pass_rate, "rate"),
        (_("Attendance rate"), overall.attendance_rate, "rate"),
        (_("Essays handed in"), (handed_in, overall.trainees), "fraction"),
    ]
    scope = {row.enrollment.pk for row in rows}
    ideas = [
        idea
        for idea in Idea.objects.filter(record__activity__program=program, starred=True)
        .select_related("record__group", "author__trainee")
        .order_by("record__group__number", "pk")
        if scope_unit is None or idea.author_id in scope
    ]
    return ProgramDashboard(
        report=report,
        kpis=kpis,
        tables=tables,
        ideas=ideas,
        gain_trainees=[row.trainee.pk for row in gains],
    )
