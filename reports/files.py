"""The score report (成绩通报) as files: an .xlsx workbook (openpyxl) and an A4 landscape PDF
(reportlab). Both take a ProgramReport (reports.selectors.report) and compute nothing of
their own. A dashboard's table exports as an .xlsx too (table_xlsx). The .xlsx files are
written by trainees.workbooks, as every export is: names are text cells, never formulas.
The PDF's Chinese is set as every PDF's is (trainees.pdf: a CID font, nothing embedded)."""

import io
import unicodedata
from dataclasses import replace
from decimal import Decimal
from operator import itemgetter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from exams.services.numbers import plain
from trainees import workbooks
from trainees.pdf import cjk_font, markup

# Column widths in mm; A4 landscape leaves 277 mm between the margins.
MAIN_WIDTHS = (8, 15, 16, 54, 35, 18, 14, 14, 14, 18, 16, 16, 16, 16)
SUMMARY_WIDTHS = (70, 22, 22, 28, 28, 28, 24, 24)
END_WIDTHS = (20, 20, 80, 30, 24, 24)


def columns():
    """(heading, value of a ReportRow, kind): the main table, the same in both files."""
    return [
        (_("No."), None, "count"),
        (_("Police ID"), lambda row: row.police_id, "text"),
        (_("Full name"), lambda row: row.name, "text"),
        (_("Unit"), lambda row: row.unit, "text"),
        (_("Branch"), lambda row: row.branch, "text"),
        (_("Group"), lambda row: str(row.group) if row.group else "", "label"),
        (_("Entry"), lambda row: row.entry, "score"),
        (_("Graduation"), lambda row: row.graduation, "score"),
        (_("Gain"), lambda row: row.gain, "score"),
        (_("Essay grade"), lambda row: row.essay_grade_label, "label"),
        (_("Attendance rate"), lambda row: row.attendance_rate, "rate"),
        (_("Times late"), lambda row: row.late, "count"),
        (_("Absences"), lambda row: row.absent, "count"),
        (_("On leave"), lambda row: row.leave, "count"),
    ]


def summary_columns(label):
    """(heading, value of a ReportSummary, kind) of a summary table whose first column is
    `label` (a branch or a group)."""
    return [
        (label, lambda summary: summary.name, "text"),
        (_("Trainees"), lambda summary: summary.trainees, "count"),
        (pgettext("exam", "Sat"), lambda summary: summary.sat, "count"),
        (_("Mean entry"), lambda summary: summary.entry, "score"),
        (_("Mean graduation"), lambda summary: summary.graduation, "score"),
        (_("Mean gain"), lambda summary: summary.gain, "score"),
        (_("Pass rate"), lambda summary: summary.pass_rate, "rate"),
        (_("Attendance rate"), lambda summary: summary.attendance_rate, "rate"),
    ]


def end_columns():
    """The best and the worst five: rank by graduation score."""
    return [
        (_("Police ID"), lambda row: row.police_id, "text"),
        (_("Full name"), lambda row: row.name, "text"),
        (_("Unit"), lambda row: row.unit, "text"),
        (_("Group"), lambda row: str(row.group) if row.group else "", "label"),
        (_("Graduation"), lambda row: row.graduation, "score"),
        (_("Gain"), lambda row: row.gain, "score"),
    ]


def summaries(report):
    """(sheet or section title, first column's heading, summaries with the total last)."""
    whole = replace(
        report.overall,
        name=_("Whole program") if report.scope_unit is None else str(report.scope_unit),
    )
    return [
        (_("By unit"), _("Branch"), [*report.units, whole]),
        (_("By group"), _("Group"), [*report.groups, whole]),
    ]


def end_sections(report):
    """(title, rows) of the best and of the lowest graduation scores (see reports.ends)."""
    return [
        (_("Best graduation scores"), report.top),
        (_("Lowest graduation scores"), report.bottom),
    ]


def subtitle(report):
    """The line under the title: why the figures are provisional (if they are), the two
    exams, the pass mark and the date."""
    parts = [
        _("Entry exam: %(title)s")
        % {"title": report.entry_exam.title if report.entry_exam else "—"},
        _("Graduation exam: %(title)s (pass mark %(mark)s)")
        % {
            "title": report.graduation_exam.title if report.graduation_exam else "—",
            "mark": plain(report.pass_mark) if report.pass_mark is not None else "—",
        },
        _("Made on %(date)s") % {"date": timezone.localdate().isoformat()},
    ]
    if report.provisional:
        reasons = " ".join(report.provisional)
        parts.insert(0, _("Provisional figures: %(reasons)s") % {"reasons": reasons})
    return " · ".join(parts)


