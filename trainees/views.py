"""Programs, the roster and discussion groups. Views parse, check, and call a service or selector;
who may see what is decided in permissions.py."""

import io

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from trainees import audit, selectors, services
from trainees.forms import (
    EnrollmentMoveForm,
    GroupForm,
    GroupsCreateForm,
    ProgramForm,
    SpreadsheetUploadForm,
    UnitForm,
)
from trainees.models import Enrollment, Group, Unit
from trainees.permissions import ProgramMixin, may_change, program_for
from trainees.roles import LEADERSHIP, ORGANIZER, role_required, user_roles
from trainees.roster import EXPORT_HEADERS
from trainees.uploads import PendingUpload, preview_then_confirm

ROSTER_PAGE_SIZE = 50


def password_change(request):
    """Change the password; right after a first sign-in with an initial password, the old
    password is not asked again (the account has none of its own yet)."""
    first_time = not request.user.has_usable_password()
    form_class = SetPasswordForm if first_time else PasswordChangeForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.trainee_password_chosen(user=request.user)
        update_session_auth_hash(request, form.user)
        request.session.pop("must_change_password", None)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(
        request, "registration/password_change_form.html", {"form": form, "first_time": first_time}
    )


@role_required(ORGANIZER, LEADERSHIP)
def program_list(request):
    """The organizer's start page: their programs (every program for leadership)."""
    return render(
        request,
        "trainees/program_list.html",
        {
            "programs": selectors.program_list_for(request.user),
            "can_create": user_roles(request.user).organizer,
        },
    )


class ProgramCreateView(CreateView):
    form_class = ProgramForm
    template_name = "trainees/program_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_roles(request.user).organizer:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"organizers": [self.request.user]}

    def form_valid(self, form):
        self.object = services.program_save(form=form, user=self.request.user)
        messages.success(self.request, _("The program has been created."))
        return redirect("trainees:program-detail", code=self.object.code)


class ProgramUpdateView(ProgramMixin, UpdateView):
    change = True
    form_class = ProgramForm
    template_name = "trainees/program_form.html"

    def get_object(self):
        return self.program

    def form_valid(self, form):
        self.object = services.program_save(form=form, user=self.request.user)
        messages.success(self.request, _("The program has been saved."))
        return redirect("trainees:program-detail", code=self.object.code)


class ProgramDetailView(ProgramMixin, DetailView):
    template_name = "trainees/program_detail.html"
    context_object_name = "program"

    def get_object(self):
        return self.program

    def get_context_data(self, **kwargs):
        enrollments = self.program.enrollments
        return super().get_context_data(
            groups=selectors.groups_with_counts(self.program),
            active_count=enrollments.filter(status=Enrollment.Status.ACTIVE).count(),
            withdrawn_count=enrollments.filter(status=Enrollment.Status.WITHDRAWN).count(),
            ungrouped_count=enrollments.filter(
                status=Enrollment.Status.ACTIVE, group__isnull=True
            ).count(),
            routine=[line for line in self.program.daily_routine.splitlines() if line.strip()],
            **kwargs,
        )


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
            unit=params.get("unit", "") if params.get("unit", "").isdigit() else None,
            status=params.get("status", ""),
        )
        page = Paginator(enrollments, ROSTER_PAGE_SIZE).get_page(params.get("page"))
        filters = params.copy()
        filters.pop("page", None)
        return super().get_context_data(
            page=page,
            groups=groups,
            units=selectors.roster_units(self.program),
            filters=filters.urlencode(),
            show_phone=may_change(self.request.user, self.program),
            **kwargs,
        )


