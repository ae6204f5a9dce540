from django.urls import path

from completion.views import certificates, closing, evaluation, learning_file, verify

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
    # The learning file (学习档案): the trainee's own, a trainee's, a unit's .xlsx
    path("my-file/", learning_file.my_file, name="my-file"),
    path("my-file/pdf/", learning_file.my_file_pdf, name="my-file-pdf"),
    path("trainees/<int:pk>/file/", learning_file.trainee_file, name="trainee-file"),
    path("trainees/<int:pk>/file/pdf/", learning_file.trainee_file_pdf, name="trainee-file-pdf"),
    path("units/<int:pk>/file/xlsx/", learning_file.unit_file_xlsx, name="unit-file-xlsx"),
    # 结业: the close page, its rules, exceptions, the close, revoking a certificate
    path("programs/<str:code>/closing/", closing.closing_page, name="closing"),
    path("programs/<str:code>/closing/rules/", closing.closing_rules, name="closing-rules"),
    path(
        "programs/<str:code>/closing/exception/",
        closing.closing_exception,
        name="closing-exception",
    ),
    path("programs/<str:code>/closing/close/", closing.closing_close, name="closing-close"),
    path(
        "programs/<str:code>/closing/revoke/",
        closing.certificate_revoke,
        name="certificate-revoke",
    ),
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
