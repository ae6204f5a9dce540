"""Reading a spreadsheet (.xlsx or .csv) whose header row names its columns, Chinese or English:
the one reader of every import (the roster, the timetable, the question bank, paper scores).

`read_table` finds the header row by the column names it knows, and returns the rows under it,
each cell as normalized text, with row numbers as the spreadsheet numbers them. A file that
cannot be read at all raises SpreadsheetFileError; an import reports each problem of a row as
a SpreadsheetError (a row, a column, a message), all of them at once.
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

HEADER_SEARCH_ROWS = 10
GROUP = re.compile(r"^第?([0-9一二三四五六七八九十]{1,3})组?$")
CHINESE_DIGITS = dict(zip("一二三四五六七八九", range(1, 10), strict=True))
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run such a cell as a formula
# Full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) and the ideographic space, to half-width.
HALF_WIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    0x3000: 0x20,
}


class SpreadsheetFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, empty)."""


@dataclass(frozen=True)
class SpreadsheetError:
    """A problem of the file (row None) or of one cell of a row, as an import reports it."""

    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class TableRow:
    number: int  # the row number the spreadsheet shows
    values: dict  # canonical column → normalized text, for the columns the file has


@dataclass
class Table:
    rows: list
    columns: dict  # canonical column → the header text the file uses
    header_row: int


def normalize_text(value):
    """A cell as trimmed text: numbers without a trailing .0, full-width digits half-width."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).translate(HALF_WIDTH).split())


def normalize_header(value):
    return normalize_text(value).replace(" ", "").replace("*", "").lower()


def header_columns(cells, columns, required):
    """Map canonical columns to their positions, if this row is a header row."""
    names = {alias: key for key, aliases in columns.items() for alias in aliases}
    found = {}
    for position, cell in enumerate(cells):
        key = names.get(normalize_header(cell))
        if key and key not in found:
            found[key] = (position, normalize_text(cell))
    return found if all(key in found for key in required) else None


def read_rows(name, content):
    """The raw rows of an .xlsx or .csv file: (row number, cells)."""
    suffix = Path(name).suffix.lower()
    if not content:
        raise SpreadsheetFileError(_("The file is empty."))
    if suffix == ".xlsx":
        return read_xlsx(content)
    if suffix == ".csv":
        return read_csv(content)
    if suffix == ".xls":
        raise SpreadsheetFileError(_("Old .xls files cannot be read: save the roster as .xlsx."))
    raise SpreadsheetFileError(_("Only .xlsx and .csv files can be imported."))


def read_xlsx(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetFileError(_("This is not a readable .xlsx file.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = [
            (number, list(cells))
            for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return rows


def read_csv(content):
    # Excel writes "CSV UTF-8" with a BOM, and plain "CSV" in GBK on a Chinese Windows.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetFileError(_("The .csv file is neither UTF-8 nor GBK text."))
    return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))


def read_table(name, content, known_columns, required, no_header_message):
    """Read a spreadsheet whose header row (within the first rows) names `required` columns:
    the rows under it, each cell as normalized text, with the spreadsheet's row numbers."""
    raw_rows = read_rows(name, content)
    for index, (_number, cells) in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):  # noqa: B007
        columns = header_columns(cells, known_columns, required)
        if columns:
            break
    else:
        raise SpreadsheetFileError(no_header_message)
    rows = []
    for number, cells in raw_rows[index + 1 :]:
        values = {
            key: normalize_text(cells[position] if position < len(cells) else None)
            for key, (position, _header) in columns.items()
        }
        if any(values.values()):
            rows.append(TableRow(number=number, values=values))
    return Table(
        rows=rows,
        columns={key: header for key, (_position, header) in columns.items()},
        header_row=raw_rows[index][0],
    )


def group_number(text):
    """3, 第3组, 3组, 第三组, 十二 → the number; anything else → None."""
    match = GROUP.match(text)
    if not match:
        return None
    digits = match.group(1)
    if digits.isdigit():
        return int(digits)
    if "十" in digits:  # 十 10, 十二 12, 二十 20, 二十一 21
        tens, _sep, units = digits.partition("十")
        if (tens and tens not in CHINESE_DIGITS) or (units and units not in CHINESE_DIGITS):
            return None
        return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(units, 0)
    return CHINESE_DIGITS.get(digits) if len(digits) == 1 else None
