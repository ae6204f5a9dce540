from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from discussions.models import Grade
from trainees.forms import DateTimeInput
from trainees.roles import LEADERSHIP, ORGANIZER


class EssayReviewForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    excellent = forms.BooleanField(
        label=_("Outstanding essay (goes into the compilation of the best)"), required=False
    )


class EssayReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should be revised"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EssayExtendForm(forms.Form):
    until = forms.DateTimeField(
        label=_("May hand in until"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty to withdraw the extension."),
    )


class EssayReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Besides the organizers, who grade every essay of the program."),
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        organizers = program.organizers.values_list("pk", flat=True)
        field = self.fields["reviewers"]
        field.queryset = (
            get_user_model()
            .objects.filter(Q(groups__name=ORGANIZER) | Q(groups__name=LEADERSHIP))
            .exclude(pk__in=organizers)
            .distinct()
            .order_by("username")
        )
        field.label_from_instance = lambda user: (
            f"{user.get_full_name()}（{user.username}）" if user.get_full_name() else user.username
        )
