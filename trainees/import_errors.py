"""How an import's errors are shown, on every import page (the roster, the timetable, the
question bank, paper scores): templates/includes/import_errors.html renders them through
`error_report`.

The same problem on many rows is one line with its rows, compressed into ranges
(第 3–222 行，分组：…; 第 3–5、9、12–40 行 …), so a file wrong in one column all the way
down reads as one line, not a page of 220. A problem whose fix is obvious carries a hint
(`HintedError`): "add a 上级单位 column".
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trainees.spreadsheets import SpreadsheetError

MAX_LINES = 50  # lines shown; the rest is counted
MAX_RANGES = 12  # ranges of rows shown on one line; the rest is counted


@dataclass(frozen=True)
class HintedError(SpreadsheetError):
    """A SpreadsheetError with the fix it calls for, shown under it."""

    hint: str = ""


@dataclass
class ErrorLine:
    """One problem (a column and a message) and every row that has it."""

    column: str
    message: str
    hint: str = ""
    rows: list = field(default_factory=list)  # row numbers, ascending; empty: the whole file

    def __str__(self):
        if not self.rows:
            return self.message
        if len(self.rows) == 1:
            return _("Row %(row)s, %(column)s: %(message)s") % {
                "row": self.rows[0],
                "column": self.column,
                "message": self.message,
            }
        shown, left_off = row_ranges(self.rows)
        values = {"rows": shown, "column": self.column, "message": self.message}
        if left_off:
            return _("Rows %(rows)s … (%(count)s rows), %(column)s: %(message)s") % {
                **values,
                "count": len(self.rows),
            }
        return _("Rows %(rows)s, %(column)s: %(message)s") % values


@dataclass
class ErrorReport:
    lines: list
    left_off: int = 0  # errors not shown (beyond MAX_LINES lines)

    @property
    def left_off_text(self):
        return ngettext(
            "… and %(count)s more error.", "… and %(count)s more errors.", self.left_off
        ) % {"count": self.left_off}


def row_ranges(numbers, limit=MAX_RANGES):
    """(text, left_off): ascending row numbers as ranges, "3–5, 9, 12–40", at most `limit`
    of them; left_off says whether some were left out."""
    ranges = []
    for number in sorted(set(numbers)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    separator = _(", ")  # 、 in Chinese
    text = separator.join(
        str(first) if first == last else f"{first}–{last}" for first, last in ranges[:limit]
    )
    return text, len(ranges) > limit


def error_report(errors, max_lines=MAX_LINES):
    """The errors of an import as lines: one line per problem, with the rows that have it,
    in the order of their first row; problems of the whole file (row None) first."""
    lines, by_problem = [], {}
    for error in errors:
        hint = getattr(error, "hint", "")
        if error.row is None:
            lines.append(ErrorLine(error.column, error.message, hint))
            continue
        key = (error.column, error.message, hint)
        if key not in by_problem:
            by_problem[key] = ErrorLine(error.column, error.message, hint)
            lines.append(by_problem[key])
        by_problem[key].rows.append(error.row)
    for line in by_problem.values():
        line.rows.sort()
    lines.sort(key=lambda line: line.rows[0] if line.rows else 0)  # stable: ties keep order
    shown = lines[:max_lines]
    left_off = sum(max(len(line.rows), 1) for line in lines[max_lines:])
    return ErrorReport(lines=shown, left_off=left_off)
