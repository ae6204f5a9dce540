"""The trainee's side of an exam: the list, starting, the paper with its autosave, submitting,
and the result once the organizer has released it. Another trainee's attempt is a 404."""

import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams.models import Exam
from exams.permissions import own_attempt, own_enrollments
from exams.selectors import attempts as attempts_selectors
from exams.services import attempts
from trainees.models import Enrollment
from trainees.roles import TRAINEE, role_required
from trainees.text import whole_number


@role_required(TRAINEE)
def my_exams(request):
    """我的考试: open exams to start or continue, and released results."""
    now = timezone.now()
    return render(
        request,
        "exams/my_exams.html",
        {"rows": attempts_selectors.trainee_exams(own_enrollments(request.user), now), "now": now},
    )


@require_POST
@role_required(TRAINEE)
def exam_start(request, pk):
    enrollment = get_object_or_404(
        Enrollment, trainee__user=request.user, program__exams=pk, status="active"
    )
    exam = get_object_or_404(Exam, pk=pk)
    try:
        attempt = attempts.attempt_start(exam=exam, enrollment=enrollment)
    except attempts.AttemptRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("exams:my-exams")
    return redirect("exams:attempt", pk=attempt.pk)


def attempt_page(request, pk):
    """The paper: every question on one page, answers saved as they change, and a navigator
    of the questions answered and not (kept up to date by js/exam.js)."""
    attempt = own_attempt(request, pk)
    if attempt.started_at is None:
        raise Http404  # a paper exam's score row
    now = timezone.now()
    if attempt.submitted_at is None and now > attempt.deadline:
        attempt, _submitted = attempts.attempt_submit(attempt=attempt, now=now)
    if attempt.submitted_at is not None:
        return render(request, "exams/attempt_done.html", {"attempt": attempt})
    items = attempts_selectors.attempt_paper(attempt)
    answered = sum(item.answered for item in items)
    return render(
        request,
        "exams/attempt.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "items": items,
            "answered": answered,
            "unanswered": len(items) - answered,
            "seconds_left": int((attempt.deadline - now).total_seconds()),
        },
    )


def posted_answer(values, text=""):
    """Choice ids from the posted values, ignoring anything that is not a number."""
    return [number for v in values if (number := whole_number(v)) is not None], text


def given_answers(post):
    """The answers of an autosave: a JSON list in `answers` (the exam page sends every answer
    not yet acknowledged at once), or one answer's fields (question, revision, choice, text)."""
    if "answers" in post:
        items = json.loads(post["answers"])
    else:
        items = [
            {
                "question": post["question"],
                "revision": post["revision"],
                "choices": post.getlist("choice"),
                "text": post.get("text", ""),
            }
        ]
    return [
        attempts.GivenAnswer(
            question_id=int(item["question"]),
            revision=int(item["revision"]),
            choices=tuple(int(choice) for choice in item.get("choices", ())),
            text=str(item.get("text", "")),
        )
        for item in items
    ]


@require_POST
def answer_save(request, pk):
    """Autosave: 200 with what became of each answer (saved, stale: a newer one is stored, or
    why it was refused), 409 when time is up, 404 for someone else's attempt. Kept lean: the
    session, the user, one locked read of the attempt and one UPDATE an answer."""
    try:
        answers = given_answers(request.POST)
    # OverflowError: a number JSON writes as 1e400 (Infinity to int()); RecursionError: lists
    # nested deeper than the JSON reader goes.
    except (KeyError, ValueError, TypeError, AttributeError, OverflowError, RecursionError):
        return JsonResponse({"error": _("Incomplete answer.")}, status=400)
    try:
        outcome = attempts.answers_save(attempt_id=pk, user=request.user, answers=answers)
    except attempts.AnswerRefused as refusal:
        if refusal.missing:
            raise Http404 from refusal
        return JsonResponse({"error": str(refusal), "closed": True}, status=409)
    return JsonResponse(
        {
            "saved": [q for q, result in outcome.items() if result == "saved"],
            "stale": [q for q, result in outcome.items() if result == "stale"],
            "refused": {
                q: result for q, result in outcome.items() if result not in ("saved", "stale")
            },
        }
    )


@require_POST
def attempt_submit(request, pk):
    """Submit: the form carries every answer as shown, saved first if time remains. Without
    JavaScript this is how answers arrive at all."""
    attempt = own_attempt(request, pk)
    answers = []
    for name in request.POST:
        if name[:1] in ("q", "t") and whole_number(name[1:]) is not None:
            # r<id> is the revision of what the page shows: one above the revision it loaded,
            # or, with JavaScript, the revision of the trainee's last change.
            revision = request.POST.get(f"r{name[1:]}", "")
            choices, text = (
                posted_answer(request.POST.getlist(name))
                if name[0] == "q"  # the options of a choice question
                else ([], request.POST[name])  # the text of a short answer
            )
            answers.append(
                attempts.GivenAnswer(
                    question_id=int(name[1:]),
                    revision=1 if (number := whole_number(revision)) is None else number,
                    choices=tuple(choices),
                    text=text,
                )
            )
    attempt, submitted = attempts.attempt_submit(attempt=attempt, answers=answers)
    if submitted:
        messages.success(request, _("Your exam is submitted."))
    return redirect("exams:attempt", pk=attempt.pk)


def attempt_result(request, pk):
    """A trainee's result, with every question, once the organizer has released the scores."""
    attempt = own_attempt(request, pk)
    if attempt.exam.released_at is None or attempt.submitted_at is None:
        raise Http404
    return render(
        request,
        "exams/attempt_result.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "items": attempts_selectors.attempt_paper(attempt, shuffle=False),
        },
    )