def shown(value, kind):
    """The text of a value in the PDF (and in the widths of the .xlsx's columns): one
    decimal, a % on rates."""
    if value is None or value == "":
        return "" if kind in ("text", "label") else "—"
    if kind == "score":
        return f"{Decimal(value):.1f}"
    if kind == "rate":
        return f"{value:.1f}%"
    return str(value)


# .xlsx ----------------------------------------------------------------------------------------


def text_width(text):
    """Columns a text needs in Excel: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def write_table(sheet, title, note, heads, records, *, first_row=1, total=False):
    """A title row, a note row, a bold header and the records below (the last one bold, with
    `total`); returns the header's row number. Scores show one decimal, rates one decimal
    and a per cent sign, and stay numbers that a reader can sort and sum."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    row_number = first_row
    if title:
        workbooks.put(sheet, row_number, 1, title, font=Font(bold=True, size=14))
        row_number += 1
    if note:
        workbooks.put(sheet, row_number, 1, note, font=Font(color="555555"))
        row_number += 1
    header = row_number
    for column, (heading, _value, _kind) in enumerate(heads, start=1):
        workbooks.put(
            sheet,
            header,
            column,
            heading,
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="DDE4EE"),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            border=border,
        )
    for offset, record in enumerate(records, start=1):
        for column, (_heading, value, kind) in enumerate(heads, start=1):
            data = offset if value is None else value(record)
            if kind == "rate" and data is not None:
                data = data / 100  # stored as a fraction, shown as 93.3%
            cell = workbooks.put(sheet, header + offset, column, data, border=border)
            if total and offset == len(records):
                cell.font = Font(bold=True)
            if kind == "label":
                cell.alignment = Alignment(horizontal="center")
            elif kind == "score":
                cell.number_format = "0.0"
            elif kind == "rate":
                cell.number_format = "0.0%"
            elif kind == "count":
                cell.number_format = "0"
    return header


def fit_columns(sheet, heads, records):
    """Widths from the longest text of each column (Chinese counted double), within bounds."""
    from openpyxl.utils import get_column_letter

    for column, (heading, value, kind) in enumerate(heads, start=1):
        texts = [heading] + [
            shown(value(record), kind) if value else str(len(records)) for record in records
        ]
        width = max(text_width(text) for text in texts) + 2
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 6), 44)


def landscape(sheet, header):
    """Printed A4 landscape, one page wide, the title and the header on every page (a
    repeated header alone would print above the title on the first page)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header}"


def report_xlsx(report, *, title):
    """The report as an .xlsx workbook: the trainees' sheet (title, bold frozen header), then
    按单位, 按分组 and 优秀与后进."""
    book = workbooks.workbook(write_only=False)  # cells placed, an auto filter, print titles
    sheet = workbooks.sheet(book, _("Scores"))
    heads = columns()
    header = write_table(sheet, title, subtitle(report), heads, report.rows)
    sheet.freeze_panes = sheet.cell(row=header + 1, column=4)  # header and police ID, name
    last = sheet.cell(row=header + len(report.rows), column=len(heads)).coordinate
    sheet.auto_filter.ref = f"A{header}:{last}"
    fit_columns(sheet, heads, report.rows)
    landscape(sheet, header)

    for sheet_title, label, rows in summaries(report):
        sheet = workbooks.sheet(book, sheet_title)
        heads = summary_columns(label)
        header = write_table(sheet, title, sheet_title, heads, rows, total=True)
        sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
        fit_columns(sheet, heads, rows)
        landscape(sheet, header)

    sheet = workbooks.sheet(book, _("Top and bottom"))
    heads = end_columns()
    (best, top), (lowest, bottom) = end_sections(report)
    top_header = write_table(sheet, title, best, heads, top)
    write_table(sheet, "", lowest, heads, bottom, first_row=top_header + len(top) + 2)
    sheet.freeze_panes = sheet.cell(row=top_header + 1, column=1)
    fit_columns(sheet, heads, [*top, *bottom])
    landscape(sheet, top_header)
    return workbooks.content(book)


# PDF ------------------------------------------------------------------------------------------


def pdf_table(heads, records, widths, styles, *, total=False):
    """A reportlab Table: the header repeated on every page, long names wrapped in cells;
    with `total`, the last record is the total line and is shaded."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(markup(heading), styles["head"]) for heading, _value, _kind in heads]]
    for number, record in enumerate(records, start=1):
        line = []
        for _heading, value, kind in heads:
            text = str(number) if value is None else shown(value(record), kind)
            style = styles.get(kind, styles["number"])
            line.append(Paragraph(markup(text), style))
        data.append(line)
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [
        ("BACKGROUND", (0, row), (-1, row), colors.HexColor("#F4F6F9"))
        for row in range(2, len(data), 2)
    ]
    if total and records:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#E8E8E8")))
    table.setStyle(TableStyle(commands))
    return table


