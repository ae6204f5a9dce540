from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompletionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "completion"
    verbose_name = _("Closing a program")
