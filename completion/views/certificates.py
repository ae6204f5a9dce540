"""Certificates (结业证书) as PDF: an organizer downloads one trainee's, or every valid one of
the program in one file to print; a trainee downloads their own. Someone else's certificate
is a 404, whatever its id."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from completion.documents import certificates_pdf, site_url
from completion.models import Certificate
from trainees.downloads import PDF, attachment
from trainees.permissions import program_for
from trainees.roles import TRAINEE, role_required

# What a page of the PDF reads: the holder, the program and its bureau.
RELATED = ("enrollment__trainee", "enrollment__program__bureau")


def certificate_pdf(request, code, pk):
    """One certificate of the program, revoked or not (a revoked one says so across it)."""
    program = program_for(request.user, code, change=True)
    certificate = get_object_or_404(
        Certificate.objects.select_related(*RELATED), pk=pk, enrollment__program=program
    )
    return one_pdf(request, certificate)


def certificates_pdf_all(request, code):
    """Every valid certificate of the program, one page each in the order of their serials,
    to print; revoked ones are left out. 404 while there is none."""
    program = program_for(request.user, code, change=True)
    certificates = list(
        Certificate.objects.select_related(*RELATED).filter(
            enrollment__program=program, revoked_at__isnull=True
        )
    )
    if not certificates:
        raise Http404
    title = _("%(program)s: certificates of completion") % {"program": program.title}
    content = certificates_pdf(certificates, site=site_url(request), title=title)
    return attachment(content, PDF, f"{title}.pdf")


@role_required(TRAINEE)
def my_certificate_pdf(request, pk):
    """The signed-in trainee's own certificate."""
    certificate = get_object_or_404(
        Certificate.objects.select_related(*RELATED), pk=pk, enrollment__trainee__user=request.user
    )
    return one_pdf(request, certificate)


def one_pdf(request, certificate):
    title = _("Certificate of completion %(serial)s") % {"serial": certificate.serial}
    content = certificates_pdf([certificate], site=site_url(request), title=title)
    return attachment(content, PDF, f"{title}.pdf")
