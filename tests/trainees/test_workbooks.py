"""The one .xlsx writer (trainees.workbooks): a str is always a text cell, never a formula;
characters an .xlsx cannot hold are dropped; numbers and dates stay numbers and dates. And
no export makes a workbook anywhere else."""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from tests.hostile_text import FORMULA
from trainees import workbooks

ROOT = Path(__file__).resolve().parents[2]
# The writer, and the reader of the four imports (load_workbook, never a Workbook of its own).
ALLOWED = {ROOT / "trainees" / "workbooks.py", ROOT / "trainees" / "spreadsheets.py"}


def reopened(content):
    return load_workbook(io.BytesIO(content))


@pytest.mark.parametrize("write_only", [True, False])
def test_text_is_a_text_cell_and_numbers_and_dates_stay_what_they_are(write_only):
    book = workbooks.workbook(write_only=write_only)
    sheet = workbooks.sheet(book, "名册")
    workbooks.append(sheet, [FORMULA, "#N/A", "-1", 7, None, Decimal("80.5"), date(2023, 1, 2)])

    row = next(reopened(workbooks.content(book))["名册"].iter_rows())

    midnight = datetime(2023, 1, 2)  # noqa: DTZ001 (a date read back: Excel has no zones)
    assert [c.value for c in row] == [FORMULA, "#N/A", "-1", 7, None, 80.5, midnight]
    assert [c.data_type for c in row] == ["s", "s", "s", "n", "n", "n", "d"]


def test_a_cell_put_in_place_is_text_too():
    book = workbooks.workbook(write_only=False)
    sheet = workbooks.sheet(book, "成绩")

    workbooks.put(sheet, 2, 3, FORMULA)
    workbooks.put(sheet, 3, 3, 60)

    sheet = reopened(workbooks.content(book))["成绩"]
    assert (sheet["C2"].value, sheet["C2"].data_type) == (FORMULA, "s")
    assert (sheet["C3"].value, sheet["C3"].data_type) == (60, "n")


@pytest.mark.parametrize("write_only", [True, False])
def test_characters_an_xlsx_cannot_hold_are_dropped_and_line_breaks_stay(write_only):
    book = workbooks.workbook(write_only=write_only)
    sheet = workbooks.sheet(book, "某\x01单位")
    workbooks.append(sheet, ["张\x00三", "某\x01派出所\x7f", "第一行\n第二行\t止", "\x1b=1+1"])

    sheet = reopened(workbooks.content(book)).worksheets[0]
    row = next(sheet.iter_rows())

    assert sheet.title == "某单位"
    assert [cell.value for cell in row] == ["张三", "某派出所", "第一行\n第二行\t止", "=1+1"]
    assert {cell.data_type for cell in row} == {"s"}


def test_a_translated_text_is_written_as_text():
    book = workbooks.workbook()
    sheet = workbooks.sheet(book, gettext_lazy("Roster"))
    workbooks.append(sheet, [gettext_lazy("Police ID")])

    sheet = reopened(workbooks.content(book)).worksheets[0]

    assert (sheet.title, sheet["A1"].value) == ("名册", "警号")


def test_a_sheet_title_keeps_to_what_excel_accepts():
    book = workbooks.workbook()

    sheet = workbooks.sheet(book, "按单位/分组: [甲]*?" + "长" * 40)

    assert sheet.title == "按单位_分组_ _甲___" + "长" * 18


def test_styles_are_set_on_the_written_cells():
    from openpyxl.styles import Font

    book = workbooks.workbook()
    sheet = workbooks.sheet(book, "x")
    workbooks.append(sheet, ["警号", "031245"], font=Font(bold=True), number_format="@")

    row = next(reopened(workbooks.content(book)).worksheets[0].iter_rows())

    assert [(cell.font.b, cell.number_format) for cell in row] == [(True, "@")] * 2


def test_no_module_but_the_writer_makes_a_workbook_or_writes_a_cell_of_its_own():
    """An import-linter for the one rule it cannot state: every export goes through
    trainees.workbooks. Styles and column letters (openpyxl.styles, openpyxl.utils) may be
    used anywhere."""
    forbidden = re.compile(
        r"\bWorkbook\s*\("
        r"|\bopenpyxl\.Workbook\b"
        r"|from\s+openpyxl\s+import\b"
        r"|import\s+openpyxl\b"
        r"|from\s+openpyxl\.(?!styles\b|utils\b)"
        r"|\.cell\([^)]*\bvalue\s*="
    )
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in {".venv", "tests", "node_modules"}
        and path not in ALLOWED
    ]

    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if forbidden.search(line)
    ]

    assert len(sources) > 100  # the tree was found
    assert offenders == []