def figures_line(trainees, pass_rate, attendance_rate):
    """The line of the whole report's figures under the PDF's title."""
    return _("%(trainees)s trainees · pass rate %(pass_rate)s · attendance rate %(attendance)s") % {
        "trainees": trainees,
        "pass_rate": shown(pass_rate, "rate"),
        "attendance": shown(attendance_rate, "rate"),
    }


def report_pdf(report, *, title):
    """The report as an A4 landscape PDF: the trainees' table with its header on every page,
    then the summaries by branch and by group and the best and worst five."""
    overall = report.overall
    return tables_pdf(
        title=title,
        note=subtitle(report),
        figures=figures_line(overall.trainees, overall.pass_rate, overall.attendance_rate),
        main=(columns(), report.rows),
        sections=[
            (section, summary_columns(label), rows) for section, label, rows in summaries(report)
        ],
        ends=[(section, end_columns(), rows) for section, rows in end_sections(report)],
    )


def tables_pdf(*, title, note, figures, main, sections, ends):
    """The PDF of a report's tables: `main` the trainees' (heads, records), `sections` the
    summaries and `ends` the best and lowest scores as (title, heads, records), the heads as
    columns() gives them."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("title", base, fontSize=16, leading=22, alignment=TA_CENTER),
        "note": ParagraphStyle("note", base, fontSize=9, leading=13, alignment=TA_CENTER),
        "section": ParagraphStyle("section", base, fontSize=11, leading=16, spaceBefore=8),
        # Headings break between words (a CJK wrap would cut "Absences" anywhere).
        "head": ParagraphStyle("head", base, alignment=TA_CENTER, wordWrap=None),
        "text": base,
        "label": ParagraphStyle("label", base, alignment=TA_CENTER),
        "number": ParagraphStyle("number", base, alignment=TA_RIGHT),
        "footer": ParagraphStyle("footer", base, fontSize=7, textColor=colors.HexColor("#555555")),
    }
    styles["page"] = ParagraphStyle("page", styles["footer"], alignment=TA_RIGHT)

    def on_page(canvas, document):
        width = document.pagesize[0] - document.leftMargin - document.rightMargin
        for text, style in (
            (title, styles["footer"]),
            (_("Page %(number)s") % {"number": document.page}, styles["page"]),
        ):
            footer = Paragraph(markup(text), style)
            footer.wrapOn(canvas, width, 10 * mm)
            footer.drawOn(canvas, document.leftMargin, 6 * mm)

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="Jingxun",
    )
    heads, records = main
    story = [
        Paragraph(markup(title), styles["title"]),
        Paragraph(markup(note), styles["note"]),
        Paragraph(markup(figures), styles["note"]),
        Spacer(1, 3 * mm),
        # 277 mm of width: the units' long names (常州市公安局经开区分局横山桥派出所) get most.
        pdf_table(heads, records, [w * mm for w in MAIN_WIDTHS], styles),
    ]
    for section, heads, rows in sections:
        table = pdf_table(heads, rows, [w * mm for w in SUMMARY_WIDTHS], styles, total=True)
        story.append(KeepTogether([Paragraph(markup(section), styles["section"]), table]))
    for section, heads, rows in ends:
        table = (
            pdf_table(heads, rows, [w * mm for w in END_WIDTHS], styles)
            if rows
            else Paragraph(markup(_("Too few graduation scores to rank.")), styles["text"])
        )
        story.append(KeepTogether([Paragraph(markup(section), styles["section"]), table]))
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def table_xlsx(table, title):
    """A dashboard table (reports.selectors.tables.Table) as an .xlsx workbook: the same rows
    the page shows, under the page's title and the table's."""
    from openpyxl.styles import Font

    book = workbooks.workbook()
    sheet = workbooks.sheet(book, table.title)
    sheet.freeze_panes = "A4"
    workbooks.append(sheet, [title])
    workbooks.append(sheet, [table.title])
    workbooks.append(sheet, [heading for heading, _kind in table.columns], font=Font(bold=True))
    for row in table.rows:
        workbooks.append(sheet, [float(v) if hasattr(v, "as_tuple") else v for v in row])
    return workbooks.content(book)


# A published report's .xlsx, read back ------------------------------------------------------

HEADER = 3  # report_xlsx's sheets: the title, the note, then the header


def table_rows(sheet, header):
    """The rows of cells of the records under the header on row `header`, up to the first
    empty row (write_table leaves one between two tables)."""
    rows = []
    for row in sheet.iter_rows(min_row=header + 1):
        if all(cell.value is None for cell in row):
            break
        rows.append(row)
    return rows


def lowest_header(sheet):
    """The row of the lowest scores' header on the "Top and bottom" sheet: two rows below
    the best ones, past their note (report_xlsx)."""
    return HEADER + len(table_rows(sheet, HEADER)) + 3


def trainee_cells(workbook):
    """(police ID cell, name cell) of every row of a report's .xlsx that is one trainee: the
    trainees' table, the best and the lowest scores."""
    scores, _by_unit, _by_group, ends = workbook.worksheets
    cells = []
    for sheet, header, definitions in (
        (scores, HEADER, columns()),
        (ends, HEADER, end_columns()),
        (ends, lowest_header(ends), end_columns()),
    ):
        headings = [heading for heading, _value, _kind in definitions]
        police_id, name = headings.index(_("Police ID")), headings.index(_("Full name"))
        cells += [(row[police_id], row[name]) for row in table_rows(sheet, header)]
    return cells


