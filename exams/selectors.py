"""Reads of the exams app: an attempt's paper, an exam's results and item analysis, a
program's entry-to-graduation gains. The dashboards and the score report read these too, so a
figure is computed in one place."""

import hashlib
import random
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean, median

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from exams.models import Answer, Attempt, Choice, Exam, ExamQuestion, Question, ScoreChange
from trainees.audit import Change, HistoryEntry, label, shown

TOP_SHARE = Decimal("0.27")  # item discrimination: top 27 % against bottom 27 %


@dataclass(frozen=True)
class KeyEntry:
    kind: str
    points: Decimal
    choice_ids: frozenset
    correct_ids: frozenset


class AnswerKey:
    """{question id: KeyEntry} of an exam, kept a minute in this process: every autosave
    checks its answer against it, so it must cost nothing (no query, no cache round trip, no
    unpickling). An exam's questions are frozen once started, so a stale key can only miss an
    admin's edit of an option, for a minute."""

    timeout = 60

    def __init__(self):
        self.kept = {}  # exam id → (expires at, key)

    def __call__(self, exam_id):
        now = time.monotonic()
        expires, key = self.kept.get(exam_id, (0, None))
        if key is None or expires < now:
            key = self.load(exam_id)
            self.kept[exam_id] = (now + self.timeout, key)
        return key

    def load(self, exam_id):
        rows = ExamQuestion.objects.filter(exam_id=exam_id).values_list(
            "question_id", "question__kind", "points"
        )
        ids, correct = {}, {}
        choices = Choice.objects.filter(question__exam_questions__exam_id=exam_id).values_list(
            "question_id", "pk", "is_correct"
        )
        for question_id, pk, is_correct in choices:
            ids.setdefault(question_id, set()).add(pk)
            if is_correct:
                correct.setdefault(question_id, set()).add(pk)
        return {
            question_id: KeyEntry(
                kind,
                points,
                frozenset(ids.get(question_id, ())),
                frozenset(correct.get(question_id, ())),
            )
            for question_id, kind, points in rows
        }

    def forget(self, exam_id):
        self.kept.pop(exam_id, None)


answer_key = AnswerKey()


@dataclass(frozen=True)
class AttemptOwner:
    user_id: int
    exam_id: int
    deadline: object


class AttemptOwners:
    """Whose an attempt is, of which exam, until when: fixed when it starts, so each process
    reads it once and an autosave costs no query for it. (Whether it is still open is not
    kept here: the answer rows say so, see services.answers_save. A deadline that seems passed
    is read again, in case an organizer gave more time.)"""

    most = 20_000

    def __init__(self):
        self.kept = {}

    def __call__(self, attempt_id):
        owner = self.kept.get(attempt_id)
        return owner if owner is not None else self.reload(attempt_id)

    def reload(self, attempt_id):
        row = (
            Attempt.objects.filter(pk=attempt_id, started_at__isnull=False)
            .values_list("enrollment__trainee__user_id", "exam_id", "deadline")
            .first()
        )
        if row is None:
            self.forget(attempt_id)
            return None
        if len(self.kept) >= self.most:
            self.kept.clear()
        owner = self.kept[attempt_id] = AttemptOwner(*row)
        return owner

    def forget(self, attempt_id):
        self.kept.pop(attempt_id, None)


attempt_owner = AttemptOwners()


def shuffled(items, seed):
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


def attempt_seed(attempt):
    """The same order for the same attempt on every load, a different one for each trainee."""
    text = f"{attempt.exam_id}:{attempt.enrollment_id}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass
class PaperItem:
    number: int
    exam_question: ExamQuestion
    choices: list  # Choice objects, in this trainee's order
    answer: Answer | None

    @property
    def question(self):
        return self.exam_question.question

    @property
    def next_revision(self):
        """The revision the form gives what it shows: newer than what it was loaded with."""
        return (self.answer.revision if self.answer else 0) + 1

    @property
    def chosen(self):
        return set(self.answer.choices) if self.answer else set()

    @property
    def lettered(self):
        """(letter, choice, chosen) for the template; true/false options have no letters."""
        chosen = self.chosen
        plain = self.question.kind == Question.Kind.TRUE_FALSE
        return [
            ("" if plain else "ABCDEF"[n], choice, choice.pk in chosen)
            for n, choice in enumerate(self.choices)
        ]

    @property
    def right(self):
        if self.answer is None or self.answer.points_awarded is None:
            return None
        return self.answer.points_awarded >= self.exam_question.points


