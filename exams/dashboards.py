"""Leadership dashboards: a program at a glance, and the bureau across programs and years.

Every figure is in a Table (its rows are what the page shows, what the chart draws and what
the .xlsx export writes), so a chart never shows a number its table does not.

- The program dashboard takes its scores, pass rates and attendance from
  exams.reports.program_report, the score report's selector: the dashboard and the report of
  the same program agree by construction.
- The bureau dashboard sums over many programs in SQL, with the same definitions (the latest
  entry and graduation exam of a program, final scores only, attendance over the activities
  that have ended and were the trainee's, the branch of exams.reports.unit_branches); a test
  checks that its figures of a program equal the score report's.

Both read a fixed number of queries, whatever the number of programs and trainees.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Essay, Grade, Idea
from exams.models import Attempt, Exam
from exams.reports import program_report, unit_branches
from sessions.models import Activity, Attendance
from trainees.models import Enrollment

ATTENDED = ("present", "late", "left_early")
BINS = [(low, low + 10) for low in range(0, 100, 10)]  # 0–9 … 90–100
SCORE = DecimalField(max_digits=7, decimal_places=1)


@dataclass
class Table:
    """A table of a dashboard, and the chart drawn from it."""

    key: str  # its id in the page, and ?export=<key>
    title: str
    columns: list  # [(heading, kind)], kind: text, date, count, score, rate
    rows: list  # [[value, …]]
    chart: dict | None = None  # {"type", "categories", "series": [{"name", "data"}], …}
    note: str = ""
    links: list = field(default_factory=list)  # a URL per row (drill-down), or empty

    @property
    def lines(self):
        """[(cells, link)]: each row's (value, kind) pairs and its drill-down URL or None."""
        kinds = [kind for _heading, kind in self.columns]
        links = self.links or [None] * len(self.rows)
        return [
            (list(zip(row, kinds, strict=True)), link)
            for row, link in zip(self.rows, links, strict=True)
        ]


def rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def mean(total, count):
    return round(Decimal(total) / count, 1) if count else None


def number(value):
    """A figure for the chart's JSON: Decimal → float, None stays None."""
    return float(value) if isinstance(value, Decimal) else value


def chart(kind, categories, *series, **options):
    """A chart spec for static/js/dashboard.js: `series` are (name, values)."""
    return {
        "type": kind,
        "categories": [str(c) for c in categories],
        "series": [
            {"name": str(name), "data": [number(v) for v in values]} for name, values in series
        ],
        **options,
    }


# A program ------------------------------------------------------------------------------------


@dataclass
class ProgramDashboard:
    report: object  # exams.reports.ProgramReport
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


