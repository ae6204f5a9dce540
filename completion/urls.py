from django.urls import path

from completion.views import certificates, evaluation, verify

app_name = "completion"

urlpatterns = [
    path(
        "programs/<slug:code>/certificates/<int:pk>/pdf/",
        certificates.certificate_pdf,
        name="certificate-pdf",
    ),
    path(
        "programs/<slug:code>/certificates/pdf/",
        certificates.certificates_pdf_all,
        name="certificates-pdf",
    ),
    path(
        "my/certificates/<int:pk>/pdf/",
        certificates.my_certificate_pdf,
        name="my-certificate-pdf",
    ),
    path("verify/<slug:token>/", verify.verify, name="verify"),
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
