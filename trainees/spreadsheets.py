"""Reading a spreadsheet (.xlsx or .csv) whose header row names its columns, Chinese or English:
the one reader of every import (the roster, the timetable, the question bank, paper scores).

`read_table` finds the header row by the column names it knows, and returns the rows under it,
each cell as normalized text, with row numbers as the spreadsheet numbers them. A file that
cannot be read at all raises SpreadsheetFileError; an import reports each problem of a row as
a SpreadsheetError (a row, a column, a message), all of them at once. The rows come from
trainees.spreadsheet_rows, which reads them within caps on the rows, the columns and the size.
"""

import re
from contextlib import closing
from dataclasses import dataclass

from django.utils.translation import gettext as _

# SpreadsheetFileError is the imports' to catch: they import it from here.
from trainees.spreadsheet_rows import SpreadsheetFileError, read_rows
from trainees.text import without_control

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
    """A cell as trimmed text: numbers without a trailing .0, full-width digits half-width,
    no control characters (trainees.text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(without_control(str(value)).translate(HALF_WIDTH).split())


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


def read_table(name, content, known_columns, required, no_header_message):
    """Read a spreadsheet whose header row (within the first rows) names `required` columns:
    the rows under it, each cell as normalized text, with the spreadsheet's row numbers."""
    columns = None
    with closing(read_rows(name, content)) as raw_rows:
        for header_row, cells in raw_rows:
            if header_row > HEADER_SEARCH_ROWS:
                break
            columns = header_columns(cells, known_columns, required)
            if columns:
                break
        if not columns:
            raise SpreadsheetFileError(no_header_message)
        rows = []
        for number, cells in raw_rows:
            values = {
                key: normalize_text(cells[position] if position < len(cells) else None)
                for key, (position, _header) in columns.items()
            }
            if any(values.values()):
                rows.append(TableRow(number=number, values=values))
    return Table(
        rows=rows,
        columns={key: header for key, (_position, header) in columns.items()},
        header_row=header_row,
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
