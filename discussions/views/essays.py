"""Reflection essays (学习心得体会): the trainee's editor with its autosave, and the review by
organizers and the reviewers they name. Who may see what is decided in permissions.py; a
trainee only ever reaches their own essay (the URLs name the program, never an essay)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from discussions import documents, similarity
from discussions.forms import (
    EssayExtendForm,
    EssayReturnForm,
    EssayReviewersForm,
    EssayReviewForm,
)
from discussions.models import Essay, EssayRevision
from discussions.permissions import access_for, essay_access, own_enrollment, reads_essays_of
from discussions.selectors import essays as essay_selectors
from discussions.services import essays as essay_services
from trainees.models import Enrollment
from trainees.roles import TRAINEE, role_required
from trainees.text import whole_number


def own_essay(enrollment):
    return Essay.objects.filter(enrollment=enrollment).first()


@role_required(TRAINEE)
def my_essay(request):
    """The navbar's 心得体会: the essay of the trainee's latest program."""
    enrollment = (
        Enrollment.objects.filter(trainee__user=request.user, status=Enrollment.Status.ACTIVE)
        .select_related("program")
        .order_by("-program__start_date")
        .first()
    )
    if enrollment is None:
        return render(request, "discussions/essay_none.html")
    return redirect("discussions:essay-edit", code=enrollment.program.code)


def essay_edit(request, code):
    """The trainee's editor: it saves by itself; once handed in, the essay is shown as is."""
    enrollment = own_enrollment(request, code)
    program = enrollment.program
    essay = own_essay(enrollment)
    now = timezone.now()
    opens, _deadline = essay_services.essay_window(program)
    deadline = essay_services.essay_deadline(essay or Essay(), program)
    return render(
        request,
        "discussions/essay_edit.html",
        {
            "program": program,
            "essay": essay,
            "revision": essay.revision if essay else 0,
            "chars": essay.chars if essay else 0,
            "opens_at": opens,
            "is_open": now >= opens,
            "deadline": deadline,
            "past_deadline": bool(deadline and now > deadline),
            "revisions": essay_selectors.essay_revisions(essay) if essay else [],
        },
    )


# Revisions are milliseconds of a clock: anything outside a BigIntegerField is malformed.
MAX_REVISION = 2**62


def posted_text(post):
    """(title, body, revision, base) of an essay form or autosave; ValueError if malformed."""
    revision, base = int(post["revision"]), int(post.get("base") or 0)
    if not (0 <= revision < MAX_REVISION and 0 <= base < MAX_REVISION):
        raise ValueError(revision)
    return post.get("title", "").strip(), post["body"], revision, base


@require_POST
def essay_save(request, code):
    """Autosave: 200 with what became of the text ("saved", or "stale": a newer text from
    another window is stored and stays; this one is kept as a version), 409 when the essay can
    no longer change, 404 for anyone but a trainee of the program."""
    enrollment = own_enrollment(request, code)
    try:
        title, body, revision, base = posted_text(request.POST)
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Incomplete request: reload the page.")}, status=400)
    try:
        saved = essay_services.essay_save(
            enrollment=enrollment, title=title, body=body, revision=revision, base=base
        )
    except essay_services.EssayRefused as refusal:
        return JsonResponse({"error": str(refusal)}, status=409)
    if saved.result == "locked":
        return JsonResponse({"error": str(HANDED_IN), "result": "locked"}, status=409)
    return JsonResponse(
        {
            "result": saved.result,
            "revision": saved.essay.revision,
            "chars": saved.essay.chars,
            "saved_at": timezone.localtime(saved.essay.updated_at).strftime("%H:%M:%S"),
        }
    )


HANDED_IN = gettext_lazy(
    "The essay is already handed in; the text sent from here is kept under Versions."
)
NEWER_ELSEWHERE = gettext_lazy(
    "A newer text was saved in another window; the text from here is kept under Versions."
)


