"""A program's discussion groups: the list, creating them, splitting the trainees over them,
a group's hosts and topic, the printed lists. Views parse, check, and call a service or
selector; who may see what is decided in trainees.permissions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView, UpdateView

from trainees import selectors
from trainees.forms import GroupForm, GroupsCreateForm, GroupsFormSet
from trainees.models import Enrollment, Group
from trainees.permissions import ProgramMixin, program_for
from trainees.services import groups


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
        groups.groups_create(program=program, count=form.cleaned_data["count"], user=request.user)
        messages.success(request, _("The groups have been created."))
    else:
        messages.error(request, _("Give a number of groups between 1 and 40."))
    return redirect("trainees:group-list", code=program.code)


@require_POST
def groups_split(request, code):
    program = program_for(request.user, code, change=True)
    try:
        assignment = groups.groups_split(program=program, user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(count)s trainees have been split over the groups.") % {"count": len(assignment)},
        )
    return redirect("trainees:group-list", code=program.code)


def groups_update(request, code):
    """Every group's name, host and topic on one page, saved by one POST, all or nothing."""
    program = program_for(request.user, code, change=True)
    formset = GroupsFormSet(
        request.POST or None, queryset=program.groups.order_by("number"), prefix="groups"
    )
    if request.method == "POST" and formset.is_valid():
        changed = groups.groups_update(
            program=program, groups=formset.save(commit=False), user=request.user
        )
        messages.success(
            request,
            ngettext(
                "%(count)s group has been saved.", "%(count)s groups have been saved.", len(changed)
            )
            % {"count": len(changed)},
        )
        return redirect("trainees:group-list", code=program.code)
    return render(request, "trainees/groups_edit.html", {"program": program, "formset": formset})


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
