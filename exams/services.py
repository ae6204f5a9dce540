"""Writes of the exams app: choosing an exam's questions, sitting it, grading, releasing.

Each function is one transaction. The server keeps the time of an online attempt: its deadline
is set when it starts (start + duration, capped by the exam's close) and no answer is taken
after it. Every change of a score leaves a ScoreChange (who, when, from what).
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.models import Answer, Attempt, Exam, ExamQuestion, Question, ScoreChange
from exams.selectors import answer_key, attempt_owner

MAX_TEXT = 5000  # characters of a short answer


class QuestionsRefused(Exception):
    """The exam's questions cannot be chosen so (not enough in the bank, or frozen)."""


class ExamFrozen(QuestionsRefused):
    """The exam's questions cannot change: someone has started it."""


class AttemptRefused(Exception):
    """The exam cannot be started (not open, closed, on paper, without questions)."""


class AnswerRefused(Exception):
    """An answer the server does not take: `closed`, the attempt is over; `missing`, it is
    not the user's or does not exist."""

    def __init__(self, message, *, closed=False, missing=False):
        super().__init__(message)
        self.closed, self.missing = closed, missing


class ScoreError(Exception):
    """Scores that cannot be saved; `errors` lists each problem (all or nothing)."""

    def __init__(self, errors):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def plain(value):
    """10.0 → "10", 7.5 → "7.5": a number as a person writes it, for messages."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def tenth(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# Choosing the questions ---------------------------------------------------------------------


def check_not_frozen(exam):
    if exam.attempts.filter(started_at__isnull=False).exists():
        raise ExamFrozen(_("Trainees have started this exam: its questions can no longer change."))


@transaction.atomic
def exam_questions_set(*, exam, questions):
    """Make `questions` (in this order) the exam's questions, each worth its bank points."""
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    check_not_frozen(exam)
    exam.exam_questions.all().delete()
    ExamQuestion.objects.bulk_create(
        ExamQuestion(exam=exam, question=question, order=order, points=question.points)
        for order, question in enumerate(questions, start=1)
    )
    answer_key.forget(exam.pk)


def exam_questions_draw(*, exam, counts, seed=None):
    """Draw `counts` ({category: how many}) questions at random from the bank."""
    draw = random.Random(seed)
    chosen = []
    for category, count in counts.items():
        pool = list(Question.objects.filter(category=category).order_by("id"))
        if count > len(pool):
            raise QuestionsRefused(
                _("The bank has %(have)s questions of %(category)s, not %(want)s.")
                % {"have": len(pool), "category": category or _("no category"), "want": count}
            )
        chosen.extend(draw.sample(pool, count))
    exam_questions_set(exam=exam, questions=chosen)


def exam_questions_copy(*, exam, source):
    """Give `exam` the questions of `source`, so that entry and graduation scores compare."""
    questions = [eq.question for eq in source.exam_questions.select_related("question")]
    exam_questions_set(exam=exam, questions=questions)


# Sitting the exam ---------------------------------------------------------------------------


def attempt_start(*, exam, enrollment, now=None):
    """The trainee's attempt, started now if it was not: deadline = now + duration, capped by
    the exam's close. Starting twice (two tabs, two phones) returns the same attempt."""
    now = now or timezone.now()
    existing = Attempt.objects.filter(exam=exam, enrollment=enrollment).first()
    if existing is not None and existing.started_at is not None:
        return existing
    if exam.mode != Exam.Mode.ONLINE:
        raise AttemptRefused(_("This exam is taken on paper."))
    if enrollment.status != enrollment.Status.ACTIVE:
        raise AttemptRefused(_("You have withdrawn from this program."))
    if now < exam.opens_at:
        raise AttemptRefused(_("This exam has not opened yet."))
    if now >= exam.closes_at:
        raise AttemptRefused(_("This exam is closed."))
    with transaction.atomic():
        # The exam's row orders a start with a change of its questions (exam_questions_set
        # locks it too): the answer rows are made for the questions the exam has now.
        Exam.objects.select_for_update(no_key=True).filter(pk=exam.pk).first()
        question_ids = list(exam.exam_questions.values_list("question_id", flat=True))
        if not question_ids:
            raise AttemptRefused(_("This exam has no questions yet."))
        attempt, created = Attempt.objects.get_or_create(
            exam=exam,
            enrollment=enrollment,
            defaults={
                "started_at": now,
                "deadline": min(now + timedelta(minutes=exam.duration_minutes), exam.closes_at),
            },
        )
        if created:
            # One row per question from the start: every autosave is then one UPDATE.
            Answer.objects.bulk_create(
                Answer(attempt=attempt, question_id=question_id) for question_id in question_ids
            )
    return attempt


