"""Password rules beyond Django's own (settings.AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trainees.roles import user_roles


def is_staff_account(user):
    """Organizers, leadership and admin accounts: they read everyone's data."""
    if user is None or user.pk is None:
        return bool(user is not None and (user.is_staff or user.is_superuser))
    roles = user_roles(user)
    return user.is_staff or user.is_superuser or roles.organizer or roles.leadership


class StaffMinimumLengthValidator:
    """A staff account's password has at least `min_length` characters (trainees keep
    Django's minimum of 8)."""

    def __init__(self, min_length=10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if is_staff_account(user) and len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "An organizer's or a leader's password needs at least %(min)d character.",
                    "An organizer's or a leader's password needs at least %(min)d characters.",
                    self.min_length,
                )
                % {"min": self.min_length},
                code="password_too_short",
                params={"min": self.min_length},
            )

    def get_help_text(self):
        return _("Organizers and leaders: at least %(min)d characters.") % {"min": self.min_length}
