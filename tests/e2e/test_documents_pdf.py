"""The Word compilations and the score report's .xlsx open in LibreOffice and print their
Chinese: each is converted to PDF with `soffice --headless` and the PDF's text read back with
pdftotext. Skipped without LibreOffice and poppler (apt-get install libreoffice-writer-nogui
libreoffice-calc-nogui poppler-utils), unless E2E_REQUIRED=1."""

import os
import shutil
import subprocess

import pytest
from django.utils import timezone

from discussions.documents import essays_docx
from discussions.models import Essay
from reports.files import report_xlsx
from reports.selectors.report import program_report
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

BODY = (
    "派出所是公安工作的根基所在，所长既是指挥员又是战斗员。\n"
    "回所以后，我们将选取辖区内三个社区由所领导包干。"
)


def pdf_text(tools, tmp_path, document):
    """Convert `document` to PDF in LibreOffice; the PDF's text."""
    soffice, pdftotext = tools
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return subprocess.run(
        [pdftotext, "-layout", str(document.with_suffix(".pdf")), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def tools():
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        reason = "LibreOffice (soffice) or pdftotext is not installed"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return soffice, pdftotext


def test_essay_compilation_converts_to_a_pdf_that_shows_its_chinese(tools, tmp_path):
    program = factories.program(title="常州市公安派出所长素质能力提升专题培训班")
    unit = factories.unit("溧阳市公安局竹箦派出所")
    essays = []
    for name in ("龚定俊", "方圆"):
        enrollment = factories.enrollment(program, factories.trainee(name=name, unit=unit))
        essays.append(
            Essay.objects.create(
                enrollment=enrollment,
                title=f"{name}的学习心得",
                body=BODY,
                status=Essay.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
        )
    docx = tmp_path / "essays.docx"
    docx.write_bytes(essays_docx(program=program, essays=essays, title="学习心得体会汇编"))

    text = pdf_text(tools, tmp_path, docx)

    assert "学习心得体会汇编" in text
    assert "目录" in text
    assert "龚定俊的学习心得" in text and "方圆的学习心得" in text
    assert "派出所是公安工作的根基所在" in text


def test_score_report_workbook_opens_in_libreoffice_calc_with_its_chinese(tools, tmp_path):
    program = factories.program(title="常州市公安派出所长素质能力提升专题培训班")
    station = factories.unit("溧阳市公安局竹箦派出所")
    for police_id, name in (("320401", "龚定俊"), ("320402", "方圆")):
        trainee = factories.trainee(police_id, name=name, with_login=False, unit=station)
        factories.enrollment(program, trainee)
    workbook = tmp_path / "report.xlsx"
    report = program_report(program)
    workbook.write_bytes(
        report_xlsx(report, title="常州市公安派出所长素质能力提升专题培训班成绩通报")
    )

    text = pdf_text(tools, tmp_path, workbook)

    assert "成绩通报" in text
    assert "龚定俊" in text and "方圆" in text and "溧阳市公安局竹箦派出所" in text
