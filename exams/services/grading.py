"""Grading: the objective answers of an attempt, its total, the short answers an organizer
grades by hand, and releasing the scores to trainees. Every change of a score leaves a
ScoreChange (who, when, from what)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.models import Answer, Attempt, Exam, Question, ScoreChange
from exams.selectors.keys import answer_key
from exams.services.numbers import plain, tenth
from trainees.summaries import programs_changed


class ScoreError(Exception):
    """Scores that cannot be saved; `errors` lists each problem (all or nothing)."""

    def __init__(self, errors):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


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
    if changed:  # bulk: the dashboards' summaries do not see it
        exam_ids = {attempt.exam_id for attempt in changed}
        programs_changed(Exam.objects.filter(pk__in=exam_ids).values_list("program_id", flat=True))


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


def exam_release(*, exam, released, now=None):
    """Let trainees see their scores of `exam` (or hide them again)."""
    exam.released_at = (now or timezone.now()) if released else None
    exam.save(update_fields=["released_at"])
