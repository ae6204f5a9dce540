from django import forms
from django.utils.translation import gettext_lazy as _

from exams.models import Exam, Question
from exams.services import bank
from trainees.forms import DateTimeInput, MomentField
from trainees.spreadsheets import TableRow, normalize_text


class ExamForm(forms.ModelForm):
    class Meta:
        model = Exam
        fields = [
            "kind",
            "title",
            "mode",
            "opens_at",
            "closes_at",
            "duration_minutes",
            "pass_mark",
            "partial_credit",
            "full_marks",
        ]
        widgets = {"opens_at": DateTimeInput(), "closes_at": DateTimeInput()}
        field_classes = {"opens_at": MomentField, "closes_at": MomentField}
        help_texts = {"pass_mark": _("In points, not percent: compare it with the paper's total.")}

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The exam must close after it opens."))
        if cleaned.get("duration_minutes") == 0:
            self.add_error("duration_minutes", _("An exam lasts at least one minute."))
        return cleaned


class QuestionForm(forms.Form):
    """One question typed in the browser, checked by the same rules as a bank import row."""

    kind = forms.ChoiceField(label=_("Question type"), choices=Question.Kind.choices)
    category = forms.CharField(label=_("Category"), max_length=50, required=False)
    text = forms.CharField(label=_("Question text"), widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option a line, in the order A, B, C …; none for true/false."),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=2000,
        help_text=_("Letters such as B or ACD; 对 or 错; or a short answer's reference answer."),
    )
    points = forms.DecimalField(label=_("Points"), max_digits=6, decimal_places=1, initial=1)
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, question=None, **kwargs):
        if question is not None and "initial" not in kwargs:
            row = next(bank.bank_rows([question]))
            options = [text for text in row[3:9] if text]
            kwargs["initial"] = {
                "kind": question.kind,
                "category": question.category,
                "text": question.text,
                "options": "\n".join(options),
                "answer": row[9],
                "points": question.points,
                "explanation": row[11],
            }
        super().__init__(*args, **kwargs)
        self.question = question

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # Cleaned as an import cleans a cell, so that the bank's export imports back unchanged.
        options = [normalize_text(line) for line in cleaned["options"].splitlines()]
        options = [option for option in options if option]
        if len(options) > len(bank.LETTERS):
            raise forms.ValidationError(_("At most six options, A to F."))
        values = {
            "kind": cleaned["kind"],
            "category": normalize_text(cleaned["category"]),
            "text": normalize_text(cleaned["text"]),
            "answer": normalize_text(cleaned["answer"]),
            "points": str(cleaned["points"]),
            "explanation": normalize_text(cleaned["explanation"]),
        }
        values.update(zip("abcdef", options, strict=False))
        plan = bank.plan_rows([TableRow(number=1, values=values)])
        # The form edits one question: a twin found in the bank is this question itself,
        # unless its text or kind was changed into another's.
        errors = plan.errors
        if plan.rows and plan.rows[0].question not in (None, self.question):
            errors = [*errors, _("The bank already has this question.")]
        if errors:
            raise forms.ValidationError([getattr(e, "message", e) for e in errors])
        cleaned["row"] = plan.rows[0]
        return cleaned


class DrawForm(forms.Form):
    """How many questions to draw at random from each category of the bank."""

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        for number, (category, available) in enumerate(categories):
            self.fields[f"count_{number}"] = forms.IntegerField(
                label=f"{category or _('No category')} ({available})",
                min_value=0,
                max_value=available,
                initial=0,
                required=False,
            )
        self.categories = [category for category, _available in categories]

    def counts(self):
        return {
            category: self.cleaned_data.get(f"count_{number}") or 0
            for number, category in enumerate(self.categories)
            if self.cleaned_data.get(f"count_{number}")
        }