def roster_export(request, code):
    """The roster as .xlsx, with the columns the import reads: it imports back unchanged."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    program = program_for(request.user, code)
    full_phone = may_change(request.user, program)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    sheet.append(list(EXPORT_HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for enrollment in selectors.roster(program):
        trainee = enrollment.trainee
        sheet.append(
            [
                trainee.police_id,
                trainee.name,
                trainee.get_gender_display(),
                trainee.unit.name,
                trainee.unit.parent.name if trainee.unit.parent else "",
                trainee.position,
                trainee.phone if full_phone else trainee.masked_phone,
                enrollment.group.number if enrollment.group else "",
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" stays text, never a formula (CSV/formula injection)
    for column, width in zip("ABCDEFGH", (12, 10, 6, 36, 24, 12, 14, 6), strict=True):
        sheet.column_dimensions[column].width = width
        for cell in sheet[column][1:]:
            cell.number_format = "@"  # police IDs and phones stay text: 031245 keeps its 0
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{slugify(program.code) or 'roster'}-roster.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
        lambda name, content, dry_run: services.roster_import(
            program=program, name=name, content=content, dry_run=dry_run, user=request.user
        ),
    )
    if imported:
        messages.success(
            request, _("Roster imported: %(summary)s.") % {"summary": summary_text(plan)}
        )
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
    return render(
        request,
        "trainees/slips.html",
        {
            "program": program,
            "enrollments": enrollments,
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )


def enrollment_for(request, code, pk, *, change=False):
    program = program_for(request.user, code, change=change)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("trainee__unit__parent", "trainee__user", "group"),
        program=program,
        pk=pk,
    )
    return program, enrollment


def enrollment_detail(request, code, pk):
    """One trainee of the program: who they are, their group, their status, and the history
    of their record in the program (变更记录: roster, scores, attendance, essay)."""
    program, enrollment = enrollment_for(request, code, pk)
    can_change = may_change(request.user, program)
    history = audit.enrollment_history(enrollment, full_phone=can_change)
    return render(
        request,
        "trainees/enrollment_detail.html",
        {
            "program": program,
            "enrollment": enrollment,
            "trainee": enrollment.trainee,
            "can_change": can_change,
            "move_form": EnrollmentMoveForm(program=program, initial={"group": enrollment.group}),
            "history": history,
        },
    )


@require_POST
def enrollment_move(request, code, pk):
    program, enrollment = enrollment_for(request, code, pk, change=True)
    form = EnrollmentMoveForm(request.POST, program=program)
    if form.is_valid():
        services.enrollment_move(
            enrollment=enrollment, group=form.cleaned_data["group"], user=request.user
        )
        group = enrollment.group or _("no group")
        text = _("%(name)s is now in %(group)s.")
        messages.success(request, text % {"name": enrollment.trainee.name, "group": group})
    else:
        messages.error(request, _("Choose a group of this program."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = enrollment_url(program, enrollment)
    return redirect(back)


@require_POST
def enrollment_status(request, code, pk):
    program, enrollment = enrollment_for(request, code, pk, change=True)
    status = request.POST.get("status")
    if status not in Enrollment.Status.values:
        messages.error(request, _("Unknown status."))
    else:
        services.enrollment_set_status(enrollment=enrollment, status=status, user=request.user)
        status = enrollment.get_status_display()
        messages.success(request, f"{enrollment.trainee.name}: {status}")
    return redirect(enrollment_url(program, enrollment))


@require_POST
def trainee_password_reset(request, code, pk):
    program, enrollment = enrollment_for(request, code, pk, change=True)
    password = services.trainee_reset_password(trainee=enrollment.trainee, user=request.user)
    messages.success(
        request,
        _("New initial password of %(name)s: %(password)s")
        % {"name": enrollment.trainee.name, "password": password},
    )
    return redirect(enrollment_url(program, enrollment))


def enrollment_url(program, enrollment):
    return reverse("trainees:enrollment-detail", args=[program.code, enrollment.pk])


class GroupListView(ProgramMixin, TemplateView):
    template_name = "trainees/group_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            groups=selectors.groups_with_counts(self.program),
            create_form=GroupsCreateForm(initial={"count": 5}),
            ungrouped=self.program.enrollments.filter(
                status=Enrollment.Status.ACTIVE, group__isnull=True
            ).count(),
            **kwargs,
        )


@require_POST
def groups_create(request, code):
    program = program_for(request.user, code, change=True)
    form = GroupsCreateForm(request.POST)
    if form.is_valid():
        services.groups_create(program=program, count=form.cleaned_data["count"], user=request.user)
        messages.success(request, _("The groups have been created."))
    else:
        messages.error(request, _("Give a number of groups between 1 and 40."))
    return redirect("trainees:group-list", code=program.code)


@require_POST
def groups_split(request, code):
    program = program_for(request.user, code, change=True)
    try:
        assignment = services.groups_split(program=program, user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(count)s trainees have been split over the groups.") % {"count": len(assignment)},
        )
    return redirect("trainees:group-list", code=program.code)


class GroupUpdateView(ProgramMixin, UpdateView):
    change = True
    form_class = GroupForm
    template_name = "trainees/group_form.html"

    def get_object(self):
        return get_object_or_404(Group, program=self.program, number=self.kwargs["number"])

    def get_success_url(self):
        messages.success(self.request, _("The group has been saved."))
        return reverse("trainees:group-list", args=[self.program.code])


def groups_print(request, code):
    """Printable group lists: one group per page, with hosts and members."""
    program = program_for(request.user, code)
    return render(
        request,
        "trainees/groups_print.html",
        {"program": program, "groups": selectors.group_lists(program)},
    )


@role_required(ORGANIZER)
def unit_list(request):
    """The police hierarchy; organizers correct it here when a roster derived it wrongly."""
    return render(request, "trainees/unit_list.html", {"tree": selectors.unit_tree()})


class UnitUpdateView(UpdateView):
    model = Unit
    form_class = UnitForm
    template_name = "trainees/unit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_roles(request.user).organizer:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        messages.success(self.request, _("The unit has been saved."))
        return reverse("trainees:unit-list")
