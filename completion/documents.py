"""Completion certificates (结业证书) as PDF: one A4 page per certificate (reportlab), for one
trainee or for the whole class to print at once.

A page names the organizing bureau (Program.bureau, left out when the program has none), the
holder, the program's title and dates, the study hours, the serial and the date of issue, and
carries a QR code of the certificate's public verification page (completion:verify, reached by
its token, never by its serial). The QR code is drawn as vector squares: it prints sharp at any
size; on a screen it is a link to the same address.

A revoked certificate still prints, for the program's file, with 已撤销 and the date across
the page, so that no copy of it passes for a valid one; the all-in-one PDF for printing leaves
revoked certificates out (completion.views.certificates).

The Chinese is set as in every PDF of the app (trainees.pdf: a CID font, nothing embedded).
"""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from exams.services.numbers import plain
from trainees.pdf import cjk_font, markup

INK = "#1F1F1F"
FRAME = "#9E1B1B"  # 中国红, the frame and the title
REVOKED = "#C62828"


def site_url(request):
    """The site's address as documents print it (scheme and host, no trailing slash):
    SITE_URL when it is set, else the address `request` came to."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def verification_url(certificate, site):
    """The absolute address of `certificate`'s public verification page on `site` (see
    site_url): what its QR code encodes."""
    return site + reverse("completion:verify", args=[certificate.token])


def long_date(value):
    """A date as a certificate writes it: 2023年6月9日 (DATE_FORMAT of the language)."""
    return formats.date_format(value, "DATE_FORMAT")


def certificates_pdf(certificates, *, site, title):
    """One A4 page per certificate, in the order given. Each certificate's enrollment, its
    trainee and its program (with the bureau) should be select_related: nothing is read
    per page. `site` is the site's address (site_url); `title` the PDF's own title."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Jingxun")
    for certificate in certificates:
        draw_certificate(canvas, certificate, verification_url(certificate, site))
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def draw_certificate(canvas, certificate, url):
    """One certificate on the canvas's current page."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm

    width, height = canvas._pagesize
    font = cjk_font()
    program = certificate.enrollment.program
    trainee = certificate.enrollment.trainee

    # The frame: a thick line and a thin one inside it.
    canvas.setStrokeColor(colors.HexColor(FRAME))
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    # 结 业 证 书, spaced out, and the serial under it.
    canvas.setFillColor(colors.HexColor(FRAME))
    spaced(canvas, _("Certificate of completion"), font, width / 2, height - 74 * mm)
    canvas.setFillColor(colors.HexColor(INK))
    serial = _("No. %(serial)s") % {"serial": certificate.serial}
    serial_style = ParagraphStyle(
        "serial", fontName=font, fontSize=11, leading=14, alignment=TA_RIGHT
    )
    draw(canvas, serial, serial_style, 32 * mm, height - 92 * mm, width - 64 * mm)

    body = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=17,
        leading=34,
        wordWrap="CJK",
        alignment=TA_JUSTIFY,
        textColor=colors.HexColor(INK),
    )
    left, text_width = 32 * mm, width - 64 * mm
    top = height - 122 * mm
    name_style = ParagraphStyle("name", body, fontSize=20)
    top -= draw(canvas, _("%(name)s:") % {"name": trainee.name}, name_style, left, top, text_width)
    top -= 4 * mm
    sentence = _(
        "From %(start)s to %(end)s, took part in %(program)s and earned %(hours)s study "
        "hours: completed."
    ) % {
        "start": long_date(program.start_date),
        "end": long_date(program.end_date),
        "program": program.title,
        "hours": plain(certificate.hours),
    }
    indented = ParagraphStyle("indented", body, firstLineIndent=32)  # two characters
    top -= draw(canvas, sentence, indented, left, top, text_width)
    draw(canvas, _("This certificate is awarded."), indented, left, top, text_width)

    # 落款: the bureau and the date of issue, bottom right.
    signature = ParagraphStyle("signature", body, alignment=TA_CENTER, leading=26)
    issued = long_date(timezone.localtime(certificate.issued_at).date())
    lines = [program.bureau.name, issued] if program.bureau_id else [issued]
    bottom = 84 * mm
    for line in lines:
        bottom -= draw(canvas, line, signature, width - 110 * mm, bottom, 80 * mm)

    # The QR code of the verification page, bottom left, and what it is for.
    side = 30 * mm
    qr_left, qr_bottom = 32 * mm, 34 * mm
    draw_qr(canvas, url, qr_left, qr_bottom, side)
    # On a screen the code is a link too.
    canvas.linkURL(url, (qr_left, qr_bottom, qr_left + side, qr_bottom + side), relative=0)
    caption = ParagraphStyle(
        "caption",
        fontName=font,
        fontSize=9,
        leading=12,
        alignment=TA_CENTER,
        textColor=colors.HexColor("#555555"),
    )
    draw(canvas, _("Scan to verify"), caption, qr_left - 5 * mm, qr_bottom - 2 * mm, side + 10 * mm)

    if certificate.revoked_at:
        stamp_revoked(canvas, certificate, font)


def draw(canvas, text, style, left, top, width):
    """A paragraph of `text` whose top is at `top`; returns the height it took."""
    from reportlab.platypus import Paragraph

    paragraph = Paragraph(markup(text), style)
    _width, height = paragraph.wrapOn(canvas, width, 1000)
    paragraph.drawOn(canvas, left, top - height)
    return height


def spaced(canvas, text, font, centre, baseline):
    """A title centred on `centre`: 结 业 证 书 in large characters set apart; a Latin
    title (English) smaller and unspaced, to fit the page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if text.isascii():
        font, size, space = "Helvetica-Bold", 28, 0
    else:
        size, space = 40, 12
    width = stringWidth(text, font, size) + space * (len(text) - 1)
    canvas.saveState()  # the spacing would stay for every later text of the page
    line = canvas.beginText(centre - width / 2, baseline)
    line.setFont(font, size)
    line.setCharSpace(space)
    line.textOut(text)
    canvas.drawText(line)
    canvas.restoreState()


def draw_qr(canvas, data, left, bottom, side):
    """A QR code of `data` as filled squares, `side` wide with its quiet zone of four
    modules: one rectangle per run of dark modules in a row."""
    from reportlab.lib import colors

    code = segno.make(data, error="m")
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    module = side / len(rows)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(left, bottom, side, side, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            run = x
            while run < len(row) and row[run]:
                run += 1
            top = bottom + side - y * module
            canvas.rect(
                left + x * module, top - module, (run - x) * module, module, stroke=0, fill=1
            )
            x = run
    canvas.restoreState()


def stamp_revoked(canvas, certificate, font):
    """已撤销 and the date of the revocation, across the page."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    width, height = canvas._pagesize
    canvas.saveState()
    canvas.setFillColor(colors.HexColor(REVOKED), alpha=0.45)
    canvas.setStrokeColor(colors.HexColor(REVOKED), alpha=0.45)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.setFont(font, 96)
    canvas.drawCentredString(0, 0, pgettext("certificate", "Revoked"))
    revoked = _("Revoked on %(date)s") % {
        "date": long_date(timezone.localtime(certificate.revoked_at).date())
    }
    canvas.setFont(font, 22)
    canvas.drawCentredString(0, -20 * mm, revoked)
    canvas.restoreState()