def attempt_paper(attempt, *, shuffle=True):
    """The questions of an attempt in its shuffled order, choices shuffled too (true/false keeps
    对 before 错), each with its saved answer. Three queries, whatever the number. The review
    of a result is unshuffled, so that the letters match the explanations ("B项…")."""
    exam_questions = ExamQuestion.objects.filter(exam_id=attempt.exam_id).select_related("question")
    exam_questions = exam_questions.prefetch_related(
        Prefetch("question__choices", queryset=Choice.objects.order_by("pk"))
    )
    answers = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    seed = attempt_seed(attempt)
    items = []
    ordered = exam_questions.order_by("order", "pk")
    if shuffle:
        ordered = shuffled(ordered, seed)
    for number, exam_question in enumerate(ordered, start=1):
        choices = list(exam_question.question.choices.all())
        if shuffle and exam_question.question.kind != Question.Kind.TRUE_FALSE:
            choices = shuffled(choices, seed + exam_question.question_id)
        items.append(
            PaperItem(number, exam_question, choices, answers.get(exam_question.question_id))
        )
    return items


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


def program_scores(program, *, released_only=False):
    """Entry score, graduation score and gain of every active trainee of the program, with the
    means per group and per unit. The latest entry and graduation exams count."""
    exams = Exam.objects.filter(program=program)
    if released_only:
        exams = exams.filter(released_at__isnull=False)
    latest = {}
    for exam in exams.order_by("opens_at", "pk"):
        latest[exam.kind] = exam
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


def trainee_exams(enrollments, now=None):
    """The exams of a trainee's programs with the trainee's attempt (or None), open ones first."""
    now = now or timezone.now()
    exams = (
        Exam.objects.filter(program__in=[e.program_id for e in enrollments])
        .select_related("program")
        .order_by("-opens_at")
    )
    attempts = {
        a.exam_id: a for a in Attempt.objects.filter(enrollment__in=enrollments, exam__in=exams)
    }
    rows = []
    for exam in exams:
        attempt = attempts.get(exam.pk)
        rows.append((exam, attempt, exam.opens_at <= now < exam.closes_at))
    return rows


# The reasons exams.services gives a change of a score.
SCORE_REASONS = {
    "submitted": _("Submitted"),
    "graded": _("Graded"),
    "short answer": _("Short answer"),
    "paper scores": _("Score grid"),
    "paper import": _("Import scores"),
}


def score_history(enrollment):
    """The kept changes of the trainee's scores, and of the points of each answer graded by
    hand (trainees.audit): one query."""

    def number(value):
        return shown(None if value is None else format(value.normalize(), "f"))

    entries = []
    for change in ScoreChange.objects.filter(attempt__enrollment=enrollment).select_related(
        "attempt__exam", "question", "changed_by"
    ):
        subject = change.attempt.exam.title
        changes = []
        if change.question_id is not None:
            subject = f"{subject} · {Truncator(change.question.text).chars(24)}"
            if change.old_points != change.new_points:
                changes.append(
                    Change(
                        label(Answer, "points_awarded"),
                        number(change.old_points),
                        number(change.new_points),
                    )
                )
        if change.old_score != change.new_score or not changes:
            changes.append(
                Change(label(Attempt, "score"), number(change.old_score), number(change.new_score))
            )
        entries.append(
            HistoryEntry(
                when=change.changed_at,
                topic=label(Attempt, "score"),
                subject=subject,
                changes=changes,
                who=change.changed_by,
                note=SCORE_REASONS.get(change.reason, change.reason),
            )
        )
    return entries
