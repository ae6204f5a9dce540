from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from discussions.models import ForumTalk, Grade
from discussions.selectors import forum, records
from sessions.materials import validate_material
from trainees.forms import DateTimeInput, MomentField
from trainees.models import Enrollment
from trainees.roles import LEADERSHIP, ORGANIZER

# --- discussion records and ideas ----------------------------------------------------------


class TraineeChoiceField(forms.ModelChoiceField):
    """An enrollment shown as "name · unit" (the queryset selects both)."""

    def label_from_instance(self, obj):
        return f"{obj.trainee.name} · {obj.trainee.unit.name}"


class AccountChoiceField(forms.ModelChoiceField):
    """A user account shown by the trainee's name and police ID, else the person's name."""

    def label_from_instance(self, obj):
        trainee = getattr(obj, "trainee", None)
        if trainee is not None:
            return f"{trainee.name} ({trainee.police_id})"
        return obj.get_full_name() or obj.get_username()


class RecordSummaryForm(forms.Form):
    # The page's heading is the field's label (record_detail.html).
    summary = forms.CharField(
        label="",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    # The fingerprint of the text the writer started from (services.records.summary_fingerprint).
    base = forms.CharField(required=False, widget=forms.HiddenInput)


class IdeaForm(forms.Form):
    text = forms.CharField(
        label=_("Idea"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    author = TraineeChoiceField(
        label=_("Raised by"),
        queryset=Enrollment.objects.none(),
        required=False,
        empty_label=_("(not named)"),
    )

    def __init__(self, *args, program, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = records.author_choices(program, group)


class RecorderForm(forms.Form):
    recorder = AccountChoiceField(
        label=_("Recorder"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(nobody: the organizers write it)"),
    )

    def __init__(self, *args, group, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorder"].queryset = records.recorder_choices(group, current)


# --- the chiefs' forum ---------------------------------------------------------------------


class ForumTalkForm(forms.ModelForm):
    presenter = TraineeChoiceField(
        label=_("Presenter"),
        queryset=Enrollment.objects.none(),
        empty_label=_("Choose a trainee of the program"),
    )

    class Meta:
        model = ForumTalk
        fields = ["presenter", "title", "summary", "order", "slides"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "slides": forms.ClearableFileInput(
                attrs={"accept": ".pdf,.ppt,.pptx,.doc,.docx,.xls,.xlsx"}
            ),
        }

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = forum.presenter_choices(
            program, self.instance.presenter_id
        )
        self.fields["order"].help_text = _("Talks are listed from the smallest number.")
        self.fields["slides"].help_text = _("PDF, PPT/PPTX, DOC/DOCX or XLS/XLSX, up to 50 MB.")

    def clean_presenter(self):
        presenter = self.cleaned_data["presenter"]
        others = ForumTalk.objects.filter(presenter=presenter).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("%(name)s already presents at the forum.") % {"name": presenter.trainee.name}
            )
        return presenter

    def clean_slides(self):
        slides = self.cleaned_data["slides"]
        if isinstance(slides, UploadedFile):  # a new upload; not the file kept or cleared
            validate_material(slides)
        return slides


# --- essays ---------------------------------------------------------------------------------


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
    until = MomentField(
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