def summary_columns(label):
    return [
        (label, "text"),
        (_("Trainees"), "count"),
        (_("Mean entry"), "score"),
        (_("Mean graduation"), "score"),
        (_("Mean gain"), "score"),
        (_("Pass rate"), "rate"),
        (_("Attendance rate"), "rate"),
        (_("Times late"), "count"),
        (_("Absences"), "count"),
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
            rate(sum(counts[day][s] for s in ATTENDED), expected[day]),
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


# The bureau -----------------------------------------------------------------------------------


@dataclass
class BureauDashboard:
    programs: list
    kpis: list
    tables: list


def latest_exams(programs):
    """{program id: {kind: Exam}}: the latest entry and graduation exam of each (one query),
    as program_scores chooses them."""
    chosen = defaultdict(dict)
    for exam in Exam.objects.filter(
        program__in=programs, kind__in=[Exam.Kind.ENTRY, Exam.Kind.GRADUATION]
    ).order_by("opens_at", "pk"):
        chosen[exam.program_id][exam.kind] = exam
    return chosen


def scoped(queryset, unit_ids, prefix):
    """`queryset` limited to the active enrollments whose trainee is in `unit_ids` (None: all)."""
    queryset = queryset.filter(**{f"{prefix}status": Enrollment.Status.ACTIVE})
    if unit_ids is not None:
        queryset = queryset.filter(**{f"{prefix}trainee__unit_id__in": unit_ids})
    return queryset


class Sums:
    """Running sums of one program or one branch."""

    def __init__(self):
        self.trainees = self.entry_n = self.grad_n = self.gain_n = self.passed = 0
        self.entry = self.grad = self.gain = Decimal(0)
        self.expected = self.attended = self.late = self.absent = 0

    def row(self, name):
        return [
            name,
            self.trainees,
            mean(self.entry, self.entry_n),
            mean(self.grad, self.grad_n),
            mean(self.gain, self.gain_n),
            rate(self.passed, self.grad_n),
            rate(self.attended, self.expected),
            self.late,
            self.absent,
        ]


def bureau_dashboard(programs, *, unit_ids=None, now=None, unit_link=None, trainee_link=None):
    """The dashboard of `programs` (a queryset), counting the trainees of `unit_ids` only
    (None: all). `unit_link(unit id)` and `trainee_link(trainee id)` give the drill-down
    URLs."""
    now = now or timezone.now()
    programs = list(programs.order_by("start_date", "code"))
    exams = latest_exams(programs)
    entry_ids = [e[Exam.Kind.ENTRY].pk for e in exams.values() if Exam.Kind.ENTRY in e]
    grad_ids = [e[Exam.Kind.GRADUATION].pk for e in exams.values() if Exam.Kind.GRADUATION in e]
    by_program = {program.pk: Sums() for program in programs}
    by_branch = defaultdict(Sums)
    # Every figure is summed in SQL by program and by the trainee's own unit (an integer
    # column: cheap to group by), then by branch here: a few thousand rows at most, however
    # many trainees there are.
    tree = unit_branches(None)
    names = dict(tree.values())

    def branch(unit_id):
        return tree[unit_id][0]

    enrollments = scoped(Enrollment.objects.filter(program__in=programs), unit_ids, "")
    members = defaultdict(int)  # (program, group, branch) → trainees
    for program_id, group_id, unit_id, count in (
        enrollments.values("program_id", "group_id", "trainee__unit_id")
        .annotate(count=Count("pk"))
        .values_list("program_id", "group_id", "trainee__unit_id", "count")
    ):
        branch_id = branch(unit_id)
        by_program[program_id].trainees += count
        by_branch[branch_id].trainees += count
        members[program_id, group_id, branch_id] += count

    graded = Q(status=Attempt.Status.GRADED, score__isnull=False)
    attempts = scoped(Attempt.objects.filter(graded), unit_ids, "enrollment__")
    exam_program = {
        exam_id: program_id
        for program_id, e in exams.items()
        for exam_id in (x.pk for x in e.values())
    }
    for exam_id, unit_id, count, total, passed in (
        attempts.filter(exam_id__in=entry_ids + grad_ids)
        .values("exam_id", "enrollment__trainee__unit_id")
        .annotate(
            count=Count("pk"),
            total=Sum("score"),
            passed=Count("pk", filter=Q(score__gte=F("exam__pass_mark"))),
        )
        .values_list("exam_id", "enrollment__trainee__unit_id", "count", "total", "passed")
    ):
        for sums in (by_program[exam_program[exam_id]], by_branch[branch(unit_id)]):
            if exam_id in grad_ids:
                sums.grad += total
                sums.grad_n += count
                sums.passed += passed
            else:
                sums.entry += total
                sums.entry_n += count
    # Gain: each graduation score joined to the same enrollment's entry score.
    for exam_id, unit_id, count, total in (
        attempts.filter(
            exam_id__in=grad_ids,
            enrollment__attempts__exam_id__in=entry_ids,
            enrollment__attempts__status=Attempt.Status.GRADED,
            enrollment__attempts__score__isnull=False,
        )
        .values("exam_id", "enrollment__trainee__unit_id")
        .annotate(
            count=Count("pk"),
            total=Sum(
                ExpressionWrapper(F("score") - F("enrollment__attempts__score"), output_field=SCORE)
            ),
        )
        .values_list("exam_id", "enrollment__trainee__unit_id", "count", "total")
    ):
        for sums in (by_program[exam_program[exam_id]], by_branch[branch(unit_id)]):
            sums.gain += total
            sums.gain_n += count

    # Attendance: expected = the trainees × the ended activities that were theirs.
    class_wide, of_group = defaultdict(int), defaultdict(int)
    for program_id, group_id, count in (
        Activity.objects.filter(program__in=programs, ends_at__lte=now)
        .values("program_id", "group_id")
        .annotate(count=Count("pk"))
        .values_list("program_id", "group_id", "count")
    ):
        if group_id is None:
            class_wide[program_id] = count
        else:
            of_group[group_id] = count
    for (program_id, group_id, branch_id), count in members.items():
        expected = count * (class_wide[program_id] + (of_group[group_id] if group_id else 0))
        by_program[program_id].expected += expected
        by_branch[branch_id].expected += expected
    for program_id, unit_id, attended, late, absent in (
        scoped(
            Attendance.objects.filter(
                Q(activity__group__isnull=True) | Q(activity__group=F("enrollment__group")),
                activity__program__in=programs,
                activity__ends_at__lte=now,
            ),
            unit_ids,
            "enrollment__",
        )
        .values("activity__program_id", "enrollment__trainee__unit_id")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            late=Count("pk", filter=Q(status="late")),
            absent=Count("pk", filter=Q(status="absent")),
        )
        .values_list(
            "activity__program_id", "enrollment__trainee__unit_id", "attended", "late", "absent"
        )
    ):
        for sums in (by_program[program_id], by_branch[branch(unit_id)]):
            sums.attended += attended
            sums.late += late
            sums.absent += absent

    overall = Sums()
    for sums in by_program.values():
        for attribute, value in vars(sums).items():
            setattr(overall, attribute, getattr(overall, attribute) + value)

    tables = []
    program_rows = [
        [
            program.code,
            program.title,
            program.start_date,
            program.get_kind_display(),
            *by_program[program.pk].row("")[1:],
        ]
        for program in programs
    ]
    tables.append(
        Table(
            "programs",
            _("Programs"),
            [
                (_("Code"), "text"),
                (_("Name"), "text"),
                (_("Start date"), "date"),
                (_("Kind"), "text"),
                *summary_columns("")[1:],
            ],
            program_rows,
            chart(
                "bar",
                [p.code for p in programs],
                (_("Mean entry"), [r[5] for r in program_rows]),
                (_("Mean graduation"), [r[6] for r in program_rows]),
                (_("Mean gain"), [r[7] for r in program_rows]),
            ),
        )
    )
    years = defaultdict(lambda: [0, 0])
    for program in programs:
        years[program.start_date.year][0] += 1
        years[program.start_date.year][1] += by_program[program.pk].trainees
    year_rows = [[year, held, trained] for year, (held, trained) in sorted(years.items())]
    tables.append(
        Table(
            "years",
            _("By year"),
            [(_("Year"), "text"), (_("Programs held"), "count"), (_("Trainees trained"), "count")],
            year_rows,
            chart(
                "bar",
                [r[0] for r in year_rows],
                (_("Programs held"), [r[1] for r in year_rows]),
                (_("Trainees trained"), [r[2] for r in year_rows]),
                dual=True,
            ),
        )
    )
    branch_rows = {pk: sums.row(names[pk]) for pk, sums in by_branch.items()}
    for key, title, column, note in (
        ("gain", _("Units ranked by mean gain"), 4, _("Branches, each with its stations.")),
        ("attendance", _("Units ranked by attendance"), 6, _("Branches, each with its stations.")),
    ):
        ranked = sorted(
            branch_rows.items(),
            key=lambda item: (item[1][column] is None, -(item[1][column] or 0), item[1][0]),
        )
        tables.append(
            Table(
                f"units-{key}",
                title,
                summary_columns(_("Branch")),
                [row for _pk, row in ranked],
                chart(
                    "hbar",
                    [row[0] for _pk, row in ranked],
                    (summary_columns("")[column][0], [row[column] for _pk, row in ranked]),
                ),
                note=note,
                links=[unit_link(pk) for pk, _row in ranked] if unit_link else [],
            )
        )
    tables.append(repeat_trainees(programs, grad_ids, unit_ids, trainee_link))
    distinct = enrollments.values("trainee_id").distinct().count()
    entry, graduation = mean(overall.entry, overall.entry_n), mean(overall.grad, overall.grad_n)
    kpis = [
        (_("Programs held"), len(programs), "count"),
        (_("Trainees trained"), distinct, "count"),
        (_("Mean entry → graduation"), (entry, graduation), "pair"),
        (_("Mean gain"), mean(overall.gain, overall.gain_n), "score"),
        (_("Pass rate"), rate(overall.passed, overall.grad_n), "rate"),
        (_("Attendance rate"), rate(overall.attended, overall.expected), "rate"),
    ]
    return BureauDashboard(programs=programs, kpis=kpis, tables=tables)


