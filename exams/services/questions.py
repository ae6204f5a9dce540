"""Choosing an exam's questions: set by hand, drawn at random from the bank, or copied from
another exam; frozen once a trainee has started it. Each function is one transaction."""

import random

from django.db import transaction
from django.utils.translation import gettext as _

from exams.models import Exam, ExamQuestion, Question
from exams.selectors.keys import answer_key
from trainees.text import whole_number


class QuestionsRefused(Exception):
    """The exam's questions cannot be chosen so (not enough in the bank, or frozen)."""


class ExamFrozen(QuestionsRefused):
    """The exam's questions cannot change: someone has started it."""


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


def exam_questions_pick(*, exam, question_ids):
    """The questions ticked in the builder, in the bank's order. Every id sent must be a
    question of the bank: a forged or stale one (a question deleted meanwhile) refuses the
    whole choice rather than saving what remains."""
    wanted = set()
    for value in question_ids:
        if (number := whole_number(value)) is None:
            raise QuestionsRefused(_("A ticked question is not in the bank: reload the page."))
        wanted.add(number)
    chosen = list(Question.objects.filter(pk__in=wanted).order_by("category", "id"))
    if len(chosen) != len(wanted):
        raise QuestionsRefused(_("A ticked question is not in the bank: reload the page."))
    exam_questions_set(exam=exam, questions=chosen)


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
