"""The roster (名册) as a file: the .xlsx export, in the columns the import reads, so that it
imports back unchanged. Written by trainees.workbooks, as every export is."""

from django.utils.translation import gettext as _

from trainees import selectors, workbooks
from trainees.roster import EXPORT_HEADERS

# Police ID, name, gender, unit, parent unit, position, phone, group.
ROSTER_WIDTHS = (12, 10, 6, 36, 24, 12, 14, 6)


def roster_xlsx(program, *, full_phone):
    """The roster of `program` as .xlsx; phones masked unless `full_phone`."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = workbooks.workbook()
    sheet = workbooks.sheet(book, _("Roster"))
    for column, width in enumerate(ROSTER_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    workbooks.append(sheet, EXPORT_HEADERS.values(), font=Font(bold=True))
    for enrollment in selectors.roster(program):
        trainee = enrollment.trainee
        workbooks.append(
            sheet,
            [
                trainee.police_id,
                trainee.name,
                trainee.get_gender_display(),
                trainee.unit.name,
                trainee.unit.parent.name if trainee.unit.parent else "",
                trainee.position,
                trainee.phone if full_phone else trainee.masked_phone,
                enrollment.group.number if enrollment.group else "",
            ],
            number_format="@",  # police IDs and phones stay text: 031245 keeps its 0
        )
    return workbooks.content(book)
