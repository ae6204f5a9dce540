"""The discipline record page, and its .xlsx download."""

from django.shortcuts import render

from sessions import files
from sessions.selectors import discipline as discipline_selectors
from trainees.downloads import XLSX, attachment
from trainees.permissions import program_for


def discipline(request, code):
    """The discipline record: attendance per trainee, group and unit, and the summary line."""
    program = program_for(request.user, code)
    record = discipline_selectors.discipline(program)
    if request.GET.get("format") == "xlsx":
        content = files.discipline_xlsx(record)
        return attachment(content, XLSX, f"{program.code}-discipline.xlsx")
    return render(request, "timetable/discipline.html", {"program": program, "record": record})
