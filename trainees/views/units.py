"""The police hierarchy (units): the tree, and correcting a unit. Organizers only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import UpdateView

from trainees import selectors
from trainees.forms import UnitForm
from trainees.models import Unit
from trainees.roles import ORGANIZER, role_required, user_roles


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
