from django.urls import path

from completion.views import certificates, verify

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
]
