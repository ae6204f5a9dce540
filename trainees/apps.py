from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trainees"
    verbose_name = _("Trainees and programs")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(remember_initial_password, dispatch_uid="jingxun-initial-password")


def remember_initial_password(sender, request, user, **kwargs):
    """A first sign-in with a password set by an admin: the session must change it."""
    if getattr(user, "initial_password_used", False) and request is not None:
        request.session["must_change_password"] = True
