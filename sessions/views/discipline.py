"""The discipline record page, and its .xlsx download."""

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sessions.selectors import discipline as discipline_selectors
from trainees.permissions import program_for


def discipline(request, code):
    """The discipline record: attendance per trainee, group and unit, and the summary line."""
    program = program_for(request.user, code)
    record = discipline_selectors.discipline(program)
    if request.GET.get("format") == "xlsx":
        return discipline_xlsx(program, record)
    return render(request, "timetable/discipline.html", {"program": program, "record": record})


def discipline_xlsx(program, record):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheets = [
        (_("Trainees"), [_("Police ID"), _("Full name"), _("Unit"), _("Group")], record.trainees),
        (_("Groups"), [_("Group")], record.groups),
        (_("Units"), [_("Unit")], record.units),
    ]
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
    for index, (title, heads, lines) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append([*heads, *figures])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in lines:
            sheet.append([*line.labels, *line.figures])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{program.code}-discipline.xlsx"'
    return response
