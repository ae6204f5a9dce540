"""The score report's forms: a recipient, and publishing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportRecipient
from reports.selectors.report import report_units


class RecipientForm(forms.ModelForm):
    """A recipient of the program's score report: who, and the rows they get (the whole
    program, or a unit with trainees of the program under it)."""

    class Meta:
        model = ReportRecipient
        fields = ["name", "email", "scope_unit"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        # The units the report can be cut to: a unit with no trainee of the program under it
        # would be mailed an empty report (and the bureau's whole tree is no list to pick from).
        units = report_units(program).select_related("parent").order_by("name")
        self.fields["scope_unit"].queryset = units
        self.fields["scope_unit"].empty_label = _("Whole program")
        # Two stations may share a name under different branches: say whose.
        self.fields["scope_unit"].label_from_instance = lambda unit: (
            f"{unit.name}（{unit.parent.name}）" if unit.parent else unit.name
        )

    def clean(self):
        cleaned = super().clean()
        email, scope = cleaned.get("email"), cleaned.get("scope_unit")
        if email and self.program.report_recipients.filter(email=email, scope_unit=scope).exists():
            self.add_error("email", _("This address already gets the report of this scope."))
        return cleaned


class PublishForm(forms.Form):
    """Publishing: two optional boxes. Whether "provisional" is needed is the outbox's rule
    (reports.services.outbox.report_publish), which refuses without it."""

    notify_trainees = forms.BooleanField(
        label=_("Also mail each trainee their own scores"), required=False
    )
    provisional = forms.BooleanField(
        label=_("Figures are provisional"),
        required=False,
        help_text=_(
            "Publish them as they are now: each email's subject begins with “[Provisional]”, "
            "and the email and its files say why."
        ),
    )
