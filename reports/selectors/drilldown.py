"""The dashboards' drill-down: from a unit to its trainees, and from a trainee to their whole
record, across the programs a reader sees."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from reports.models import EnrollmentSummary
from reports.selectors.report import program_report
from reports.selectors.summaries import summaries_fresh
from reports.selectors.tables import mean, rate
from trainees.models import Enrollment, Trainee


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
    """{trainee id: TraineeLine} of `trainees` (a page of them) over `programs`, from the
    programs' summaries (reports.summaries, refreshed first where stale): a fixed
    number of queries, whatever the number of trainees and programs."""
    now = now or timezone.now()
    lines = {trainee.pk: TraineeLine() for trainee in trainees}
    enrollments = Enrollment.objects.filter(
        trainee__in=trainees, program__in=programs, status=Enrollment.Status.ACTIVE
    )
    summaries_fresh(set(enrollments.values_list("program_id", flat=True)), now)
    for trainee_id, entry, graduation, expected, attended in (
        EnrollmentSummary.objects.filter(enrollment__in=enrollments)
        .order_by("program__start_date")
        .values_list("trainee_id", "entry", "graduation", "expected", "attended")
    ):
        line = lines[trainee_id]
        line.programs += 1
        if graduation is not None:
            line.graduation = graduation
            if entry is not None:
                line.gains.append(graduation - entry)
        line.expected += expected
        line.attended += attended
    return lines


def unit_trainees(programs, unit_ids):
    """The trainees of `unit_ids` enrolled (active) in any of `programs`, each with how many
    of them (`programs`), by unit and police ID."""
    enrollments = Enrollment.objects.filter(
        program__in=programs, status=Enrollment.Status.ACTIVE, trainee__unit_id__in=unit_ids
    )
    return (
        Trainee.objects.filter(enrollments__in=enrollments)
        .annotate(
            programs=Count("enrollments", filter=Q(enrollments__in=enrollments), distinct=True)
        )
        .select_related("unit")
        .order_by("unit__name", "police_id")
    )


def trainee_record(trainee, programs, *, scope_unit=None):
    """[(enrollment, the trainee's score report row or None, the program's report)]: the
    trainee's programs among `programs`, oldest first; each report of the trainees of
    `scope_unit` and the units under it (None: the whole class)."""
    enrollments = (
        Enrollment.objects.filter(program__in=programs, trainee=trainee)
        .select_related("program")
        .order_by("program__start_date")
    )
    rows = []
    for enrollment in enrollments:
        report = program_report(enrollment.program, scope_unit=scope_unit)
        row = next((r for r in report.rows if r.enrollment.pk == enrollment.pk), None)
        rows.append((enrollment, row, report))
    return rows
