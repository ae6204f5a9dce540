"""The question bank (题库): the list with its filters, one question's form, and the bank's
import and export as a spreadsheet."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from exams.forms import QuestionForm
from exams.models import Question
from exams.services import bank
from trainees.downloads import XLSX, attachment
from trainees.forms import SpreadsheetUploadForm
from trainees.roles import ORGANIZER, role_required
from trainees.uploads import PendingUpload, preview_then_confirm


def bank_questions(request):
    # An aggregate drops Meta.ordering: the bank pages in its order (category, then id).
    questions = Question.objects.annotate(used=Count("exam_questions")).order_by("category", "id")
    category, kind, search = (request.GET.get(k, "") for k in ("category", "kind", "q"))
    if category:
        questions = questions.filter(category=category)
    if kind:
        questions = questions.filter(kind=kind)
    if search:
        questions = questions.filter(Q(text__icontains=search) | Q(explanation__icontains=search))
    return questions, {"category": category, "kind": kind, "q": search}


@role_required(ORGANIZER)
def bank_list(request):
    """题库: every question, filtered by category, type and words."""
    questions, filters = bank_questions(request)
    page = Paginator(questions.prefetch_related("choices"), 50).get_page(request.GET.get("page"))
    categories = Question.objects.order_by("category").values_list("category", flat=True).distinct()
    return render(
        request,
        "exams/bank_list.html",
        {
            "page": page,
            "filters": filters,
            "categories": categories,
            "kinds": Question.Kind.choices,
            "letters": bank.LETTERS,
        },
    )


@role_required(ORGANIZER)
def bank_export(request):
    questions, _filters = bank_questions(request)
    return attachment(bank.bank_export(questions), XLSX, "question-bank.xlsx")


@role_required(ORGANIZER)
def bank_import(request):
    """Upload a bank (.xlsx/.csv) → preview every row or every error → confirm."""
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = _("Question bank file")
    form.fields["file"].help_text = _(
        "Columns 题型, 分类, 题干, A–F, 答案, 分值, 解析, as in the bank's export."
    )
    pending = PendingUpload(request, "bank_upload", program=None)
    result, imported = preview_then_confirm(
        request,
        form,
        pending,
        lambda name, content, dry_run: bank.bank_import(
            name=name, content=content, dry_run=dry_run, user=request.user
        ),
    )
    if imported:
        messages.success(
            request,
            _("Question bank imported: %(created)s new, %(updated)s updated.")
            % {"created": result.count("create"), "updated": result.count("update")},
        )
        return redirect("exams:bank")
    return render(
        request,
        "exams/bank_import.html",
        {
            "form": form,
            "result": result,
            "digest": pending.digest,
            **{
                key: result.count(action) if result else 0
                for key, action in (
                    ("created", "create"),
                    ("updated", "update"),
                    ("unchanged", "unchanged"),
                )
            },
        },
    )


@role_required(ORGANIZER)
def question_form(request, pk=None):
    question = get_object_or_404(Question, pk=pk) if pk else None
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            bank.question_save(row=form.cleaned_data["row"], question=question, user=request.user)
        except bank.QuestionAnswered as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Question saved."))
            return redirect("exams:bank")
    return render(request, "exams/question_form.html", {"form": form, "question": question})