@require_POST
def essay_submit(request, code):
    """The editor's form: "save" (without JavaScript) or "submit". The text on screen is
    saved first, in its own transaction, so a refused hand-in (too short, no title, past the
    deadline) never loses it."""
    enrollment = own_enrollment(request, code)
    action = request.POST.get("action")
    try:
        title, body, revision, base = posted_text(request.POST)
        if action not in ("save", "submit"):
            raise ValueError(action)
    except (KeyError, ValueError):
        messages.error(request, _("Incomplete request: reload the page."))
        return redirect("discussions:essay-edit", code=code)
    essay = essay_services.essay_for(enrollment=enrollment)
    try:
        saved = essay_services.essay_save(
            essay=essay, title=title, body=body, revision=revision, base=base
        )
        if saved.result == "locked":
            messages.error(request, HANDED_IN)
        elif saved.result == "stale":
            messages.warning(request, NEWER_ELSEWHERE)
        elif action == "save":
            messages.success(request, _("Your essay is saved."))
        else:
            essay_services.essay_submit(essay=essay)
            messages.success(request, _("Your essay is handed in."))
    except essay_services.EssayRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("discussions:essay-edit", code=code)


@require_POST
def essay_restore(request, code, pk):
    """Put a kept version back (the text it replaces is kept in turn)."""
    enrollment = own_enrollment(request, code)
    revision = get_object_or_404(EssayRevision, pk=pk, essay__enrollment=enrollment)
    try:
        essay_services.essay_restore(essay=revision.essay, revision=revision)
    except essay_services.EssayRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("The version of %(time)s is back.")
            % {"time": timezone.localtime(revision.created_at).strftime("%m-%d %H:%M")},
        )
    return redirect("discussions:essay-edit", code=code)


def essay_list(request, code):
    """审阅: every trainee's essay and where it stands (handed in, reviewed, missing, late),
    filtered by state or group."""
    access = essay_access(request.user, code)
    progress = essay_selectors.essay_progress(access.program)
    state, group = request.GET.get("state", ""), request.GET.get("group", "")
    rows = progress.rows
    if state == "late":
        rows = [row for row in rows if row.late]
    elif state in essay_selectors.STATES:
        rows = [row for row in rows if row.state == state]
    if (number := whole_number(group)) is not None:
        rows = [
            row for row in rows if row.enrollment.group and row.enrollment.group.number == number
        ]
    return render(
        request,
        "discussions/essay_list.html",
        {
            "program": access.program,
            "access": access,
            "can_change": access.organizer,
            "rows": rows,
            "counts": progress.counts,
            "state": state,
            "group": group,
            "groups": access.program.groups.order_by("number"),
            "opens_at": essay_services.essay_window(access.program)[0],
        },
    )


def essay_review(request, code, pk):
    """One trainee's essay for review: the text, the essays most like it with the shared
    passages marked, the reviews so far, and the organizer's return and extension."""
    access = essay_access(request.user, code)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("trainee__unit", "group"), pk=pk, program=access.program
    )
    essay = own_essay(enrollment)
    form = EssayReviewForm(request.POST or None) if access.reviews else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if essay is None:
            raise Http404
        if form.is_valid():
            try:
                essay_services.essay_review(essay=essay, reviewer=request.user, **form.cleaned_data)
            except essay_services.EssayRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _("The review is saved."))
                return redirect(request.get_full_path())
    elif form is not None and essay is not None and essay.grade:
        form = EssayReviewForm(initial={"grade": essay.grade, "excellent": essay.excellent})
    deadline = essay_services.essay_deadline(essay or Essay(), access.program)
    matches = essay_selectors.essay_matches(essay) if essay else []
    compared = comparison(request, access, essay, matches, request.GET.get("vs"))
    return render(
        request,
        "discussions/essay_review.html",
        {
            "program": access.program,
            "access": access,
            "enrollment": enrollment,
            "essay": essay,
            "deadline": deadline,
            "past_deadline": bool(deadline and timezone.now() > deadline),
            "form": form,
            "return_form": EssayReturnForm() if access.organizer else None,
            "extend_form": EssayExtendForm(
                initial={"until": essay.extended_until if essay else None}
            )
            if access.organizer
            else None,
            "matches": matches,
            "compared": compared,
            "reviews": list(essay.reviews.select_related("reviewer")) if essay else [],
        },
    )


