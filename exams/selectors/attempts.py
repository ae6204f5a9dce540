"""Reads of a trainee's side of an exam: their exams with their attempts, and an attempt's
paper in its shuffled order."""

import hashlib
import random
from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.utils import timezone

from exams.models import Answer, Attempt, Choice, Exam, ExamQuestion, Question


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
    def answered(self):
        """An option chosen or some text written (an attempt starts with an empty answer
        to every question)."""
        return bool(self.answer and (self.answer.choices or self.answer.text.strip()))

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


def trainee_exams(enrollments, now=None):
    """The exams of a trainee's programs with the trainee's attempt (or None), open ones first.
    An exam is open in its time window once it has questions (an empty one cannot be sat)."""
    now = now or timezone.now()
    exams = (
        Exam.objects.filter(program__in=[e.program_id for e in enrollments])
        .select_related("program")
        .annotate(question_count=Count("exam_questions"))
        .order_by("-opens_at")
    )
    attempts = {
        a.exam_id: a for a in Attempt.objects.filter(enrollment__in=enrollments, exam__in=exams)
    }
    rows = []
    for exam in exams:
        attempt = attempts.get(exam.pk)
        is_open = exam.question_count > 0 and exam.opens_at <= now < exam.closes_at
        rows.append((exam, attempt, is_open))
    return rows
