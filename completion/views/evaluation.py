"""The course evaluation (评教): the trainee's list of what is waiting and their answer; the
program's items, its results per activity and per speaker (and their .xlsx); the speakers'
page (师资). No page says who gave which answer."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from completion import evaluation as rules
from completion import evaluation_files
from completion.evaluation_forms import EvaluationAnswerForm, EvaluationItemsForm
from completion.selectors import evaluation as selectors
from completion.services import evaluation as services
from sessions.models import Activity
from trainees import permissions
from trainees.downloads import XLSX, attachment
from trainees.permissions import may_change, program_for
from trainees.roles import LEADERSHIP, ORGANIZER, TRAINEE, role_required

# --- the trainee's side ---------------------------------------------------------------------


@role_required(TRAINEE)
def waiting(request):
    """待评价: the activities the trainee may evaluate now, the one closing first first."""
    waiting = selectors.waiting_for(request.user)
    return render(request, "completion/evaluation_waiting.html", {"waiting": waiting})


@role_required(TRAINEE)
def answer(request, pk):
    """The form for one activity the trainee attended; a refusal sends them back to the list
    with the reason. Another program's activity, or another group's, is 404."""
    activity = get_object_or_404(
        Activity.objects.select_related("program", "venue").prefetch_related("speakers"), pk=pk
    )
    enrollment = selectors.my_enrollment(request.user, activity)
    if enrollment is None:
        raise Http404
    form = None
    if request.method == "POST":
        items = services.evaluation_items_for(program=activity.program)
        form = EvaluationAnswerForm(request.POST, items=items)
        if form.is_valid():
            try:
                services.evaluation_submit(
                    activity=activity,
                    enrollment=enrollment,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except services.EvaluationRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request, _("Thank you: your evaluation is saved, without your name.")
                )
            return redirect("completion:evaluation-waiting")
    reason = selectors.answer_refusal(activity, enrollment)
    if reason:
        messages.error(request, reason)
        return redirect("completion:evaluation-waiting")
    if form is None:
        form = EvaluationAnswerForm(items=services.evaluation_items_for(program=activity.program))
    program_rules = rules.evaluation_rules(activity.program)
    return render(
        request,
        "completion/evaluation_answer.html",
        {
            "activity": activity,
            "form": form,
            "deadline": rules.deadline(activity, program_rules),
        },
    )


# --- the program's side ---------------------------------------------------------------------


def items(request, code):
    """The program's items: changed until the first answer arrives, then shown, locked."""
    program = program_for(request.user, code, change=True)
    current = services.evaluation_items_for(program=program)
    locked = selectors.items_locked(program)
    form = EvaluationItemsForm(
        request.POST or None, initial={"items": "\n".join(item.text for item in current)}
    )
    if request.method == "POST":
        if locked:
            messages.error(
                request, _("Trainees have started to answer: the items can no longer be changed.")
            )
            return redirect("completion:evaluation-items", code=program.code)
        if form.is_valid():
            try:
                services.evaluation_items_set(program=program, texts=form.cleaned_data["items"])
            except services.ItemsLocked as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("The evaluation form is saved."))
            return redirect("completion:evaluation-items", code=program.code)
    return render(
        request,
        "completion/evaluation_items.html",
        {"program": program, "items": current, "locked": locked, "form": form},
    )


def results(request, code):
    """The results of each evaluated activity and of each speaker, once enough answered."""
    program = program_for(request.user, code)
    return render(
        request,
        "completion/evaluation_results.html",
        {
            "program": program,
            "results": selectors.program_results(program),
            "can_change": may_change(request.user, program),
        },
    )


def results_export(request, code):
    """The results as .xlsx, with the comments."""
    program = program_for(request.user, code)
    content = evaluation_files.results_xlsx(
        program, selectors.program_results(program, comments=True)
    )
    return attachment(content, XLSX, f"{program.code}-evaluation.xlsx")


def activity_results(request, code, pk):
    """One activity's means, distribution and comments, once enough answered."""
    program = program_for(request.user, code)
    activity = get_object_or_404(Activity.objects.select_related("group"), program=program, pk=pk)
    result = selectors.one_activity_results(activity)
    return render(
        request,
        "completion/evaluation_activity.html",
        {"program": program, "result": result, "min_answers": selectors.min_answers()},
    )


# --- the speakers (师资) --------------------------------------------------------------------


def readable_programs(user):
    """The programs whose activities the speakers' page counts for `user`: those whose pages
    they read (trainees.permissions.readable_programs)."""
    return permissions.readable_programs(user)


@role_required(ORGANIZER, LEADERSHIP)
def speakers(request):
    """师资: each speaker, their activities across programs and years, their means by year."""
    query = request.GET.get("q", "").strip()[:50]
    found = selectors.speakers_of(readable_programs(request.user), query=query)
    return render(request, "completion/speakers.html", {"speakers": found, "query": query})


@role_required(ORGANIZER, LEADERSHIP)
def speakers_export(request):
    """The speakers' page as .xlsx."""
    query = request.GET.get("q", "").strip()[:50]
    found = selectors.speakers_of(readable_programs(request.user), query=query)
    return attachment(evaluation_files.speakers_xlsx(found), XLSX, "speakers.xlsx")
