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
        from sessions import personal_data as sessions_personal_data
        from sessions.selectors import rollcall
        from trainees import audit, personal_data

        audit.history_source(rollcall.attendance_history)
        # Its part of the trainee's data download and of their erasure (trainees.personal_data).
        personal_data.data_source(sessions_personal_data.trainee_data, position=10)
        personal_data.erasure_step(sessions_personal_data.trainee_erase)
        # A change of the published timetable is mailed by a task (sessions.tasks listens).
        # Every change of what a trainee's timetable shows raises its version (the cache key).
        from sessions import (
            tasks,  # noqa: F401
            versions,
        )

        versions.connect()
