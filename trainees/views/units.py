"""The police hierarchy (units): the tree, and correcting a unit. Organizers only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import UpdateView

from trainees import selectors
from trainees.forms import UnitForm
from trainees.models import Unit
from trainees.permissions import organizer_bound, unit_refusal
from trainees.roles import ORGANIZER, role_required, user_roles


@role_required(ORGANIZER)
def unit_list(request):
    """The police hierarchy; organizers correct it here when a roster derived it wrongly."""
    bound = organizer_bound(request.user)
    return render(request, "trainees/unit_list.html", {"tree": selectors.unit_tree(bound)})


class UnitUpdateView(UpdateView):
    """Correct a unit: refused (with the reason) for a unit that holds trainees of programs
    the organizer does not organize (trainees.permissions.unit_refusal); the email, which
    receives score reports of every program, is an administrator's. An organizer with a unit
    (OrganizerUnit) gets 404 for a unit outside it."""

    model = Unit
    form_class = UnitForm
    template_name = "trainees/unit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_roles(request.user).organizer and not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        bound = organizer_bound(self.request.user)
        if bound is None:
            return Unit.objects.all()
        return Unit.objects.filter(pk__in=bound.unit_ids)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.request.user.is_superuser:
            form.fields["email"].disabled = True
            form.fields["email"].help_text = _("Only an administrator sets a unit's email.")
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            refusal=unit_refusal(self.request.user, self.object), **kwargs
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        refusal = unit_refusal(request.user, self.object)
        if refusal:
            messages.error(request, refusal)
            return redirect("trainees:unit-list")
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        messages.success(self.request, _("The unit has been saved."))
        return reverse("trainees:unit-list")
