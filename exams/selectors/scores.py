"""A program's entry and graduation scores and the gain between them, per trainee, group and
unit. The dashboards and the score report (reports) read these too, so a figure is computed in
one place."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from exams.models import Attempt, Exam


@dataclass
class TraineeGain:
    enrollment: object
    entry: Decimal | None
    graduation: Decimal | None

    @property
    def gain(self):
        if self.entry is None or self.graduation is None:
            return None
        return self.graduation - self.entry


@dataclass
class GainSummary:
    name: str
    trainees: int
    entry: Decimal | None
    graduation: Decimal | None
    gain: Decimal | None


def mean_of(values):
    values = [v for v in values if v is not None]
    return round(sum(values, Decimal(0)) / len(values), 1) if values else None


def summarize(name, rows):
    return GainSummary(
        name=name,
        trainees=len(rows),
        entry=mean_of(r.entry for r in rows),
        graduation=mean_of(r.graduation for r in rows),
        gain=mean_of(r.gain for r in rows),
    )


@dataclass
class ProgramScores:
    entry_exam: Exam | None
    graduation_exam: Exam | None
    trainees: list
    groups: list
    units: list
    overall: GainSummary | None = None


SCORED_KINDS = (Exam.Kind.ENTRY, Exam.Kind.GRADUATION)


def latest_exams(program_ids, *, released_only=False, kinds=None):
    """{program id: {kind: Exam}}: the exams whose scores count, the latest of each kind (by
    opening time; of `kinds` only, if given), among the released ones with released_only.
    One query."""
    exams = Exam.objects.filter(program_id__in=list(program_ids))
    if kinds is not None:
        exams = exams.filter(kind__in=kinds)
    if released_only:
        exams = exams.filter(released_at__isnull=False)
    latest = {}
    for exam in exams.order_by("opens_at", "pk"):
        latest.setdefault(exam.program_id, {})[exam.kind] = exam
    return latest


def program_scores(program, *, released_only=False):
    """Entry score, graduation score and gain of every active trainee of the program, with the
    means per group and per unit. The latest entry and graduation exams count."""
    latest = latest_exams([program.pk], released_only=released_only).get(program.pk, {})
    entry, graduation = latest.get(Exam.Kind.ENTRY), latest.get(Exam.Kind.GRADUATION)
    chosen = [e.pk for e in (entry, graduation) if e is not None]
    scores = {}
    if chosen:
        # Only final scores: an attempt whose short answers wait for grading is left out.
        graded = Q(status=Attempt.Status.GRADED, score__isnull=False)
        for exam_id, enrollment_id, score in Attempt.objects.filter(
            graded, exam_id__in=chosen
        ).values_list("exam_id", "enrollment_id", "score"):
            scores[exam_id, enrollment_id] = score
    enrollments = (
        program.enrollments.filter(status="active")
        .select_related("trainee__unit", "group")
        .order_by("group__number", "trainee__police_id")
    )
    trainees = [
        TraineeGain(
            enrollment=enrollment,
            entry=scores.get((entry.pk, enrollment.pk)) if entry else None,
            graduation=scores.get((graduation.pk, enrollment.pk)) if graduation else None,
        )
        for enrollment in enrollments
    ]
    by_group, by_unit = {}, {}
    for row in trainees:
        group = row.enrollment.group
        by_group.setdefault(group.number if group else 0, (str(group or "—"), []))[1].append(row)
        unit = row.enrollment.trainee.unit
        by_unit.setdefault(unit.name, []).append(row)
    return ProgramScores(
        entry_exam=entry,
        graduation_exam=graduation,
        trainees=trainees,
        groups=[summarize(name, rows) for _n, (name, rows) in sorted(by_group.items())],
        units=sorted(
            (summarize(name, rows) for name, rows in by_unit.items()),
            key=lambda s: (s.gain is None, -(s.gain or 0), s.name),
        ),
        overall=summarize("", trainees) if trainees else None,
    )


def enrollment_scores(enrollments, *, released_only=False):
    """{enrollment id: TraineeGain} of `enrollments` (of any trainees and programs), their
    exams chosen as program_scores chooses them: two queries, whatever the number of programs
    (a trainee's learning file, a unit's)."""
    enrollments = list(enrollments)
    latest = latest_exams({e.program_id for e in enrollments}, released_only=released_only)
    chosen = {
        (program_id, kind): exam.pk
        for program_id, exams in latest.items()
        for kind, exam in exams.items()
        if kind in (Exam.Kind.ENTRY, Exam.Kind.GRADUATION)
    }
    scores = {}
    if chosen and enrollments:
        graded = Q(status=Attempt.Status.GRADED, score__isnull=False)
        for exam_id, enrollment_id, score in Attempt.objects.filter(
            graded, exam_id__in=list(chosen.values()), enrollment_id__in=[e.pk for e in enrollments]
        ).values_list("exam_id", "enrollment_id", "score"):
            scores[exam_id, enrollment_id] = score

    def score(enrollment, kind):
        exam_id = chosen.get((enrollment.program_id, kind))
        return scores.get((exam_id, enrollment.pk)) if exam_id else None

    return {
        e.pk: TraineeGain(
            enrollment=e, entry=score(e, Exam.Kind.ENTRY), graduation=score(e, Exam.Kind.GRADUATION)
        )
        for e in enrollments
    }
