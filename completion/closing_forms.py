"""The forms of the close (结业): the program's rules, an exception, a revocation. They
validate only; completion.services.closing and .certificates write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Activity

REASON_MAX = 200  # Completion.exception_reason, Certificate.revoked_reason


class ClosingRulesForm(forms.Form):
    """Study hours, evaluation and the completion rules of a program (ProgramClosing)."""

    hour_minutes = forms.IntegerField(
        label=_("Minutes in a study hour"),
        min_value=1,
        max_value=240,
        help_text=_("45 in most programs; 40 or 50 where the bureau says so."),
    )
    counted_kinds = forms.MultipleChoiceField(
        label=_("Kinds that count for study hours"),
        choices=Activity.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of activity.")},
    )
    evaluated_kinds = forms.MultipleChoiceField(
        label=_("Kinds that trainees evaluate"),
        choices=Activity.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evaluation_days = forms.IntegerField(
        label=_("Days to evaluate after an activity ends"), min_value=1, max_value=30
    )
    min_attendance_rate = forms.DecimalField(
        label=_("Minimum attendance rate (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty for no minimum."),
    )
    require_graduation_pass = forms.BooleanField(label=_("Graduation exam passed"), required=False)
    require_essay = forms.BooleanField(
        label=_("Essay handed in and graded 合格 or better"), required=False
    )

    @classmethod
    def initial_of(cls, closing):
        return {name: getattr(closing, name) for name in cls.base_fields}


class ExceptionForm(forms.Form):
    """An exception (特批) for one trainee: why. The trainee is the view's to find."""

    reason = forms.CharField(
        label=_("Exception granted because"),
        max_length=REASON_MAX,
        error_messages={"required": _("Say why the exception is granted.")},
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=REASON_MAX,
        error_messages={"required": _("Say why the certificate is revoked.")},
    )


class CloseForm(forms.Form):
    """The close cannot be undone: the organizer ticks that the list is checked."""

    confirm = forms.BooleanField(
        label=_("I have checked the list: close the program and issue the certificates."),
        error_messages={"required": _("Tick the box to confirm the close.")},
    )
