"""Study hours (学时) in the score report: its rows, its .xlsx and PDF, a report published
before the hours were shown, and the hours frozen by the close.

The small class's hours (tests/reports/report_class.py; study hour 45 minutes, every activity
a 90-minute lecture, the morning and afternoon the class's, the evening group 1's):
  张伟 90 + (90 − 5 late) + 90          = 265 min → 5.888… → 5.9
  李娜 absent, 90, (group 1's evening)  =  90 min → 2.0
  王强 90, leave, left early (no time: half) 45 = 135 min → 3.0
  刘洋 (90 − 3) + (90 − 7)              = 170 min → 3.777… → 3.8
  陈静 90 + 90 + absent                 = 180 min → 4.0
"""

import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from completion.services.closing import program_close
from reports import files as report_files
from reports.selectors.report import program_report
from sessions.models import Attendance
from tests.reports.report_class import NIGHT
from trainees import workbooks

pytestmark = pytest.mark.django_db

HOURS = {
    "张伟": Decimal("5.9"),
    "李娜": Decimal("2.0"),
    "王强": Decimal("3.0"),
    "刘洋": Decimal("3.8"),
    "陈静": Decimal("4.0"),
}


def test_report_rows_have_the_hours_worked_out_by_hand(program, small_class):
    report = program_report(program, now=NIGHT)

    assert {row.name: row.hours for row in report.rows} == HOURS


def test_report_xlsx_has_the_hours_last(program, small_class):
    report = program_report(program, now=NIGHT)

    sheet = load_workbook(io.BytesIO(report_files.report_xlsx(report, title="成绩通报")))[
        _("Scores")
    ]

    header = [cell.value for cell in sheet[3]]
    assert header[-1] == _("Study hours")
    hours = {row[2]: row[-1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert hours == {name: float(value) for name, value in HOURS.items()}


def test_report_pdf_has_the_hours(program, small_class):
    report = program_report(program, now=NIGHT)

    content = report_files.report_pdf(report, title="成绩通报")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert _("Study hours") in text and "5.9" in text and "3.8" in text


def test_report_published_before_the_hours_reads_back(program, small_class):
    """A report's .xlsx published without the hours column: its frozen PDF (made again when a
    trainee is erased) still reads it, without an hours column."""
    report = program_report(program, now=NIGHT)
    book = workbooks.opened(report_files.report_xlsx(report, title="成绩通报"))
    scores = book.worksheets[0]
    scores.delete_cols(scores.max_column)
    older = workbooks.content(book)

    content = report_files.frozen_pdf(workbooks.opened(older), title="成绩通报")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "张伟" in text and _("Study hours") not in text
    assert "None" not in text  # no column without a heading


def test_report_after_the_close_shows_the_frozen_hours(program, small_class, organizer):
    program_close(program=program, user=organizer, now=NIGHT)
    Attendance.objects.filter(enrollment__trainee__name="李娜").update(status="present")

    report = program_report(program, now=NIGHT)

    assert {row.name: row.hours for row in report.rows} == HOURS
