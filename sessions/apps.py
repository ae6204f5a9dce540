from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    """The folder is `sessions`; django.contrib.sessions owns that label, so ours is `timetable`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    label = "timetable"
    verbose_name = _("Timetable and attendance")

    def ready(self):
        # The trainee's page shows this app's part of their history (trainees.audit).
        from sessions.selectors import rollcall
        from trainees import audit

        audit.history_source(rollcall.attendance_history)
