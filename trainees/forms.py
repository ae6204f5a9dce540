import unicodedata
from datetime import timezone as dt_timezone
from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from trainees import directory
from trainees.models import Enrollment, Group, Program, Unit
from trainees.permissions import bureau_choices, organizer_bound
from trainees.roles import ORGANIZER

MAX_SPREADSHEET_BYTES = 2 * 1024 * 1024  # a 10,000-row .xlsx is about 400 KB


class LoginForm(AuthenticationForm):
    """Trainees sign in with their police ID (警号); staff with their user name."""

    username = forms.CharField(
        label=_("Police ID or user name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean_username(self):
        # A Chinese input method may type full-width digits: "０３１２４５" is "031245".
        return unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()

    def get_invalid_login_error(self):
        # Directory sign-in (trainees.directory): not "wrong password" when it was not that.
        reason = directory.refusal(self.request)
        if reason == directory.UNAVAILABLE:
            return forms.ValidationError(
                _(
                    "The unified identity authentication system cannot be reached at the "
                    "moment. Please try again later or contact the administrator."
                ),
                code="directory_unavailable",
            )
        if reason == directory.NO_ROLE:
            return forms.ValidationError(
                _(
                    "Your unified identity account has no role in Jingxun. Please ask the "
                    "administrator to add it to the organizers' or the leadership's group."
                ),
                code="directory_no_role",
            )
        return super().get_invalid_login_error()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MomentField(forms.DateTimeField):
    """A date and time the database can store: one whose UTC is within the years 1 to 9999
    too. 0001-01-01 00:00 in Beijing is a moment of the year 0 in UTC, and saving it was an
    OverflowError, a server error; it is an invalid date and time like any other."""

    widget = DateTimeInput

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            try:
                moment.astimezone(dt_timezone.utc)
            except OverflowError:
                invalid = self.error_messages["invalid"]
                raise forms.ValidationError(invalid, code="invalid") from None
        return moment


class ProgramForm(forms.ModelForm):
    def clean_kind(self):
        return self.cleaned_data.get("kind") or Program.Kind.CHIEFS

    class Meta:
        model = Program
        fields = [
            "title",
            "code",
            "kind",
            "start_date",
            "end_date",
            "venue",
            "bureau",
            "organizers",
            "daily_routine",
            "rules",
            "essay_min_chars",
            "essay_opens_at",
            "essay_deadline",
        ]
        field_classes = {"essay_opens_at": MomentField, "essay_deadline": MomentField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "essay_opens_at": DateTimeInput(),
            "essay_deadline": DateTimeInput(),
            "daily_routine": forms.Textarea(attrs={"rows": 6}),
            "rules": forms.Textarea(attrs={"rows": 4}),
            "organizers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizers"].queryset = (
            get_user_model().objects.filter(groups__name=ORGANIZER).order_by("username")
        )
        self.fields["organizers"].required = False
        # A province, a city bureau, or a root of the unit tree (a bureau not yet filed under
        # one); an organizer with a unit: within it, and then a bureau is required.
        current = self.instance.bureau if self.instance.bureau_id else None
        self.fields["bureau"].queryset = bureau_choices(user, current)
        if organizer_bound(user) is not None:
            self.fields["bureau"].required = True
        self.fields["kind"].required = False  # a station chiefs' training unless said
        self.fields["organizers"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The program cannot end before it starts."))
        opens, deadline = cleaned.get("essay_opens_at"), cleaned.get("essay_deadline")
        if opens and deadline and deadline <= opens:
            self.add_error("essay_deadline", _("The essay deadline must come after it opens."))
        return cleaned


class SpreadsheetUploadForm(forms.Form):
    """The upload of every import (trainees.spreadsheets reads it); its label and help text
    are the roster's, and the other imports set their own."""

    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "An .xlsx or .csv file with the columns 姓名, 警号 and 单位, and optionally "
            "上级单位, 职务, 性别, 手机号 and 分组."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        if upload.size > MAX_SPREADSHEET_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class GroupsCreateForm(forms.Form):
    count = forms.IntegerField(label=_("Number of groups"), min_value=1, max_value=Group.MAX_NUMBER)


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "host_name", "host_title", "topic"]


class GroupRowForm(forms.ModelForm):
    """One group as a row of the page that edits every group at once."""

    class Meta:
        model = Group
        fields = ["name", "host_title", "host_name", "topic"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.instance.number
        for field in self.fields.values():
            field.widget.attrs.update(
                {
                    "class": "form-control form-control-sm",
                    "aria-label": f"{field.label} · {number}",
                }
            )
        self.fields["name"].widget.attrs["placeholder"] = _("Group %(number)s") % {"number": number}


class BaseGroupsFormSet(forms.BaseModelFormSet):
    """Every group of a program on one page, one POST: the program's groups (the queryset the
    view gives) and no other. Django would leave out, unsaid, a row whose id is not in the
    queryset (a group of another program, or one removed meanwhile); this refuses the POST."""

    def clean(self):
        super().clean()
        if any(form.instance.pk is None for form in self.initial_forms):
            raise forms.ValidationError(
                _("The groups have changed since the page was opened: reload it.")
            )


# At most as many rows as a program has groups: a posted groups-TOTAL_FORMS of 5,000 digits
# built, checked and showed again Django's 2,000 rows (half a second a request), now refused.
GroupsFormSet = forms.modelformset_factory(
    Group,
    form=GroupRowForm,
    formset=BaseGroupsFormSet,
    extra=0,
    edit_only=True,
    max_num=Group.MAX_NUMBER,
    absolute_max=Group.MAX_NUMBER,
)


class EnrollmentMoveForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=Group.objects.none(), required=False, empty_label=_("No group")
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = program.groups.order_by("number")


class RosterBulkForm(forms.Form):
    """What the roster page does to the trainees ticked on it: move them to a group (or out
    of every group), or withdraw them. Only the program's enrollments and groups are valid
    choices, and a foreign one is refused without being named."""

    MOVE, WITHDRAW = "move", "withdraw"
    NO_GROUP = "none"  # moved out of every group; an empty choice is no choice

    enrollments = forms.ModelMultipleChoiceField(
        queryset=Enrollment.objects.none(),
        error_messages={
            "required": _("Tick the trainees first."),
            "invalid_choice": _("Choose trainees of this program."),
            "invalid_pk_value": _("Choose trainees of this program."),
        },
    )
    action = forms.ChoiceField(
        choices=[(MOVE, _("Move")), (WITHDRAW, _("Withdraw from the program"))]
    )
    group = forms.ChoiceField(
        label=_("Move to"),
        required=False,
        error_messages={"invalid_choice": _("Choose a group of this program.")},
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollments"].queryset = program.enrollments.select_related(
            "trainee", "group"
        ).order_by("trainee__police_id")
        self.groups = {str(group.pk): group for group in program.groups.order_by("number")}
        self.fields["group"].choices = [
            ("", _("Choose a group")),
            *((pk, str(group)) for pk, group in self.groups.items()),
            (self.NO_GROUP, _("No group")),
        ]

    def clean(self):
        """The group to move to: a Group, or None for out of every group."""
        cleaned = super().clean()
        if cleaned.get("action") == self.MOVE:
            if not cleaned.get("group"):
                self.add_error("group", _("Choose a group of this program."))
            else:
                cleaned["group"] = self.groups.get(cleaned["group"])
        return cleaned


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "parent", "email"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.order_by("name")
        if self.instance.pk:
            units = units.exclude(pk__in=self.instance.descendant_ids())
        bound = organizer_bound(user)
        if bound is not None:  # an organizer with a unit moves units within it only
            units = units.filter(pk__in=bound.unit_ids)
            self.fields["parent"].required = True
        self.fields["parent"].queryset = units
        if not (user is None or user.is_superuser) and self.instance.kind != Unit.Kind.PROVINCE:
            # A province (省公安厅) anywhere in the tree takes the top from a single city's
            # bureau (trainees.permissions.is_top): every leader's and API client's scope
            # changes. Only an administrator makes one, in the admin.
            self.fields["kind"].choices = [
                choice for choice in self.fields["kind"].choices if choice[0] != Unit.Kind.PROVINCE
            ]
