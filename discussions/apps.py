from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discussions"
    verbose_name = _("Discussions and essays")

    def ready(self):
        # The trainee's page shows this app's part of their history (trainees.audit).
        from discussions.selectors import essays
        from trainees import audit

        audit.history_source(essays.essay_history)
