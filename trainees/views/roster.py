"""The roster (名册) of a program: the list, its export, the import and the login slips.
Views parse, check, and call a service or selector; who may see what is decided in
trainees.permissions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from trainees import files, selectors
from trainees.downloads import XLSX, attachment
from trainees.figures import figures_of
from trainees.forms import RosterBulkForm, SpreadsheetUploadForm
from trainees.models import Enrollment
from trainees.next_page import next_page
from trainees.permissions import ProgramMixin, may_change, others_enrollments, program_for
from trainees.services import enrollments, roster
from trainees.text import whole_number
from trainees.uploads import PendingUpload, preview_then_confirm

ROSTER_PAGE_SIZE = 50


class RosterView(ProgramMixin, TemplateView):
    template_name = "trainees/roster.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        groups = list(self.program.groups.order_by("number"))
        valid_groups = {str(group.number) for group in groups} | {"none"}
        enrollments = selectors.roster(
            self.program,
            query=params.get("q", "").strip(),
            group=params.get("group", "") if params.get("group", "") in valid_groups else "",
            unit=whole_number(params.get("unit", "")),
            status=params.get("status", ""),
        )
        page = Paginator(enrollments, ROSTER_PAGE_SIZE).get_page(params.get("page"))
        # The figures of the apps above (study hours): a column each, for this page's rows.
        page.object_list = list(page.object_list)
        figures = figures_of(self.program, [enrollment.pk for enrollment in page])
        for enrollment in page:
            enrollment.figures = [values.get(enrollment.pk) for _figure, values in figures]
        filters = params.copy()
        filters.pop("page", None)
        return super().get_context_data(
            page=page,
            figures=[figure for figure, _values in figures],
            groups=groups,
            units=selectors.roster_units(self.program),
            filters=filters.urlencode(),
            show_phone=may_change(self.request.user, self.program),
            **kwargs,
        )


@require_POST
def roster_bulk(request, code):
    """The trainees ticked on the roster page: moved to a group, or withdrawn, in one POST
    (services.enrollments: a move is all or nothing; a withdrawal refused for one trainee
    is reported, with why, and does not hold back the others)."""
    program = program_for(request.user, code, change=True)
    back = next_page(
        request, request.POST.get("next"), reverse("trainees:roster", args=[program.code])
    )
    form = RosterBulkForm(request.POST, program=program)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    chosen = form.cleaned_data["enrollments"]
    if form.cleaned_data["action"] == RosterBulkForm.MOVE:
        group = form.cleaned_data["group"]
        moved = enrollments.enrollments_move(enrollments=chosen, group=group, user=request.user)
        text = ngettext(
            "%(count)s trainee moved to %(group)s.",
            "%(count)s trainees moved to %(group)s.",
            len(moved),
        )
        messages.success(request, text % {"count": len(moved), "group": group or _("no group")})
        return redirect(back)
    withdrawn, refused = enrollments.enrollments_withdraw(enrollments=chosen, user=request.user)
    if withdrawn:
        text = ngettext(
            "%(count)s trainee withdrawn: %(names)s.",
            "%(count)s trainees withdrawn: %(names)s.",
            len(withdrawn),
        )
        names = _(", ").join(enrollment.trainee.name for enrollment in withdrawn)
        messages.success(request, text % {"count": len(withdrawn), "names": names})
    for _enrollment, why in refused:
        messages.error(request, why)
    return redirect(back)


def roster_export(request, code):
    """The roster as .xlsx, with the columns the import reads: it imports back unchanged."""
    program = program_for(request.user, code)
    content = files.roster_xlsx(program, full_phone=may_change(request.user, program))
    return attachment(content, XLSX, f"{slugify(program.code) or 'roster'}-roster.xlsx")


def roster_import(request, code):
    """Upload → preview (every error with its row, or what will change) → confirm.

    The confirmation imports exactly the file previewed (see uploads.PendingUpload), checked
    again against the database.
    """
    program = program_for(request.user, code, change=True)
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    pending = PendingUpload(request, "roster_upload", program)
    plan, imported = preview_then_confirm(
        request,
        form,
        pending,
        lambda name, content, dry_run: roster.roster_import(
            program=program, name=name, content=content, dry_run=dry_run, user=request.user
        ),
    )
    if imported:
        summary = summary_text(plan)
        if plan.new_groups:
            count = len(plan.new_groups)
            summary = ngettext(
                "%(summary)s; %(count)s new group", "%(summary)s; %(count)s new groups", count
            ) % {"summary": summary, "count": count}
        messages.success(request, _("Roster imported: %(summary)s.") % {"summary": summary})
        return redirect("trainees:roster", code=program.code)
    return render(
        request,
        "trainees/roster_import.html",
        {
            "program": program,
            "form": form,
            "plan": plan,
            "summary": plan and summary_text(plan),
            "digest": pending.digest,
        },
    )


def summary_text(plan):
    return _("%(created)s new, %(updated)s updated, %(unchanged)s unchanged") % {
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
    }


def roster_slips(request, code):
    """Login slips of the trainees who have not chosen a password yet: print, cut, hand out."""
    program = program_for(request.user, code, change=True)
    enrollments = (
        selectors.roster(program, status=Enrollment.Status.ACTIVE)
        .exclude(trainee__initial_password="")
        .order_by("group__number", "trainee__police_id")
    )
    # The initial password of a trainee who also attends programs of others opens those too:
    # their slip says who gives a new one (trainees.permissions.trainee_refusal).
    shared = set(
        others_enrollments(
            request.user, enrollments.values_list("trainee_id", flat=True)
        ).values_list("trainee_id", flat=True)
    )
    return render(
        request,
        "trainees/slips.html",
        {
            "program": program,
            "enrollments": enrollments,
            "shared": shared,
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )
