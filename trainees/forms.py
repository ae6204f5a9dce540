import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