def clean_answer(key, question_id, choices, text):
    """(choice ids, text) checked against the exam's key, or AnswerRefused."""
    entry = key.get(question_id)
    if entry is None:
        raise AnswerRefused(_("This question is not in the exam."))
    choices = sorted(set(choices))
    if not set(choices) <= entry.choice_ids:
        raise AnswerRefused(_("This option does not belong to the question."))
    if entry.kind in (Question.Kind.SINGLE, Question.Kind.TRUE_FALSE) and len(choices) > 1:
        raise AnswerRefused(_("Choose one option."))
    if entry.kind == Question.Kind.SHORT_ANSWER:
        if len(text) > MAX_TEXT:
            raise AnswerRefused(_("An answer has at most %(max)s characters.") % {"max": MAX_TEXT})
        return [], text
    return choices, ""


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as the browser sends it: its revision is the browser's clock (ms)."""

    question_id: int
    revision: int
    choices: tuple = ()
    text: str = ""


# An answer's revision once its attempt is handed in: no autosave carries a later one.
SEALED = 2**63 - 1


def answers_save(*, attempt_id, user, answers, now=None):
    """Autosave answers of the user's own attempt. Returns {question id: "saved" | "stale" |
    the reason it was refused}: "stale" when the stored answer is newer (a late resend from
    another tab), which stays. After the deadline or the hand-in, AnswerRefused(closed).

    Each answer is one UPDATE of its own row, guarded by its revision, with no lock and no
    transaction: handing in seals every answer row (revision = SEALED) before grading, so a
    save either lands before the seal and is graded, or finds the row sealed and changes
    nothing (PostgreSQL rechecks the revision on the row's newest version)."""
    now = now or timezone.now()
    owner = attempt_owner(attempt_id)
    if owner is None or owner.user_id != user.pk:
        raise AnswerRefused(_("No such exam attempt."), missing=True)
    if now > owner.deadline:
        owner = attempt_owner.reload(attempt_id)  # an organizer may have given more time
        if owner is None or now > owner.deadline:
            raise AnswerRefused(_("Time is up: this exam no longer takes answers."), closed=True)
    key = answer_key(owner.exam_id)
    outcome = {}
    for given in answers:
        try:
            choices, text = clean_answer(key, given.question_id, given.choices, given.text)
            if not 0 < given.revision < SEALED:
                raise AnswerRefused(_("Incomplete answer."))
        except AnswerRefused as refusal:
            outcome[given.question_id] = str(refusal)
            continue
        updated = Answer.objects.filter(
            attempt_id=attempt_id, question_id=given.question_id, revision__lt=given.revision
        ).update(choices=choices, text=text, revision=given.revision, saved_at=now)
        outcome[given.question_id] = (
            "saved" if updated else answer_not_saved(attempt_id, given.question_id)
        )
    return outcome


def answer_not_saved(attempt_id, question_id):
    """Why an autosave changed no row (the rare path): "stale" if a newer answer is stored;
    AnswerRefused if the attempt is handed in or gone; a message if the row is missing."""
    revisions = dict(
        Answer.objects.filter(attempt_id=attempt_id).values_list("question_id", "revision")
    )
    if not revisions:
        attempt_owner.forget(attempt_id)
        raise AnswerRefused(_("No such exam attempt."), missing=True)
    if SEALED in revisions.values():
        raise AnswerRefused(_("Time is up: this exam no longer takes answers."), closed=True)
    if question_id not in revisions:
        return _("This question is not in the exam.")
    return "stale"


def answer_save(*, attempt_id, user, question_id, choices=(), text="", revision, now=None):
    """Autosave one answer: True if saved, False if a newer one is stored; AnswerRefused if
    the answer is not valid or time is up."""
    given = GivenAnswer(question_id, revision, tuple(choices), text)
    outcome = answers_save(attempt_id=attempt_id, user=user, answers=[given], now=now)
    if outcome[question_id] not in ("saved", "stale"):
        raise AnswerRefused(outcome[question_id])
    return outcome[question_id] == "saved"


