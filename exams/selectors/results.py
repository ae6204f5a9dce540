"""An exam's results: full marks, ranking, distribution, mean, median, pass rate, and the
item analysis of its questions."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean, median

from exams.models import Answer, Attempt, Exam, ExamQuestion

TOP_SHARE = Decimal("0.27")  # item discrimination: top 27 % against bottom 27 %


def exam_total(exam):
    """Full marks: the sum of the questions' points online, the set full marks on paper."""
    if exam.mode == Exam.Mode.PAPER:
        return exam.full_marks
    return sum(exam.exam_questions.values_list("points", flat=True), Decimal(0))


@dataclass
class ExamResults:
    exam: Exam
    total: Decimal
    expected: int  # trainees in the program (active)
    rows: list  # ranked attempts with a score
    waiting: int  # submitted, short answers not graded yet
    in_progress: int
    distribution: list = field(default_factory=list)  # (label, count)

    @property
    def scores(self):
        return [row.score for row in self.rows]

    @property
    def sat(self):
        return len(self.rows)

    @property
    def missing(self):
        return self.expected - self.sat - self.in_progress

    @property
    def mean(self):
        return round(mean(self.scores), 1) if self.rows else None

    @property
    def median(self):
        return round(median(self.scores), 1) if self.rows else None

    @property
    def passed(self):
        return sum(1 for score in self.scores if score >= self.exam.pass_mark)

    @property
    def pass_rate(self):
        return round(100 * self.passed / self.sat, 1) if self.rows else None


def exam_results(exam):
    """Ranking, distribution (tenths of the full marks), mean, median and pass rate."""
    attempts = (
        Attempt.objects.filter(exam=exam)
        .select_related("enrollment__trainee__unit", "enrollment__group")
        .order_by("-score", "enrollment__trainee__police_id")
    )
    rows, waiting, in_progress = [], 0, 0
    for attempt in attempts:
        if attempt.submitted_at is None:
            in_progress += 1
            continue
        if attempt.status != Attempt.Status.GRADED:
            waiting += 1
        if attempt.score is not None:
            rows.append(attempt)
    rank = 0
    for position, attempt in enumerate(rows, start=1):
        if position == 1 or attempt.score != rows[position - 2].score:
            rank = position  # equal scores share a rank: 1, 2, 2, 4
        attempt.rank = rank
    total = exam_total(exam)
    results = ExamResults(
        exam=exam,
        total=total,
        expected=exam.program.enrollments.filter(status="active").count(),
        rows=rows,
        waiting=waiting,
        in_progress=in_progress,
    )
    results.distribution = distribution(results.scores, total)
    return results


def distribution(scores, total, bins=10):
    """Counts of scores in `bins` equal bands of the full marks; full marks in the top band."""
    counts = [0] * bins
    for score in scores:
        band = int(bins * score / total) if total else 0
        counts[min(max(band, 0), bins - 1)] += 1
    width = total / bins if total else 0
    labels = [f"{round(width * n)}–{round(width * (n + 1))}" for n in range(bins)]
    return list(zip(labels, counts, strict=True))


@dataclass
class ItemStats:
    number: int
    exam_question: ExamQuestion
    answered: int
    correct: int
    difficulty: float | None  # share of trainees who got it fully right
    discrimination: float | None  # share right in the top 27 % minus in the bottom 27 %


def item_analysis(exam):
    """Per question: difficulty (share fully right) and discrimination (share right among the
    top 27 % of total scores minus among the bottom 27 %; ties broken by attempt id). Only
    submitted attempts count."""
    exam_questions = list(exam.exam_questions.select_related("question").order_by("order"))
    attempts = list(
        Attempt.objects.filter(exam=exam, submitted_at__isnull=False, score__isnull=False)
        .order_by("-score", "pk")
        .values_list("pk", flat=True)
    )
    group = int((len(attempts) * TOP_SHARE).to_integral_value(ROUND_HALF_UP))
    if attempts and group == 0:
        group = 1
    top, bottom = set(attempts[:group]), set(attempts[len(attempts) - group :])
    right = {}  # question id → set of attempt ids fully right
    answered = {}
    points = {eq.question_id: eq.points for eq in exam_questions}
    rows = Answer.objects.filter(attempt_id__in=attempts).values_list(
        "question_id", "attempt_id", "points_awarded"
    )
    for question_id, attempt_id, awarded in rows:
        answered[question_id] = answered.get(question_id, 0) + 1
        if awarded is not None and awarded >= points.get(question_id, 0) > 0:
            right.setdefault(question_id, set()).add(attempt_id)
    stats = []
    for number, exam_question in enumerate(exam_questions, start=1):
        fully = right.get(exam_question.question_id, set())
        count = len(attempts)
        stats.append(
            ItemStats(
                number=number,
                exam_question=exam_question,
                answered=answered.get(exam_question.question_id, 0),
                correct=len(fully),
                difficulty=round(len(fully) / count, 2) if count else None,
                discrimination=(
                    round((len(fully & top) - len(fully & bottom)) / group, 2) if group else None
                ),
            )
        )
    return stats
