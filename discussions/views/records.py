"""Discussion records (分组讨论记录) and their ideas (金点子). Who may do what: permissions.py."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from discussions import documents
from discussions.documents import DOCX_TYPE
from discussions.forms import IdeaForm, RecorderForm, RecordSummaryForm
from discussions.permissions import (
    access_for,
    may_read_record,
    may_write_record,
    require_record_organizer,
    require_record_write,
)
from discussions.selectors import records as record_selectors
from discussions.services import records as record_services
from trainees.next_page import next_page
from trainees.roles import TRAINEE, role_required


def detail_url(access, record):
    return reverse(
        "discussions:record-detail",
        args=[access.program.code, record.activity_id, record.group.number],
    )


@role_required(TRAINEE)
def my_discussions(request):
    """The trainee's way in from the navbar: the records of their (latest) program."""
    enrollment = record_selectors.latest_enrollment(request.user)
    if enrollment is None:
        return render(request, "discussions/record_none.html")
    return redirect("discussions:record-list", code=enrollment.program.code)


def record_list(request, code):
    """Organizers and leadership: every discussion × group with its record's state. A trainee:
    the records they may read, on a phone."""
    access = access_for(request.user, code)
    if access.reads_all:
        return render(
            request,
            "discussions/record_list.html",
            {
                "program": access.program,
                "access": access,
                "board": record_selectors.record_board(access.program),
            },
        )
    if not (access.enrollment or access.recorder):
        raise Http404  # a named essay reviewer reads essays, not records
    readable = record_selectors.readable_records(access)
    group_id = access.enrollment.group_id if access.enrollment else None
    own = [r for r in readable if r.group_id == group_id or r.recorder_id == request.user.pk]
    return render(
        request,
        "discussions/record_list_mine.html",
        {
            "program": access.program,
            "access": access,
            "own": own,
            "shared": [r for r in readable if r not in own],
        },
    )


def record_detail(request, code, activity, group):
    """A record: its summary (written here by an organizer or the recorder; the record is
    created by its first save, never by a visit) and its ideas."""
    access = access_for(request.user, code)
    record = record_selectors.record_at(access.program, activity, group)
    if not may_read_record(access, record):
        raise Http404
    if request.method != "POST":
        return detail_page(request, access, record)
    require_record_write(access, record)
    form = RecordSummaryForm(request.POST)
    if not form.is_valid():
        return detail_page(request, access, record, summary_form=form)
    try:
        record_services.record_summary_save(
            activity=record.activity,
            group=record.group,
            summary=form.cleaned_data["summary"],
            base=form.cleaned_data["base"],
        )
    except record_services.SummaryConflict as conflict:
        # Keep the writer's text in the box, show what is stored now, and let a second save
        # (now based on the stored text) replace it knowingly.
        form = RecordSummaryForm(
            {
                "summary": form.cleaned_data["summary"],
                "base": record_services.summary_fingerprint(conflict.current),
            }
        )
        form.is_valid()
        form.add_error(
            "summary",
            _(
                "Someone else changed the summary while you were writing. Their text is shown "
                "above; merge it into yours and save again."
            ),
        )
        record.summary = conflict.current
        return detail_page(request, access, record, summary_form=form, conflict=True, status=409)
    messages.success(request, _("The summary has been saved."))
    return redirect(detail_url(access, record))


def detail_page(
    request, access, record, *, summary_form=None, idea_form=None, conflict=False, status=200
):
    """The record's page, with the forms its reader may use (bound ones when re-shown)."""
    can_write = may_write_record(access, record)
    context = {
        "program": access.program,
        "access": access,
        "record": record,
        "ideas": record_selectors.ideas_of(record),
        "can_write": can_write,
        "can_organize": access.organizer,
        "conflict": conflict,
    }
    if can_write:
        context["summary_form"] = summary_form or RecordSummaryForm(
            initial={
                "summary": record.summary,
                "base": record_services.summary_fingerprint(record.summary),
            }
        )
        context["idea_form"] = idea_form or IdeaForm(program=access.program, group=record.group)
    if access.organizer:
        context["recorder_form"] = RecorderForm(
            initial={"recorder": record.recorder_id},
            group=record.group,
            current=record.recorder_id,
        )
    return render(request, "discussions/record_detail.html", context, status=status)


