"""Scores an organizer types or uploads: 阅卷 (a short-answer question across trainees), the
score grid of a paper exam, and its scores imported from a spreadsheet."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from exams.models import Answer, Exam, Question
from exams.permissions import exam_for
from exams.services import attempts, grading, paper
from exams.services.numbers import plain
from trainees.forms import SpreadsheetUploadForm
from trainees.uploads import PendingUpload, preview_then_confirm


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
    attempts.attempts_close_expired(exam=exam)
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
                changed = grading.short_answers_grade(
                    exam=exam, question=exam_question.question, points=points, user=request.user
                )
            except grading.ScoreError as error:
                errors = error.errors
            else:
                messages.success(request, _("%(count)s scores saved.") % {"count": changed})
                return redirect(request.get_full_path())
    answers = list(answers)
    for answer in answers:  # after an error, the fields keep what was typed
        stored = "" if answer.points_awarded is None else plain(answer.points_awarded)
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
                changed = paper.paper_scores_set(exam=exam, scores=posted, user=request.user)
            except grading.ScoreError as error:
                errors = error.errors
            else:
                messages.success(request, _("%(count)s scores saved.") % {"count": changed})
                return redirect("exams:paper-scores", code=program.code, pk=exam.pk)
    rows = []
    for enrollment in enrollments:
        stored = scores.get(enrollment.pk)
        stored = "" if stored is None else plain(stored)
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
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
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
