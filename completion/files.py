"""The learning file (学习档案) as files: a unit's .xlsx (one row a trainee a program, written by
trainees.workbooks, as every export is) and a trainee's A4 PDF (reportlab). Both take the
rows of completion.selectors.learning_file and compute nothing of their own.

The PDF's Chinese is set as every PDF's is (trainees.pdf)."""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from trainees import workbooks
from trainees.pdf import cjk_font, markup

# The PDF's table, in mm: A4 portrait leaves 190 mm between the margins.
PDF_WIDTHS = (50, 16, 13, 15, 15, 13, 14, 16, 38)


def completed_label(row):
    if row.completion is None:
        return ""
    return _("Completed") if row.completion.completed else _("Not completed")


def certificate_label(row):
    """The certificate's state: valid, or revoked on its date."""
    if row.certificate is None:
        return ""
    if row.certificate.revoked_at is None:
        return _("Valid")
    revoked = timezone.localdate(row.certificate.revoked_at).isoformat()
    return _("Revoked on %(date)s") % {"date": revoked}


def completion_heading():
    # 结业情况: "Completion" alone is 结业, as "Graduation" (the exam) is.
    return pgettext("learning file", "Completion")


def score(value):
    return "—" if value is None else f"{Decimal(value):.1f}"


def gain(row):
    if row.gain is None:
        return "—"
    return f"{'+' if row.gain > 0 else ''}{row.gain:.1f}"


def state_label(row):
    label = str(row.state_label)
    return f"{label} · {_('Withdrawn')}" if row.withdrawn else label


def unit_columns():
    """(heading, value of a FileRow): the unit's .xlsx."""
    return [
        (_("Police ID"), lambda row: row.trainee.police_id),
        (_("Full name"), lambda row: row.trainee.name),
        (_("Unit"), lambda row: row.trainee.unit.full_name),
        (_("Program"), lambda row: row.program.title),
        (_("Start date"), lambda row: row.program.start_date),
        (_("End date"), lambda row: row.program.end_date),
        (_("State"), state_label),
        (_("Study hours"), lambda row: row.hours),
        (_("Entry exam"), lambda row: row.entry),
        (_("Graduation exam"), lambda row: row.graduation),
        (_("Gain"), lambda row: row.gain),
        (_("Essay grade"), lambda row: row.essay_grade_label),
        (completion_heading(), completed_label),
        (_("Certificate serial"), lambda row: row.certificate.serial if row.certificate else ""),
        (_("Certificate"), certificate_label),
    ]


# Widths of the .xlsx's columns, in characters (a Chinese character takes two).
XLSX_WIDTHS = (10, 10, 36, 44, 12, 12, 18, 8, 8, 8, 8, 10, 10, 14, 22)


def unit_xlsx(rows, *, title):
    """The learning files of a unit's trainees as an .xlsx: a title row, a bold header, one
    row a trainee a program. Scores and hours stay numbers, to sort and sum."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = workbooks.workbook()
    sheet = workbooks.sheet(book, _("Learning file"))
    for column, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "C3"
    heads = unit_columns()
    workbooks.append(sheet, [title], font=Font(bold=True, size=14))
    workbooks.append(sheet, [heading for heading, _value in heads], font=Font(bold=True))
    for row in rows:
        workbooks.append(sheet, [value(row) for _heading, value in heads])
    return workbooks.content(book)


# PDF ------------------------------------------------------------------------------------------


def trainee_columns():
    """(heading, text of a FileRow): the trainee's PDF."""

    def program(row):
        dates = f"{row.program.start_date:%Y-%m-%d} – {row.program.end_date:%Y-%m-%d}"
        return f"{row.program.title}\n{dates}"

    def certificate(row):
        if row.certificate is None:
            return "—"
        lines = [row.certificate.serial, certificate_label(row)]
        if row.certificate.revoked_at is not None and row.certificate.revoked_reason:
            lines.append(row.certificate.revoked_reason)
        return "\n".join(lines)

    return [
        (_("Program"), program),
        (_("State"), state_label),
        (_("Study hours"), lambda row: f"{row.hours:.1f}"),
        (_("Entry exam"), lambda row: score(row.entry)),
        (_("Graduation exam"), lambda row: score(row.graduation)),
        (_("Gain"), gain),
        (_("Essay grade"), lambda row: row.essay_grade_label or "—"),
        (completion_heading(), lambda row: completed_label(row) or "—"),
        (_("Certificate"), certificate),
    ]


def trainee_pdf(learning_file, *, title):
    """A trainee's learning file as an A4 PDF: who he is, his programs in a table (the
    header on every page), his hours and certificates in all."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("title", base, fontSize=16, leading=22, alignment=TA_CENTER),
        "note": ParagraphStyle("note", base, fontSize=10, leading=15),
        "head": ParagraphStyle("head", base, alignment=TA_CENTER),
        "cell": base,
        "number": ParagraphStyle("number", base, alignment=TA_RIGHT),
        "footer": ParagraphStyle("footer", base, fontSize=7, textColor=colors.HexColor("#555555")),
    }
    trainee = learning_file.trainee

    def on_page(canvas, document):
        width = document.pagesize[0] - document.leftMargin - document.rightMargin
        footer = Paragraph(
            markup(
                _("%(title)s · made on %(date)s · page %(number)s")
                % {
                    "title": title,
                    "date": timezone.localdate().isoformat(),
                    "number": document.page,
                }
            ),
            styles["footer"],
        )
        footer.wrapOn(canvas, width, 10 * mm)
        footer.drawOn(canvas, document.leftMargin, 6 * mm)

    heads = trainee_columns()
    numbers = {2, 3, 4, 5}  # hours and scores, set to the right
    data = [[Paragraph(markup(heading), styles["head"]) for heading, _text in heads]]
    for row in learning_file.rows:
        data.append(
            [
                Paragraph(
                    markup(text(row)).replace("\n", "<br/>"),
                    styles["number" if column in numbers else "cell"],
                )
                for column, (_heading, text) in enumerate(heads)
            ]
        )
    table = Table(data, colWidths=[w * mm for w in PDF_WIDTHS], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    who = " · ".join(
        part
        for part in (
            trainee.name,
            _("Police ID %(police_id)s") % {"police_id": trainee.police_id},
            trainee.unit.full_name,
            trainee.position,
        )
        if part
    )
    totals = _(
        "%(programs)s programs · %(hours)s study hours · %(certificates)s valid certificates"
    ) % {
        "programs": len(learning_file.rows),
        "hours": f"{learning_file.hours:.1f}",
        "certificates": learning_file.certificates,
    }
    story = [
        Paragraph(markup(title), styles["title"]),
        Spacer(1, 3 * mm),
        Paragraph(markup(who), styles["note"]),
        Paragraph(markup(totals), styles["note"]),
        Spacer(1, 4 * mm),
        table,
    ]
    if learning_file.others:
        story += [Spacer(1, 3 * mm), Paragraph(markup(others_note()), styles["note"])]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="Jingxun",
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def others_note():
    """What an organizer is told of the programs of others (trainees.permissions)."""
    return _(
        "This trainee also attends programs you do not organize: what they hold is their "
        "organizers' and is not shown here."
    )
