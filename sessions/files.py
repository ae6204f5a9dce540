"""The discipline record (纪律情况) as a file: an .xlsx of three sheets, the trainees, the
groups and the units, each line with its attendance figures. Written by trainees.workbooks,
as every export is."""

from django.utils.translation import gettext as _

from trainees import workbooks


def discipline_xlsx(record):
    """`record` (sessions.selectors.discipline.Discipline) as an .xlsx workbook."""
    from openpyxl.styles import Font

    figures = [
        _("Expected"),
        _("Attended"),
        _("Attendance rate"),
        _("Late"),
        _("Minutes late"),
        _("Left early"),
        _("Absent"),
        _("On leave"),
    ]
    sheets = [
        (_("Trainees"), [_("Police ID"), _("Full name"), _("Unit"), _("Group")], record.trainees),
        (_("Groups"), [_("Group")], record.groups),
        (_("Units"), [_("Unit")], record.units),
    ]
    book = workbooks.workbook()
    for title, heads, lines in sheets:
        sheet = workbooks.sheet(book, title)
        sheet.freeze_panes = "A2"
        workbooks.append(sheet, [*heads, *figures], font=Font(bold=True))
        for line in lines:
            workbooks.append(sheet, [*line.labels, *line.figures])
    return workbooks.content(book)