REPEATERS_SHOWN = 30


def repeat_trainees(programs, grad_ids, unit_ids, trainee_link=None):
    """The trainees who attended several of `programs`, most programs first, with their
    graduation score in each, oldest first: two queries, with or without any."""
    enrollments = scoped(Enrollment.objects.filter(program__in=programs), unit_ids, "")
    repeaters = (
        enrollments.values("trainee_id")
        .annotate(count=Count("program", distinct=True))
        .filter(count__gte=2)
        .order_by("-count", "trainee_id")
    )
    top = repeaters.values("trainee_id")[:REPEATERS_SHOWN]
    # trainee id → programs, most first; then → (name, unit, programs)
    shown = dict(repeaters.values_list("trainee_id", "count")[:REPEATERS_SHOWN])
    scores, who = defaultdict(list), {}
    for trainee_id, name, unit, score in (
        Enrollment.objects.filter(
            trainee_id__in=top, program__in=programs, status=Enrollment.Status.ACTIVE
        )
        .annotate(
            score=Subquery(
                Attempt.objects.filter(
                    enrollment=OuterRef("pk"),
                    exam_id__in=Exam.objects.filter(pk__in=grad_ids),  # a subquery: no skip
                    status=Attempt.Status.GRADED,
                    score__isnull=False,
                ).values("score")[:1]
            )
        )
        .order_by("program__start_date", "program_id")
        .values_list("trainee_id", "trainee__name", "trainee__unit__name", "score")
    ):
        who[trainee_id] = (name, unit)
        if score is not None:
            scores[trainee_id].append(score)
    shown = {pk: (*who.get(pk, ("", "")), count) for pk, count in shown.items()}
    rows, lines = [], []
    for trainee_id, (name, unit, count) in shown.items():
        series = scores[trainee_id]
        trend = series[-1] - series[0] if len(series) >= 2 else None
        rows.append([name, unit, count, " → ".join(f"{s:.1f}" for s in series), trend])
        if len(series) >= 2 and len(lines) < 10:
            lines.append((name, series))
    longest = max((len(s) for _n, s in lines), default=0)
    return Table(
        "repeaters",
        _("Trainees who attended several programs"),
        [
            (_("Full name"), "text"),
            (_("Unit"), "text"),
            (_("Programs"), "count"),
            (_("Graduation scores, oldest first"), "text"),
            (_("Trend"), "score"),
        ],
        rows,
        chart(
            "line",
            [_("Program %(n)s") % {"n": n} for n in range(1, longest + 1)],
            *lines,
            yName=_("Graduation"),
        ),
        note=_("The %(count)s with the most programs.") % {"count": REPEATERS_SHOWN},
        links=[trainee_link(pk) for pk in shown] if trainee_link else [],
    )


