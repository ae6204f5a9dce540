from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sessions.materials import validate_material
from sessions.models import Activity, Material, Speaker
from sessions.services.timetable import GroupRow
from trainees.forms import DateTimeInput, MomentField


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ActivityForm(forms.ModelForm):
    """An activity, with its day and times as separate fields; new venues and speakers can be
    typed in without leaving the form. Only the program's venues are offered.

    A new activity can be held by every group at once (分组同时进行, `parallel`): then each
    group has a row (`rows`, a GroupRowForm each) with its own room, host and speaker, and the
    single group, venue, host and speakers above are not used (the page hides them).
    """

    day = forms.TypedChoiceField(label=_("Day"), coerce=lambda value: value)
    start = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    parallel = forms.BooleanField(
        label=_("Each group in parallel"),
        required=False,
        help_text=_("One activity per group at the same time, each group in its own room."),
    )
    new_venue = forms.CharField(
        label=_("Or a new venue"), max_length=100, required=False, help_text=_("E.g. 第三会议室")
    )
    new_speaker_name = forms.CharField(label=_("New speaker: name"), max_length=50, required=False)
    new_speaker_title = forms.CharField(
        label=_("New speaker: title"), max_length=100, required=False, help_text=_("E.g. 支队长")
    )
    new_speaker_organization = forms.CharField(
        label=_("New speaker: organization"),
        max_length=100,
        required=False,
        help_text=_("E.g. 市公安局督察支队"),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "group",
            "venue",
            "speakers",
            "host",
            "formats",
            "description",
            "checkout_required",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "speakers": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["day"].choices = [
            (day.isoformat(), day_label(day, n)) for n, day in enumerate(program.days(), start=1)
        ]
        self.fields["group"].queryset = program.groups.order_by("number")
        self.fields["group"].empty_label = _("The whole class")
        self.fields["venue"].queryset = program.venues.order_by("name")
        self.fields["venue"].required = False
        self.fields["speakers"].queryset = Speaker.objects.order_by("organization", "name")
        self.fields["speakers"].required = False
        self.rows = []
        if self.instance.pk:
            start = timezone.localtime(self.instance.starts_at)
            end = timezone.localtime(self.instance.ends_at)
            self.initial.update(
                {"day": start.date().isoformat(), "start": start.time(), "end": end.time()}
            )
            # Each of a parallel set is edited on its own (it may move away from the set).
            del self.fields["parallel"]
        else:
            self.rows = self.group_row_forms()
            if not self.rows:
                del self.fields["parallel"]
        self.order_fields(
            [
                "kind",
                "title",
                "day",
                "start",
                "end",
                "parallel",
                "group",
                "venue",
                "new_venue",
                "speakers",
            ]
        )

    def group_row_forms(self):
        """One GroupRowForm per group of the program; bound only when `parallel` was ticked
        (otherwise a form sent back with an error would untick every group)."""
        groups = list(self.program.groups.order_by("number"))
        if not groups:
            return []
        self.venues_by_pk = {venue.pk: venue for venue in self.program.venues.order_by("name")}
        self.speakers_by_pk = {
            speaker.pk: speaker for speaker in Speaker.objects.order_by("organization", "name")
        }
        venue_choices = [("", "---------")] + [(v.pk, v.name) for v in self.venues_by_pk.values()]
        speaker_choices = [("", "---------")] + [
            (s.pk, str(s)) for s in self.speakers_by_pk.values()
        ]
        data = self.data if self.is_bound and self.data.get("parallel") else None
        return [
            GroupRowForm(
                data,
                group=group,
                venue_choices=venue_choices,
                speaker_choices=speaker_choices,
            )
            for group in groups
        ]

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            date = datetime.fromisoformat(day).date()
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(date, start))
            cleaned["ends_at"] = timezone.make_aware(datetime.combine(date, end))
            if end <= start:
                self.add_error("end", _("The activity must end after it starts."))
        speaker_details = cleaned.get("new_speaker_title") or cleaned.get(
            "new_speaker_organization"
        )
        if cleaned.get("parallel"):
            if not all(row.is_valid() for row in self.rows):
                self.add_error(None, _("Check the groups' rows."))
            elif not any(row.cleaned_data["takes_part"] for row in self.rows):
                self.add_error("parallel", _("Tick at least one group."))
        elif speaker_details and not cleaned.get("new_speaker_name"):
            self.add_error("new_speaker_name", _("Give the new speaker's name."))
        return cleaned

    def build(self):
        """(the unsaved activity, its speakers, the new venue's name or "", the new speaker or
        None): services.timetable.activity_save makes the venue and the speaker typed in."""
        activity = super().save(commit=False)
        activity.program = self.program
        activity.starts_at = self.cleaned_data["starts_at"]
        activity.ends_at = self.cleaned_data["ends_at"]
        new_speaker = None
        if self.cleaned_data["new_speaker_name"]:
            new_speaker = {
                "name": self.cleaned_data["new_speaker_name"],
                "title": self.cleaned_data["new_speaker_title"],
                "organization": self.cleaned_data["new_speaker_organization"],
            }
        speakers = list(self.cleaned_data["speakers"])
        return activity, speakers, self.cleaned_data["new_venue"], new_speaker

    def group_rows(self):
        """The rows of the groups that take part, for group_activities_create."""
        rows = []
        for row in self.rows:
            values = row.cleaned_data
            if values["takes_part"]:
                rows.append(
                    GroupRow(
                        group=row.group,
                        venue=self.venues_by_pk.get(values["venue"]),
                        new_venue=values["new_venue"],
                        host=values["host"],
                        speakers=[self.speakers_by_pk[values["speaker"]]]
                        if values["speaker"]
                        else [],
                    )
                )
        return rows

    def add_clashes(self, error):
        """Show a refusal of the service: every message above the form, and each group's
        clashes in its own row (group_activities_create keys them by group number)."""
        self.add_error(None, error.messages)
        by_group = error.message_dict if hasattr(error, "error_dict") else {}
        for row in self.rows:
            for message in by_group.get(row.group.number, []):
                row.add_error(None, message)