def attempt_submit(*, attempt, answers=None, now=None):
    """Submit (once) and grade. `answers` (GivenAnswers) are the form's final values, saved
    first where newer than the stored ones, if the deadline has not passed. Returns (attempt,
    submitted now).
    Two submissions at once make one: the second finds the attempt submitted."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("exam")
            .get(pk=attempt.pk)
        )
        if attempt.submitted_at is not None:
            return attempt, False
        if answers and now <= attempt.deadline:
            key = answer_key(attempt.exam_id)
            for given in answers:
                try:
                    choices, text = clean_answer(key, given.question_id, given.choices, given.text)
                except AnswerRefused:
                    continue  # a tampered field is ignored; the saved answer stays
                # Only over an older answer: another phone may have saved a newer one since
                # this page was loaded.
                attempt.answers.filter(
                    question_id=given.question_id, revision__lt=given.revision
                ).update(choices=choices, text=text, revision=given.revision, saved_at=now)
        # The seal: it waits for any autosave of these rows in flight, and stops every later one.
        attempt.answers.update(revision=SEALED)
        attempt.submitted_at = min(now, attempt.deadline)
        attempt.status = Attempt.Status.SUBMITTED
        attempt.save(update_fields=["submitted_at", "status"])
        attempt_grade(attempt=attempt, reason="submitted")
    return attempt, True


def attempts_close_expired(*, exam=None, now=None):
    """Submit every attempt (of `exam`, if given) whose deadline has passed: Celery beat,
    and the results and grading pages of that exam."""
    now = now or timezone.now()
    expired = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now)
    if exam is not None:
        expired = expired.filter(exam=exam)
    closed = 0
    for attempt in expired.only("pk"):
        closed += attempt_submit(attempt=attempt, now=now)[1]
    return closed


# Grading ------------------------------------------------------------------------------------


def objective_points(entry, choices, partial_credit):
    chosen = set(choices)
    if not chosen:
        return Decimal(0)
    if chosen == entry.correct_ids:
        return entry.points
    if entry.kind == Question.Kind.MULTIPLE and partial_credit and chosen < entry.correct_ids:
        return tenth(entry.points * len(chosen) / len(entry.correct_ids))
    return Decimal(0)


def attempt_grade(*, attempt, user=None, reason="graded", now=None):
    """Grade the objective answers of a submitted attempt and total its score; it is graded
    when no short answer waits for an organizer."""
    key = answer_key(attempt.exam_id)
    partial = attempt.exam.partial_credit
    answers = list(attempt.answers.all())
    for answer in answers:
        entry = key.get(answer.question_id)
        if entry is not None and entry.kind != Question.Kind.SHORT_ANSWER:
            answer.points_awarded = objective_points(entry, answer.choices, partial)
    Answer.objects.bulk_update(answers, ["points_awarded"])
    attempt_total(attempt=attempt, answers=answers, user=user, reason=reason, now=now)


def attempts_total(*, attempts, answers, user=None, reason, question=None, points=None, now=None):
    """Recompute the scores of `attempts` from their `answers` (all of them), in two bulk
    writes, and keep each change. `points` ({attempt id: (old, new)}) are the points of
    `question`'s answer graded by hand: such a grading is kept even if the total stays."""
    points = points or {}
    by_attempt = {}
    for answer in answers:
        by_attempt.setdefault(answer.attempt_id, []).append(answer)
    now = now or timezone.now()
    changes, changed = [], []
    for attempt in attempts:
        mine = by_attempt.get(attempt.pk, [])
        waiting = any(a.points_awarded is None for a in mine)
        score = sum((a.points_awarded or Decimal(0) for a in mine), Decimal(0))
        status = Attempt.Status.SUBMITTED if waiting else Attempt.Status.GRADED
        if score != attempt.score or attempt.pk in points:
            old_points, new_points = points.get(attempt.pk, (None, None))
            changes.append(
                ScoreChange(
                    attempt=attempt,
                    question=question,
                    old_score=attempt.score,
                    new_score=score,
                    old_points=old_points,
                    new_points=new_points,
                    changed_by=user,
                    changed_at=now,
                    reason=reason,
                )
            )
        if (score, status) != (attempt.score, attempt.status):
            attempt.score, attempt.status = score, status
            changed.append(attempt)
    ScoreChange.objects.bulk_create(changes)
    Attempt.objects.bulk_update(changed, ["score", "status"])


