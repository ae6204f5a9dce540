from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exams"
    verbose_name = _("Exams and scores")

    def ready(self):
        # The trainee's page shows this app's part of their history (trainees.audit).
        from exams.selectors import history
        from trainees import audit

        audit.history_source(history.score_history)