def comparison(request, access, essay, matches, chosen):
    """The essay and one similar essay (the most similar, or ?vs=<essay id>) with the
    passages they share marked. An essay of another program is shown only to those who may
    read that program's essays; others see its figures and the marked passages of this one."""
    readable = {access.program.pk: True}
    for match in matches:
        program = match.other.enrollment.program
        if program.pk not in readable:
            readable[program.pk] = reads_essays_of(request.user, program)
        match.readable = readable[program.pk]
    match = next((m for m in matches if str(m.other_id) == chosen), matches[0] if matches else None)
    if match is None:
        return None
    other = match.other
    return {
        "match": match,
        "mine": similarity.highlight(essay.body, similarity.shared_spans(essay.body, other.body)),
        "theirs": similarity.highlight(other.body, similarity.shared_spans(other.body, essay.body))
        if match.readable
        else None,
    }


def organizer_essay(request, code, pk):
    """The Access of an organizer of the program, and the trainee's place in it."""
    access = essay_access(request.user, code, change=True)
    return access, get_object_or_404(Enrollment, pk=pk, program=access.program)


@require_POST
def essay_return(request, code, pk):
    """Give a handed-in essay back for revision, with what to revise."""
    _access, enrollment = organizer_essay(request, code, pk)
    essay = get_object_or_404(Essay, enrollment=enrollment)
    form = EssayReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise essay_services.EssayRefused(_("Say what should be revised."))
        essay_services.essay_return(
            essay=essay, comment=form.cleaned_data["comment"], user=request.user
        )
    except essay_services.EssayRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The essay is returned for revision."))
    return redirect("discussions:essay-review", code=code, pk=pk)


@require_POST
def essay_extend(request, code, pk):
    """Let one trainee hand in after the deadline (or withdraw that)."""
    _access, enrollment = organizer_essay(request, code, pk)
    form = EssayExtendForm(request.POST)
    try:
        if not form.is_valid():
            raise essay_services.EssayRefused(_("Give a date and time, e.g. 2023-01-05 18:00."))
        essay_services.essay_extend(
            enrollment=enrollment, until=form.cleaned_data["until"], user=request.user
        )
    except essay_services.EssayRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The extension is saved."))
    return redirect("discussions:essay-review", code=code, pk=pk)


def essay_export(request, code):
    """Every handed-in essay of the program (or ?excellent=1, the outstanding ones) as one
    Word compilation with a table of contents."""
    access = essay_access(request.user, code)
    program = access.program
    excellent = request.GET.get("excellent") == "1"
    essays = essay_selectors.essays_for_export(program, excellent_only=excellent)
    title = (
        _("%(program)s: outstanding reflection essays")
        if excellent
        else _("%(program)s: reflection essays")
    ) % {"program": program.title}
    content = documents.essays_docx(program=program, essays=essays, title=title)
    response = HttpResponse(
        content,
        content_type=documents.DOCX_TYPE,
    )
    name = f"{program.code}-{'excellent-' if excellent else ''}essays.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def essay_reviewers(request, code):
    """The organizer names who, besides the organizers, reviews the essays."""
    access = access_for(request.user, code)
    if not access.organizer:
        raise Http404
    program = access.program
    current = list(program.essay_reviewers.values_list("user_id", flat=True))
    form = EssayReviewersForm(request.POST or None, program=program, initial={"reviewers": current})
    if request.method == "POST" and form.is_valid():
        essay_services.essay_reviewers_set(program=program, users=form.cleaned_data["reviewers"])
        messages.success(request, _("The reviewers are saved."))
        return redirect("discussions:essay-list", code=code)
    return render(request, "discussions/essay_reviewers.html", {"program": program, "form": form})
