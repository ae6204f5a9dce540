"""The bureau dashboard: many programs across years, for leadership.

It sums in SQL with the score report's definitions (the latest entry and graduation exam of a
program, final scores only, attendance over the activities that have ended and were the
trainee's, the branch of reports.selectors.report.unit_branches); a test checks that its
figures of a program equal the score report's. It reads a fixed number of queries, whatever
the number of programs and trainees.
"""

from collections import defaultdict
from dataclasses import dataclass
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
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.models import Attempt, Exam
from exams.selectors.scores import SCORED_KINDS, latest_exams
from reports.selectors.report import unit_branches
from reports.selectors.tables import Table, chart, mean, rate, summary_columns
from sessions.models import Activity, Attendance
from trainees.models import Enrollment, Unit

SCORE = DecimalField(max_digits=7, decimal_places=1)


@dataclass
class BureauDashboard:
    programs: list
    kpis: list
    tables: list


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
    exams = latest_exams([program.pk for program in programs], kinds=SCORED_KINDS)
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
            attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED)),
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


def programs_chosen(programs, *, year=None, kind="", unit_ids=None):
    """`programs` of `year` and `kind` (either empty: all) that trainees of `unit_ids` (None:
    any) attended: the bureau dashboard's filters."""
    if year:
        programs = programs.filter(start_date__year=year)
    if kind:
        programs = programs.filter(kind=kind)
    if unit_ids is not None:
        programs = programs.filter(
            pk__in=Enrollment.objects.filter(trainee__unit_id__in=unit_ids).values("program_id")
        )
    return programs


def program_years(programs):
    """The years `programs` started in, newest first (the year filter's choices)."""
    return sorted({d.year for d in programs.values_list("start_date", flat=True)}, reverse=True)


def filter_units(unit_ids):
    """The bureaus and branches a reader may filter by (`unit_ids`; None: every one)."""
    units = Unit.objects.filter(kind__in=[Unit.Kind.BUREAU, Unit.Kind.BRANCH]).order_by("name")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return units
