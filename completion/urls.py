from django.urls import path

from completion.views import certificates, learning_file, verify

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
]
