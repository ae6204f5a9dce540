"""The dashboards' drill-down: from a unit to its trainees, and from a trainee to their whole
record, across the programs a reader sees."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    Q,
)
from django.utils import timezone

from exams.models import Attempt, Exam
from exams.selectors.scores import SCORED_KINDS, latest_exams
from reports.selectors.report import program_report
from reports.selectors.tables import mean, rate
from sessions.models import Activity, Attendance
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
    exams = latest_exams(program_ids, kinds=SCORED_KINDS)
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
            status__in=Attendance.ATTENDED,
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


def trainee_record(trainee, programs):
    """[(enrollment, the trainee's score report row or None, the program's report)]: the
    trainee's programs among `programs`, oldest first."""
    enrollments = (
        Enrollment.objects.filter(program__in=programs, trainee=trainee)
        .select_related("program")
        .order_by("program__start_date")
    )
    rows = []
    for enrollment in enrollments:
        report = program_report(enrollment.program)
        row = next((r for r in report.rows if r.enrollment.pk == enrollment.pk), None)
        rows.append((enrollment, row, report))
    return rows
