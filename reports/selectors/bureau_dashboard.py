"""The bureau dashboard: many programs across years, for leadership.

It adds up the programs' summaries (reports.summaries: per program and unit of the
trainee, with the score report's definitions: the latest entry and graduation exam of a
program, final scores only, attendance over the activities that have ended and were the
trainee's), by program and by branch (reports.branches.unit_branches: the summaries'
rows per program and branch, or the unit rows of the units a reader counts, by branch);
a test checks that its figures of a program equal the score report's. It never reads the
roll-call, attempt or essay rows, and reads a fixed number of queries whatever the number of
programs and trainees, once their summaries are fresh.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.branches import unit_branches
from reports.models import EnrollmentSummary, TraineeTally, UnitSummary
from reports.selectors.summaries import branch_row_sums, summaries_fresh, unit_sums
from reports.selectors.tables import Table, chart, mean, rate, summary_columns
from trainees.models import Enrollment, Program, Unit


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


# The figures of the summaries (reports.summaries.FIGURES) that Sums adds up: the others are
# not read.
ADDED = [
    "trainees",
    "entry_sum",
    "entry_count",
    "graduation_sum",
    "graduation_count",
    "passed",
    "gain_sum",
    "gain_count",
    "expected",
    "present",
    "late",
    "left_early",
    "absent",
]


class Sums:
    """Running sums of one program or one branch."""

    def __init__(self):
        self.trainees = self.entry_n = self.grad_n = self.gain_n = self.passed = 0
        self.entry = self.grad = self.gain = Decimal(0)
        self.expected = self.attended = self.late = self.absent = 0

    def add(self, sums):
        """Add the totals of reports.summaries (a dict of ADDED, or of every figure)."""
        self.trainees += sums["trainees"]
        self.entry += sums["entry_sum"] or 0
        self.entry_n += sums["entry_count"]
        self.grad += sums["graduation_sum"] or 0
        self.grad_n += sums["graduation_count"]
        self.passed += sums["passed"]
        self.gain += sums["gain_sum"] or 0
        self.gain_n += sums["gain_count"]
        self.expected += sums["expected"]
        self.attended += sums["present"] + sums["late"] + sums["left_early"]
        self.late += sums["late"]
        self.absent += sums["absent"]

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


def bureau_dashboard(
    programs, *, unit_ids=None, now=None, unit_link=None, trainee_link=None, complete=False
):
    """The dashboard of `programs` (a queryset), counting the trainees of `unit_ids` only
    (None: all). `unit_link(unit id)` and `trainee_link(trainee id)` give the drill-down
    URLs. `complete`: `programs` holds every program the trainees of `unit_ids` attended
    (a leader's scope without a year or kind chosen), so that the trainees and repeaters are
    read from their tallies (reports.models.TraineeTally) rather than from the enrollments."""
    now = now or timezone.now()
    programs = list(programs.order_by("start_date", "code"))
    program_ids = [program.pk for program in programs]
    # The branches are those of the tree as it is now: a few thousand units at most, however
    # many trainees. The summaries' branch rows are made those of this tree first.
    tree = unit_branches(None)
    summaries_fresh(program_ids, now, branches=tree)
    by_program = {program.pk: Sums() for program in programs}
    for program_id, sums in unit_sums(program_ids, unit_ids, "program_id", ADDED).items():
        by_program[program_id].add(sums)
    names = dict(tree.values())
    by_branch = defaultdict(Sums)
    for branch_id, sums in branch_sums(program_ids, unit_ids, tree).items():
        by_branch[branch_id].add(sums)

    overall = Sums()
    for sums in by_program.values():
        for attribute, value in vars(sums).items():
            setattr(overall, attribute, getattr(overall, attribute) + value)

    tables = []
    # The kinds' names translated once, not once per program (get_kind_display hashes every
    # lazy name of the choices, translating each, for every program).
    kinds = {value: str(label) for value, label in Program.Kind.choices}
    program_rows = [
        [
            program.code,
            program.title,
            program.start_date,
            kinds.get(program.kind, program.kind),
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
                [r[0] for r in program_rows[-PROGRAMS_SHOWN:]],
                (_("Mean entry"), [r[5] for r in program_rows[-PROGRAMS_SHOWN:]]),
                (_("Mean graduation"), [r[6] for r in program_rows[-PROGRAMS_SHOWN:]]),
                (_("Mean gain"), [r[7] for r in program_rows[-PROGRAMS_SHOWN:]]),
            ),
            # A province holds hundreds of programs: the page shows the latest, the export all.
            note=_("The latest %(shown)s of %(count)s programs; the .xlsx export holds them all.")
            % {"shown": PROGRAMS_SHOWN, "count": len(programs)}
            if len(programs) > PROGRAMS_SHOWN
            else "",
            shown=PROGRAMS_SHOWN,
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
    distinct, table = repeat_trainees(programs, unit_ids, trainee_link, complete=complete)
    tables.append(table)
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
PROGRAMS_SHOWN = 60


def branch_sums(program_ids, unit_ids, tree):
    """{branch id: {figure: total}} of the trainees of `unit_ids` (None: every unit) in
    `program_ids`, each counted in his unit's branch (`tree`: unit_branches(None)). Every
    unit's: the summaries' branch rows (a few per program). Some units': their UnitSummary rows
    added up by the database, a row per branch rather than per station (a CASE over those
    units). One query either way."""
    if unit_ids is None:
        return branch_row_sums(program_ids, ADDED)
    members = defaultdict(list)
    for unit_id in unit_ids:
        if unit_id in tree:
            members[tree[unit_id][0]].append(unit_id)
    if not members:
        return {}
    branch = Case(
        *(When(unit_id__in=ids, then=Value(pk)) for pk, ids in members.items()),
        output_field=BigIntegerField(),
    )
    rows = UnitSummary.objects.filter(program_id__in=list(program_ids), unit_id__in=unit_ids)
    return {
        row.pop("branch"): row
        for row in rows.annotate(branch=branch)
        .values("branch")
        .annotate(**{name: Sum(name) for name in ADDED})
        .order_by()
        if row["branch"] is not None
    }


def repeat_trainees(programs, unit_ids, trainee_link=None, *, complete=False):
    """(how many trainees attended `programs`, the table of those who attended several, most
    programs first, with their graduation score in each, oldest first). Two queries, with or
    without any: one pass over the enrollments counts them per trainee, numbers the trainees
    (a window over the groups) and keeps the first; then the scores of those few."""
    program_ids = [program.pk for program in programs]  # ids: cheaper to bind than models
    if complete:
        # Every program of theirs is counted: their tallies say it, kept with the summaries.
        tallies = TraineeTally.objects.filter(programs__gte=1)
        if unit_ids is not None:
            tallies = tallies.filter(unit_id__in=unit_ids)
        counted = list(
            tallies.order_by("-programs", "trainee_id").values_list("trainee_id", "programs")[
                :REPEATERS_SHOWN
            ]
        )
        distinct = tallies.count() if len(counted) == REPEATERS_SHOWN else len(counted)
    else:
        enrollments = scoped(Enrollment.objects.filter(program_id__in=program_ids), unit_ids, "")
        rows = list(
            enrollments.values("trainee_id")
            .annotate(count=Count("program", distinct=True), everyone=Window(Count("*")))
            .order_by("-count", "trainee_id")
            .values_list("trainee_id", "count", "everyone")[:REPEATERS_SHOWN]
        )
        distinct = rows[0][2] if rows else 0
        counted = [(trainee_id, count) for trainee_id, count, _everyone in rows]
    # trainee id → programs, most first; then → (name, unit, programs)
    shown = {trainee_id: count for trainee_id, count in counted if count >= 2}
    scores, who = defaultdict(list), {}
    # Their graduation scores from the summaries (bureau_dashboard refreshed them).
    for trainee_id, name, unit, score in (
        Enrollment.objects.filter(
            trainee_id__in=list(shown),
            program_id__in=program_ids,
            status=Enrollment.Status.ACTIVE,
        )
        .annotate(
            score=Subquery(
                EnrollmentSummary.objects.filter(enrollment_id=OuterRef("pk")).values("graduation")[
                    :1
                ]
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
    return distinct, Table(
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