class GroupRowForm(forms.Form):
    """One group's row of an activity held by every group at once: whether the group takes
    part, its room (one of the program's, or a new one) and its own host and speaker. The
    fields are named after the group's number: group-3-venue, group-3-host…"""

    takes_part = forms.BooleanField(label=_("Takes part"), required=False)
    venue = forms.TypedChoiceField(
        label=_("Venue"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    new_venue = forms.CharField(
        label=_("Or a new venue"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    host = forms.CharField(
        label=_("Host"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    speaker = forms.TypedChoiceField(
        label=_("Speaker"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, data=None, *, group, venue_choices, speaker_choices):
        super().__init__(
            data,
            prefix=f"group-{group.number}",
            initial={"takes_part": True, "host": group.host_name},
        )
        self.group = group
        self.fields["takes_part"].widget.attrs["class"] = "form-check-input"
        self.fields["venue"].choices = venue_choices
        self.fields["speaker"].choices = speaker_choices


class DayDuplicateForm(forms.Form):
    source = forms.DateField(label=_("Copy the day"))
    target = forms.DateField(label=_("to"))

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean(self):
        cleaned = super().clean()
        days = self.program.days()
        for key in ("source", "target"):
            if cleaned.get(key) and cleaned[key] not in days:
                self.add_error(key, _("Choose a day of the program."))
        return cleaned


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["title", "activity", "file"]
        widgets = {
            "file": forms.ClearableFileInput(
                attrs={"accept": ".pdf,.ppt,.pptx,.doc,.docx,.xls,.xlsx"}
            )
        }

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = program.activities.order_by("starts_at")
        self.fields["activity"].empty_label = _("The whole program")
        self.fields["file"].help_text = _("PDF, PPT/PPTX, DOC/DOCX or XLS/XLSX, up to 50 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_material(upload)
        return upload


def day_label(day, number):
    """2023-01-02 第1天: a day of the program as the day picker names it."""
    return "{} {}".format(f"{day:%Y-%m-%d}", _("Day %(n)s") % {"n": number})


class LeaveRequestForm(forms.Form):
    starts_at = MomentField(label=pgettext_lazy("leave", "From"), widget=DateTimeInput())
    ends_at = MomentField(label=pgettext_lazy("leave", "Until"), widget=DateTimeInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The leave must end after it starts."))
        return cleaned
