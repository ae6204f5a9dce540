"""The forms of the course evaluation (评教): a trainee's answer, and a program's items."""

from django import forms
from django.utils.translation import gettext_lazy as _

from completion.models import EvaluationItem
from completion.services.evaluation import MAX_COMMENT, MAX_ITEMS

SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]
ITEM_LENGTH = EvaluationItem._meta.get_field("text").max_length


class EvaluationAnswerForm(forms.Form):
    """A score of 1–5 for each of `items` (fields item_<id>), and a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Nobody sees who wrote it."),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.text,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": _("Choose a score from 1 to 5.")},
            )
        self.order_fields([f"item_{item.pk}" for item in items] + ["comment"])

    def score_fields(self):
        return [self[f"item_{item.pk}"] for item in self.items]

    def scores(self):
        """{item id: score} of a valid form."""
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class EvaluationItemsForm(forms.Form):
    """The items of a program's form, one per line."""

    items = forms.CharField(label=_("Items"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].help_text = _(
            "One item per line, each scored from 1 to 5; at most %(count)s."
        ) % {"count": MAX_ITEMS}

    def clean_items(self):
        texts = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not texts:
            raise forms.ValidationError(_("Give at least one item."))
        if len(texts) > MAX_ITEMS:
            raise forms.ValidationError(_("At most %(count)s items.") % {"count": MAX_ITEMS})
        too_long = [text for text in texts if len(text) > ITEM_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("An item has at most %(count)s characters: %(item)s")
                % {"count": ITEM_LENGTH, "item": too_long[0]}
            )
        if len(set(texts)) != len(texts):
            raise forms.ValidationError(_("Each item once."))
        return texts
