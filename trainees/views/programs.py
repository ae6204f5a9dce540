"""Programs: the organizer's list, creating, changing and the program's page. Views parse,
check, and call a service or selector; who may see what is decided in trainees.permissions."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView

from trainees import selectors
from trainees.forms import ProgramForm
from trainees.models import Enrollment
from trainees.permissions import ProgramMixin
from trainees.roles import LEADERSHIP, ORGANIZER, role_required, user_roles
from trainees.services import programs


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
        return {
            "organizers": [self.request.user],
            "bureau": selectors.organizer_bureau(self.request.user),
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        self.object = programs.program_save(form=form, user=self.request.user)
        messages.success(self.request, _("The program has been created."))
        return redirect("trainees:program-detail", code=self.object.code)


class ProgramUpdateView(ProgramMixin, UpdateView):
    change = True
    form_class = ProgramForm
    template_name = "trainees/program_form.html"

    def get_object(self):
        # A copy: the form writes what was posted into its instance even when it refuses it,
        # and the page shown again names the program (its breadcrumb, Cancel) by the code
        # it has, not by a posted '²' that no URL takes.
        return copy.copy(self.program)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        self.object = programs.program_save(form=form, user=self.request.user)
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
