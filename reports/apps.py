from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Score reports and dashboards")

    def ready(self):
        # Publishing writes the outbox; its tasks send it (reports.tasks listens).
        from reports import tasks  # noqa: F401
        from reports.services import erasure
        from trainees import personal_data

        # Its part of a trainee's erasure: the published reports (trainees.personal_data).
        personal_data.erasure_step(erasure.trainee_erase)

        # The dashboards' summaries: every change of what they sum marks its program for a
        # refresh (reports.summaries).
        from reports import signals

        signals.connect()
