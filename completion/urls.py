from django.urls import path

from completion.views import evaluation

app_name = "completion"

urlpatterns = [
    path("evaluations/", evaluation.waiting, name="evaluation-waiting"),
    path("evaluations/<int:pk>/", evaluation.answer, name="evaluation-answer"),
    path("programs/<slug:code>/evaluation/", evaluation.results, name="evaluation-results"),
    path(
        "programs/<slug:code>/evaluation/export/",
        evaluation.results_export,
        name="evaluation-export",
    ),
    path("programs/<slug:code>/evaluation/items/", evaluation.items, name="evaluation-items"),
    path(
        "programs/<slug:code>/evaluation/<int:pk>/",
        evaluation.activity_results,
        name="evaluation-activity",
    ),
    path("speakers/", evaluation.speakers, name="speaker-list"),
    path("speakers/export/", evaluation.speakers_export, name="speaker-export"),
]