@require_POST
def record_recorder(request, code, activity, group):
    """Name (or clear) the recorder of a group's record; creates the record if needed."""
    access = access_for(request.user, code)
    record = record_selectors.record_at(access.program, activity, group)
    require_record_organizer(access, record)
    form = RecorderForm(request.POST, group=record.group, current=record.recorder_id)
    if not form.is_valid():
        messages.error(request, _("Choose a trainee of the group."))
        return redirect(detail_url(access, record))
    recorder = form.cleaned_data["recorder"]
    record_services.record_recorder_set(
        activity=record.activity, group=record.group, recorder=recorder
    )
    if recorder is None:
        messages.success(request, _("No one is named the recorder now."))
    else:
        name = form.fields["recorder"].label_from_instance(recorder)
        messages.success(request, _("%(name)s will write this record.") % {"name": name})
    return redirect(detail_url(access, record))


@require_POST
def record_share(request, code, pk):
    """Share a record with the whole class (shared=1), or take it back to its group."""
    access = access_for(request.user, code)
    record = record_selectors.record_of(access.program, pk)
    require_record_organizer(access, record)
    shared = request.POST.get("shared") == "1"
    record_services.record_share(record=record, shared=shared)
    if shared:
        messages.success(request, _("The record is shared with the whole class."))
    else:
        messages.success(request, _("The record is back to its group only."))
    return redirect(detail_url(access, record))


@require_POST
def idea_add(request, code, activity, group):
    """Add an idea to a group's record (organizers and the recorder)."""
    access = access_for(request.user, code)
    record = record_selectors.record_at(access.program, activity, group)
    require_record_write(access, record)
    form = IdeaForm(request.POST, program=access.program, group=record.group)
    if not form.is_valid():
        return detail_page(request, access, record, idea_form=form, status=400)
    record_services.idea_add(
        activity=record.activity,
        group=record.group,
        text=form.cleaned_data["text"],
        author=form.cleaned_data["author"],
    )
    messages.success(request, _("The idea has been added."))
    return redirect(f"{detail_url(access, record)}#ideas")


@require_POST
def idea_delete(request, code, pk):
    access = access_for(request.user, code)
    idea = record_selectors.idea_of(access.program, pk)
    require_record_write(access, idea.record)
    record_services.idea_delete(idea=idea)
    messages.success(request, _("The idea has been removed."))
    return redirect(f"{detail_url(access, idea.record)}#ideas")


@require_POST
def idea_star(request, code, pk):
    """One tap: star an idea (starred=1) or take the star off. With htmx the button comes back;
    without, the page it was tapped on reloads."""
    access = access_for(request.user, code)
    idea = record_selectors.idea_of(access.program, pk)
    require_record_organizer(access, idea.record)
    record_services.idea_star(idea=idea, starred=request.POST.get("starred") == "1")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "discussions/includes/idea_star.html",
            {
                "program": access.program,
                "idea": idea,
                "can_organize": True,
                "back": request.POST.get("next", ""),
            },
        )
    return redirect(
        next_page(request, request.POST.get("next"), f"{detail_url(access, idea.record)}#ideas")
    )


def idea_list(request, code):
    """The starred ideas of every group, for the leadership: organizers and leadership only."""
    access = access_for(request.user, code)
    if not access.reads_all:
        raise Http404
    return render(
        request,
        "discussions/idea_list.html",
        {
            "program": access.program,
            "access": access,
            "ideas": record_selectors.starred_ideas(access.program),
            "can_organize": access.organizer,
        },
    )


def idea_export(request, code):
    """The starred ideas as a Word document (.docx), for the leadership."""
    access = access_for(request.user, code)
    if not access.reads_all:
        raise Http404
    # The document has a heading per group: every group's ideas together, in time order.
    ideas = sorted(
        record_selectors.starred_ideas(access.program),
        key=lambda idea: (idea.record.group.number, idea.record.activity.starts_at, idea.pk),
    )
    body = documents.ideas_docx(
        program=access.program,
        ideas=ideas,
        title=_("Golden ideas of the group discussions"),
    )
    response = HttpResponse(body, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{access.program.code}-ideas.docx"'
    return response
