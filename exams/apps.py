from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exams"
    verbose_name = _("Exams and scores")

    def ready(self):
        # The trainee's page shows this app's part of their history (trainees.audit).
        from exams import personal_data as exams_personal_data
        from exams.selectors import history
        from trainees import audit, personal_data

        audit.history_source(history.score_history)
        # Its part of the trainee's data download (trainees.personal_data); scores are not erased.
        personal_data.data_source(exams_personal_data.trainee_data, position=20)
