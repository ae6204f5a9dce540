from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompletionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "completion"
    verbose_name = _("Closing a program")

    def ready(self):
        # The roster's column and the trainee's day show the study hours (trainees.figures).
        from completion.selectors.hours import hours_figure
        from trainees.figures import figure_register

        figure_register(hours_figure)
        # Its part of the trainee's data download (trainees.personal_data).
        from completion import personal_data as completion_personal_data
        from trainees import personal_data

        personal_data.data_source(completion_personal_data.trainee_data, position=40)