def stored_table(sheet, header, definitions):
    """(heads, records) of a table of a report's .xlsx, for tables_pdf: the headings as
    stored, the values back as the report held them (a rate in percent, a score a Decimal),
    the kinds of `definitions` (columns(), summary_columns(…) or end_columns())."""
    heads = [
        (
            sheet.cell(row=header, column=number).value,
            None if value is None else itemgetter(number - 1),  # None: the row's number
            kind,
        )
        for number, (_heading, value, kind) in enumerate(definitions, start=1)
    ]
    records = []
    for row in table_rows(sheet, header):
        record = []
        for cell, (_heading, _value, kind) in zip(row, definitions, strict=False):
            value = cell.value
            if value is not None and kind == "rate":
                value = round(value * 100, 1)  # stored as a fraction (write_table)
            elif value is not None and kind == "score":
                value = Decimal(repr(value))  # 72.45 stays 72.45, rounded as the Decimal was
            record.append(value)
        records.append(record)
    return heads, records


def best_rows(workbook):
    """[(police ID, name, unit)] of the best graduation scores of a report's .xlsx, in the
    order its email lists them (reports/email/report.txt)."""
    definitions = end_columns()
    headings = [heading for heading, _value, _kind in definitions]
    chosen = [headings.index(heading) for heading in (_("Police ID"), _("Full name"), _("Unit"))]
    _heads, records = stored_table(workbook.worksheets[3], HEADER, definitions)
    return [tuple(record[index] for index in chosen) for record in records]


def frozen_pdf(workbook, *, title):
    """The PDF of a report's .xlsx, from its cells alone: the tables, headings, note and
    figures of the PDF published with it, whatever has changed since. A PDF's text cannot be
    edited in place: a redacted .xlsx (reports.services.erasure) is how its PDF is redacted."""
    scores, by_unit, by_group, ends = workbook.worksheets
    sections = []
    for sheet in (by_unit, by_group):
        heads, records = stored_table(sheet, HEADER, summary_columns(""))
        sections.append((sheet.cell(row=2, column=1).value, heads, records))
    # The whole report's line, last of the branches': trainees, pass and attendance rates.
    whole = sections[0][2][-1]
    lowest = lowest_header(ends)
    return tables_pdf(
        title=title,
        note=scores.cell(row=2, column=1).value or "",
        figures=figures_line(whole[1], whole[6], whole[7]),
        main=stored_table(scores, HEADER, columns()),
        sections=sections,
        ends=[
            (ends.cell(row=row - 1, column=1).value, *stored_table(ends, row, end_columns()))
            for row in (HEADER, lowest)
        ],
    )