@dataclass
class TraineeLine:
    """A trainee across the programs a reader sees (the unit drill-down)."""

    programs: int = 0
    graduation: Decimal | None = None  # in the latest program with a graduation score
    gains: list = field(default_factory=list)
    expected: int = 0
    attended: int = 0

    @property
    def gain(self):
        return mean(sum(self.gains, Decimal(0)), len(self.gains))

    @property
    def attendance_rate(self):
        return rate(self.attended, self.expected)


def trainee_lines(trainees, programs, *, now=None):
    """{trainee id: TraineeLine} of `trainees` (a page of them) over `programs`: five
    queries, whatever the number of trainees and programs."""
    now = now or timezone.now()
    enrollments = list(
        Enrollment.objects.filter(
            trainee__in=trainees, program__in=programs, status=Enrollment.Status.ACTIVE
        )
        .order_by("program__start_date")
        .values_list("pk", "trainee_id", "program_id", "group_id")
    )
    lines = {trainee.pk: TraineeLine() for trainee in trainees}
    owner = {pk: trainee_id for pk, trainee_id, _p, _g in enrollments}
    program_ids = {program_id for _e, _t, program_id, _g in enrollments}
    exams = latest_exams(program_ids)
    kinds = {x.pk: x.kind for e in exams.values() for x in e.values()}
    scores = defaultdict(dict)
    for enrollment_id, exam_id, score in Attempt.objects.filter(
        status=Attempt.Status.GRADED,
        score__isnull=False,
        exam_id__in=list(kinds),
        enrollment_id__in=list(owner),
    ).values_list("enrollment_id", "exam_id", "score"):
        scores[enrollment_id][kinds[exam_id]] = score
    ended = defaultdict(int)
    for program_id, group_id, count in (
        Activity.objects.filter(program_id__in=program_ids, ends_at__lte=now)
        .values("program_id", "group_id")
        .annotate(count=Count("pk"))
        .values_list("program_id", "group_id", "count")
    ):
        ended[program_id, group_id] = count
    attended = dict(
        Attendance.objects.filter(
            Q(activity__group__isnull=True) | Q(activity__group=F("enrollment__group")),
            enrollment_id__in=list(owner),
            activity__ends_at__lte=now,
            status__in=ATTENDED,
        )
        .values("enrollment_id")
        .annotate(count=Count("pk"))
        .values_list("enrollment_id", "count")
    )
    for enrollment_id, trainee_id, program_id, group_id in enrollments:
        line = lines[trainee_id]
        line.programs += 1
        mine = scores[enrollment_id]
        if Exam.Kind.GRADUATION in mine:
            line.graduation = mine[Exam.Kind.GRADUATION]
            if Exam.Kind.ENTRY in mine:
                line.gains.append(mine[Exam.Kind.GRADUATION] - mine[Exam.Kind.ENTRY])
        line.expected += ended[program_id, None] + (ended[program_id, group_id] if group_id else 0)
        line.attended += attended.get(enrollment_id, 0)
    return lines
