"""Organizer pages of the exams app: the question bank, a program's exams, their questions,
grading, paper scores, results and the score report. The trainee's side is in attempt_views.py."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams import bank, paper, selectors, services
from exams.forms import DrawForm, ExamForm, QuestionForm
from exams.models import Answer, Attempt, Exam, Question
from exams.permissions import exam_for
from trainees.downloads import XLSX
from trainees.forms import RosterUploadForm
from trainees.permissions import may_change, program_for
from trainees.roles import ORGANIZER, role_required
from trainees.uploads import PendingUpload, preview_then_confirm

# The question bank --------------------------------------------------------------------------


def bank_questions(request):
    questions = Question.objects.annotate(used=Count("exam_questions"))
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
    response = HttpResponse(bank.bank_export(questions), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="question-bank.xlsx"'
    return response


@role_required(ORGANIZER)
def bank_import(request):
    """Upload a bank (.xlsx/.csv) → preview every row or every error → confirm."""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
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
            name=name, content=content, dry_run=dry_run
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
            bank.question_save(row=form.cleaned_data["row"], question=question)
        except bank.QuestionAnswered as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Question saved."))
            return redirect("exams:bank")
    return render(request, "exams/question_form.html", {"form": form, "question": question})


# A program's exams --------------------------------------------------------------------------


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


def bank_categories():
    return list(
        Question.objects.values_list("category").annotate(n=Count("pk")).order_by("category")
    )


def exam_questions(request, code, pk):
    """Choose the questions: the same as another exam, drawn at random, or picked by hand."""
    program, exam = exam_for(request, code, pk, change=True)
    draw_form = DrawForm(
        request.POST if request.POST.get("action") == "draw" else None,
        categories=bank_categories(),
    )
    others = Exam.objects.filter(exam_questions__isnull=False).exclude(pk=exam.pk).distinct()
    others = others.select_related("program").order_by("-opens_at")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "copy":
                source = get_object_or_404(others, pk=request.POST.get("source"))
                services.exam_questions_copy(exam=exam, source=source)
            elif action == "draw" and draw_form.is_valid() and draw_form.counts():
                services.exam_questions_draw(exam=exam, counts=draw_form.counts())
            elif action == "pick":
                ids = [int(i) for i in request.POST.getlist("question") if i.isdigit()]
                chosen = Question.objects.in_bulk(ids)
                services.exam_questions_set(
                    exam=exam, questions=[chosen[i] for i in ids if i in chosen]
                )
            else:
                messages.error(request, _("Choose how many questions to draw."))
                return redirect("exams:exam-questions", code=program.code, pk=exam.pk)
        except services.QuestionsRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The exam's questions are saved."))
            return redirect("exams:exam-detail", code=program.code, pk=exam.pk)
    category = request.GET.get("category", "")
    pickable = Question.objects.all()
    if category:
        pickable = pickable.filter(category=category)
    chosen_ids = set(exam.exam_questions.values_list("question_id", flat=True))
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
            "categories": bank_categories(),
            "category": category,
        },
    )


@require_POST
def exam_release(request, code, pk):
    program, exam = exam_for(request, code, pk, change=True)
    released = request.POST.get("released") == "1"
    services.exam_release(exam=exam, released=released)
    if released:
        messages.success(request, _("Trainees can now see their scores."))
    else:
        messages.info(request, _("Scores are hidden from trainees again."))
    return redirect("exams:exam-detail", code=program.code, pk=exam.pk)


def parse_points(text):
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def posted_grid(post, rows, prefix, trainee_of, stored_of):
    """The numbers changed in a grid ({row pk: Decimal or None}) and the errors, each naming
    its trainee: a field that is not a number, or one whose stored value someone else changed
    since the page was loaded (its `was_` field), which is not overwritten."""
    values, errors = {}, []
    for row in rows:
        field = f"{prefix}_{row.pk}"
        if field not in post:
            continue
        name = trainee_of(row).name
        try:
            value = parse_points(post[field])
            was = parse_points(post.get(f"was_{field}", ""))
        except ValueError as bad:
            errors.append(
                _("%(name)s: “%(value)s” is not a number.") % {"name": name, "value": bad}
            )
            continue
        if value == was:
            continue  # not changed on this page
        if stored_of(row) != was:
            errors.append(
                _("%(name)s: someone else has changed this score meanwhile; reload the page.")
                % {"name": name}
            )
            continue
        values[row.pk] = value
    return values, errors


def exam_grading(request, code, pk, question_pk):
    """阅卷: one short-answer question across every trainee, points typed in a column."""
    program, exam = exam_for(request, code, pk, change=True)
    exam_question = get_object_or_404(
        exam.exam_questions.select_related("question"),
        question_id=question_pk,
        question__kind=Question.Kind.SHORT_ANSWER,
    )
    services.attempts_close_expired(exam=exam)
    answers = (
        Answer.objects.filter(
            attempt__exam=exam, question_id=question_pk, attempt__submitted_at__isnull=False
        )
        .select_related("attempt__enrollment__trainee", "graded_by")
        .order_by("attempt__enrollment__trainee__police_id")
    )
    errors = []
    if request.method == "POST":
        points, errors = posted_grid(
            request.POST,
            answers,
            "points",
            lambda answer: answer.attempt.enrollment.trainee,
            lambda answer: answer.points_awarded,
        )
        if not errors:
            try:
                changed = services.short_answers_grade(
                    exam=exam, question=exam_question.question, points=points, user=request.user
                )
            except services.ScoreError as error:
                errors = error.errors
            else:
                messages.success(request, _("%(count)s scores saved.") % {"count": changed})
                return redirect(request.get_full_path())
    answers = list(answers)
    for answer in answers:  # after an error, the fields keep what was typed
        stored = "" if answer.points_awarded is None else services.plain(answer.points_awarded)
        answer.shown = request.POST.get(f"points_{answer.pk}", stored) if errors else stored
        answer.was = request.POST.get(f"was_points_{answer.pk}", stored) if errors else stored
    return render(
        request,
        "exams/exam_grading.html",
        {
            "program": program,
            "exam": exam,
            "exam_question": exam_question,
            "answers": answers,
            "errors": errors,
        },
    )


def paper_scores(request, code, pk):
    """The score grid of a paper exam: one field a trainee, Tab or Enter to the next."""
    program, exam = exam_for(request, code, pk, change=True, mode=Exam.Mode.PAPER)
    enrollments = program.enrollments.filter(status="active").select_related("trainee__unit")
    enrollments = enrollments.order_by("group__number", "trainee__police_id")
    scores = dict(exam.attempts.values_list("enrollment_id", "score"))
    errors = []
    if request.method == "POST":
        posted, errors = posted_grid(
            request.POST,
            enrollments,
            "score",
            lambda enrollment: enrollment.trainee,
            lambda enrollment: scores.get(enrollment.pk),
        )
        if not errors:
            try:
                changed = services.paper_scores_set(exam=exam, scores=posted, user=request.user)
            except services.ScoreError as error:
                errors = error.errors
            else:
                messages.success(request, _("%(count)s scores saved.") % {"count": changed})
                return redirect("exams:paper-scores", code=program.code, pk=exam.pk)
    rows = []
    for enrollment in enrollments:
        stored = scores.get(enrollment.pk)
        stored = "" if stored is None else services.plain(stored)
        field = f"score_{enrollment.pk}"
        shown = request.POST.get(field, stored) if errors else stored
        was = request.POST.get(f"was_{field}", stored) if errors else stored
        rows.append((enrollment, shown, was))
    return render(
        request,
        "exams/paper_scores.html",
        {"program": program, "exam": exam, "rows": rows, "errors": errors},
    )


def paper_import(request, code, pk):
    """Paper scores from a spreadsheet (警号, 成绩): preview, then confirm; all or nothing."""
    program, exam = exam_for(request, code, pk, change=True, mode=Exam.Mode.PAPER)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = _("Score file")
    form.fields["file"].help_text = _("Columns 警号 and 成绩 (姓名 optional, checked if present).")
    pending = PendingUpload(request, f"paper_scores_{exam.pk}", program)
    result, imported = preview_then_confirm(
        request,
        form,
        pending,
        lambda name, content, dry_run: paper.scores_import(
            exam=exam, name=name, content=content, user=request.user, dry_run=dry_run
        ),
    )
    if imported:
        messages.success(request, _("%(count)s scores imported.") % {"count": len(result.scores)})
        return redirect("exams:paper-scores", code=program.code, pk=exam.pk)
    return render(
        request,
        "exams/paper_import.html",
        {
            "program": program,
            "exam": exam,
            "form": form,
            "result": result,
            "digest": pending.digest,
        },
    )


def exam_results(request, code, pk):
    """成绩分析: distribution, mean, median, pass rate, ranking and item analysis."""
    program, exam = exam_for(request, code, pk)
    if may_change(request.user, program):
        services.attempts_close_expired(exam=exam)
    results = selectors.exam_results(exam)
    peak = max((count for _label, count in results.distribution), default=0)
    return render(
        request,
        "exams/exam_results.html",
        {
            "program": program,
            "exam": exam,
            "results": results,
            "items": selectors.item_analysis(exam) if exam.mode == Exam.Mode.ONLINE else [],
            "bars": [
                (label, count, 5 * round(20 * count / peak) if peak else 0)
                for label, count in results.distribution
            ],
        },
    )


def program_gains(request, code):
    """Entry against graduation: per trainee, per group and per unit."""
    program = program_for(request.user, code)
    return render(
        request,
        "exams/program_gains.html",
        {"program": program, "scores": selectors.program_scores(program)},
    )
