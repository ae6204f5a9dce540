from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discussions"
    verbose_name = _("Discussions and essays")

    def ready(self):
        # The trainee's page shows this app's part of their history (trainees.audit).
        from discussions import personal_data as discussions_personal_data
        from discussions.selectors import essays
        from trainees import audit, personal_data

        audit.history_source(essays.essay_history)
        # Its part of the trainee's data download and of their erasure (trainees.personal_data).
        personal_data.data_source(discussions_personal_data.trainee_data, position=30)
        personal_data.erasure_step(discussions_personal_data.trainee_erase)
