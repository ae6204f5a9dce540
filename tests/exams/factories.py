"""Exam objects for tests: questions with their options, and an exam open now."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from exams.models import Choice, Exam, Question
from exams.services import questions as questions_services


def question(kind=Question.Kind.SINGLE, options=("甲", "乙", "丙", "丁"), right=(0,), **fields):
    """A bank question; `right` are the indexes of the correct options."""
    fields.setdefault("text", f"测试题{Question.objects.count() + 1}")
    fields.setdefault("category", "法律法规")
    fields.setdefault("points", Decimal(3))
    created = Question.objects.create(kind=kind, **fields)
    if kind == Question.Kind.TRUE_FALSE:
        options = ("正确", "错误")
    if kind == Question.Kind.SHORT_ANSWER:
        options = ()
    Choice.objects.bulk_create(
        Choice(question=created, text=text, is_correct=index in right)
        for index, text in enumerate(options)
    )
    return created


def exam(program, questions=(), now=None, **fields):
    """An online exam open from 5 minutes ago for 2 hours, with `questions` in that order."""
    now = now or timezone.now()
    fields.setdefault("opens_at", now - timedelta(minutes=5))
    fields.setdefault("closes_at", now + timedelta(hours=2))
    fields.setdefault("kind", Exam.Kind.ENTRY)
    fields.setdefault("title", "入学摸底考试")
    fields.setdefault("duration_minutes", 60)
    created = Exam.objects.create(program=program, **fields)
    if questions:
        questions_services.exam_questions_set(exam=created, questions=list(questions))
    return created


def right_choices(question_):
    return [c.pk for c in question_.choices.all() if c.is_correct]


def wrong_choice(question_):
    return [next(c.pk for c in question_.choices.all() if not c.is_correct)]
