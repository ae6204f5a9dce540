"""Reads of the question bank (题库) for the exam builder: its categories, and every question to
tick, with what the builder's filter shows."""

from django.db.models import Count

from exams.models import Question


def bank_categories():
    """[(category, how many questions)] in the bank's order: one query."""
    return list(
        Question.objects.values_list("category").annotate(n=Count("pk")).order_by("category")
    )


# The filter's value for the questions of no category ("" is every category).
UNCATEGORIZED = "-"


def shown_by(question, *, category, keyword):
    """The builder's filter: the category (all when none is chosen) and words of the text, in
    any case. static/js/exam_builder.js filters by the same rule as one types."""
    if category and (question.category or UNCATEGORIZED) != category:
        return False
    return keyword.strip().lower() in question.text.lower()


def pickable(*, category="", keyword=""):
    """Every question of the bank, each with `shown` (the filter's answer): one query. All of
    them go to the page, so that ticks hidden by the filter are still sent."""
    questions = list(Question.objects.order_by("category", "id"))
    for question in questions:
        question.shown = shown_by(question, category=category, keyword=keyword)
    return questions