def attempt_total(*, attempt, answers, **change):
    """Recompute one attempt's score from its answers, and keep the change."""
    attempts_total(attempts=[attempt], answers=answers, **change)


@transaction.atomic
def short_answers_grade(*, exam, question, points, user, now=None):
    """Grade one short-answer question across trainees: `points` is {answer id: Decimal or
    None}. Every value is checked before anything is written."""
    now = now or timezone.now()
    exam_question = exam.exam_questions.get(question=question)
    answers = {
        a.pk: a
        for a in Answer.objects.select_for_update()
        .filter(attempt__exam=exam, question=question, attempt__submitted_at__isnull=False)
        .select_related("attempt__enrollment__trainee")
    }
    errors = []
    for answer_id, value in points.items():
        answer = answers.get(answer_id)
        if answer is None:
            errors.append(_("An answer was not found; reload the page."))
        elif value is not None and not (0 <= value <= exam_question.points):
            errors.append(
                _("%(name)s: points must be between 0 and %(max)s.")
                % {
                    "name": answer.attempt.enrollment.trainee.name,
                    "max": plain(exam_question.points),
                }
            )
    if errors:
        raise ScoreError(errors)
    changed = [a for pk, a in answers.items() if pk in points and a.points_awarded != points[pk]]
    graded = {}  # one answer per attempt: the question's
    for answer in changed:
        graded[answer.attempt_id] = (answer.points_awarded, points[answer.pk])
        answer.points_awarded, answer.graded_by = points[answer.pk], user
    Answer.objects.bulk_update(changed, ["points_awarded", "graded_by"])
    attempts = {a.attempt_id: a.attempt for a in changed}
    attempts_total(
        attempts=attempts.values(),
        answers=Answer.objects.filter(attempt_id__in=attempts).only("attempt_id", "points_awarded"),
        user=user,
        reason="short answer",
        question=question,
        points=graded,
        now=now,
    )
    return len(changed)


@transaction.atomic
def paper_scores_set(*, exam, scores, user, reason="paper scores", now=None):
    """Scores of a paper exam: `scores` is {enrollment id: Decimal or None}. All are checked
    against the full marks first; each change is kept."""
    now = now or timezone.now()
    enrollments = {e.pk: e for e in exam.program.enrollments.select_related("trainee")}
    errors = []
    for enrollment_id, score in scores.items():
        if enrollment_id not in enrollments:
            errors.append(_("A trainee is not in this program; reload the page."))
        elif score is not None and not (0 <= score <= exam.full_marks):
            errors.append(
                _("%(name)s: a score must be between 0 and %(max)s.")
                % {"name": enrollments[enrollment_id].trainee.name, "max": plain(exam.full_marks)}
            )
    if errors:
        raise ScoreError(errors)
    attempts = {
        a.enrollment_id: a
        for a in Attempt.objects.select_for_update().filter(exam=exam, enrollment_id__in=scores)
    }
    new, changes = [], []
    for enrollment_id, score in scores.items():
        attempt = attempts.get(enrollment_id)
        if attempt is None:
            if score is None:
                continue
            attempt = Attempt(exam=exam, enrollment_id=enrollment_id)
            new.append(attempt)
        elif attempt.score == score:
            continue
        changes.append((attempt, attempt.score, score))
        attempt.score = score
        attempt.submitted_at = attempt.submitted_at or now
        attempt.status = Attempt.Status.GRADED
    Attempt.objects.bulk_create(new)
    Attempt.objects.bulk_update(
        [a for a, _old, _new in changes if a not in new], ["score", "submitted_at", "status"]
    )
    ScoreChange.objects.bulk_create(
        ScoreChange(
            attempt=attempt,
            old_score=old,
            new_score=score,
            changed_by=user,
            changed_at=now,
            reason=reason,
        )
        for attempt, old, score in changes
    )
    return len(changes)


def exam_release(*, exam, released, now=None):
    """Let trainees see their scores of `exam` (or hide them again)."""
    exam.released_at = (now or timezone.now()) if released else None
    exam.save(update_fields=["released_at"])
