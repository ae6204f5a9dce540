"""A program's exams (organizers; leadership reads): the list, the form, the page of one exam,
choosing its questions, and releasing its scores to trainees."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams.forms import DrawForm, ExamForm
from exams.models import Attempt, Exam, Question
from exams.permissions import exam_for, exams_to_copy
from exams.selectors import bank as bank_selectors
from exams.services import grading, questions
from trainees.permissions import may_change, program_for
from trainees.text import whole_number


def exam_list(request, code):
    program = program_for(request.user, code)
    exams = program.exams.annotate(
        questions=Count("exam_questions", distinct=True),
        submitted=Count("attempts", filter=Q(attempts__submitted_at__isnull=False), distinct=True),
    )
    return render(
        request,
        "exams/exam_list.html",
        {"program": program, "exams": exams, "can_change": may_change(request.user, program)},
    )


def exam_form(request, code, pk=None):
    program = program_for(request.user, code, change=True)
    exam = get_object_or_404(Exam, program=program, pk=pk) if pk else Exam(program=program)
    form = ExamForm(request.POST or None, instance=exam)
    if request.method == "POST" and form.is_valid():
        exam = form.save()
        messages.success(request, _("Exam saved."))
        return redirect("exams:exam-detail", code=program.code, pk=exam.pk)
    return render(request, "exams/exam_form.html", {"program": program, "form": form, "exam": exam})


def exam_detail(request, code, pk):
    program, exam = exam_for(request, code, pk)
    exam_questions = exam.exam_questions.select_related("question").order_by("order")
    counts = exam.attempts.aggregate(
        started=Count("pk", filter=Q(started_at__isnull=False)),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        graded=Count("pk", filter=Q(status=Attempt.Status.GRADED)),
    )
    short_answers = [eq for eq in exam_questions if eq.question.kind == Question.Kind.SHORT_ANSWER]
    return render(
        request,
        "exams/exam_detail.html",
        {
            "program": program,
            "exam": exam,
            "exam_questions": exam_questions,
            "total": sum((eq.points for eq in exam_questions), Decimal(0)),
            "counts": counts,
            "short_answers": short_answers,
            "frozen": counts["started"] > 0,
            "can_change": may_change(request.user, program),
            "now": timezone.now(),
        },
    )


def exam_questions(request, code, pk):
    """Choose the questions: the same as another exam, drawn at random, or picked by hand from
    the whole bank, filtered by category and keyword (static/js/exam_builder.js filters, ticks
    what is shown and adds up the points as one goes; the server checks what is sent)."""
    program, exam = exam_for(request, code, pk, change=True)
    categories = bank_selectors.bank_categories()
    draw_form = DrawForm(
        request.POST if request.POST.get("action") == "draw" else None,
        categories=categories,
    )
    others = exams_to_copy(request.user, exam).select_related("program").order_by("-opens_at")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "copy":
                source = get_object_or_404(
                    others, pk=whole_number(request.POST.get("source", "")) or 0
                )
                questions.exam_questions_copy(exam=exam, source=source)
            elif action == "draw" and draw_form.is_valid() and draw_form.counts():
                questions.exam_questions_draw(exam=exam, counts=draw_form.counts())
            elif action == "pick":
                questions.exam_questions_pick(
                    exam=exam, question_ids=request.POST.getlist("question")
                )
            else:
                messages.error(request, _("Choose how many questions to draw."))
                return redirect("exams:exam-questions", code=program.code, pk=exam.pk)
        except questions.QuestionsRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The exam's questions are saved."))
            return redirect("exams:exam-detail", code=program.code, pk=exam.pk)
    category, keyword = request.GET.get("category", ""), request.GET.get("q", "").strip()
    pickable = bank_selectors.pickable(category=category, keyword=keyword)
    if request.method == "POST" and request.POST.get("action") == "pick":
        chosen_ids = {whole_number(i) for i in request.POST.getlist("question")} - {None}
    else:
        chosen_ids = set(exam.exam_questions.values_list("question_id", flat=True))
    chosen = [question for question in pickable if question.pk in chosen_ids]
    return render(
        request,
        "exams/exam_questions.html",
        {
            "program": program,
            "exam": exam,
            "draw_form": draw_form,
            "others": others,
            "pickable": pickable,
            "chosen_ids": chosen_ids,
            "shown_count": sum(question.shown for question in pickable),
            "chosen_count": len(chosen),
            "chosen_points": sum((question.points for question in chosen), Decimal(0)),
            "categories": categories,
            "category": category,
            "keyword": keyword,
            "uncategorized": bank_selectors.UNCATEGORIZED,
        },
    )


@require_POST
def exam_release(request, code, pk):
    program, exam = exam_for(request, code, pk, change=True)
    released = request.POST.get("released") == "1"
    grading.exam_release(exam=exam, released=released)
    if released:
        messages.success(request, _("Trainees can now see their scores."))
    else:
        messages.info(request, _("Scores are hidden from trainees again."))
    return redirect("exams:exam-detail", code=program.code, pk=exam.pk)
