"""A trainee's erasure and the published score reports: their rows of the frozen files and
their name in the emails are redacted, every other cell and figure stays what was mailed;
their sign-in records go."""

import io
import re

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from pypdf import PdfReader

from reports import files as report_files
from reports.models import ReportDelivery, ReportFile, ReportRecipient
from reports.selectors.report import program_report
from reports.services import erasure, outbox
from tests.hostile_text import FORMULA
from tests.reports.report_class import NIGHT
from trainees import workbooks
from trainees.models import Enrollment, Group, Trainee
from trainees.personal_data import Former, trainee_erase
from trainees.services.enrollments import enrollment_set_status

pytestmark = pytest.mark.django_db


def pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def cells(xlsx):
    """Every cell's value of every sheet, by sheet and coordinate."""
    workbook = workbooks.opened(bytes(xlsx))
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }


@pytest.fixture
def published(program, small_class, units, organizer):
    """Report no. 1 of the small class, to the bureau (every row), 溧阳 (王强 and 刘洋) and
    金坛 (not 王强), and to the trainees with an email: 王强 (his mail sent) and 张伟."""
    ReportRecipient.objects.create(program=program, name="市局政治部", email="zzb@czga.test")
    for name, unit in (("溧阳市局", "liyang"), ("金坛分局", "jintan")):
        ReportRecipient.objects.create(
            program=program, name=name, email=f"{unit}@czga.test", scope_unit=units[unit]
        )
    for police_id in ("100003", "100001"):
        Trainee.objects.filter(police_id=police_id).update(email=f"{police_id}@czga.test")
    report = outbox.report_publish(
        program=program, user=organizer, notify_trainees=True, now=NIGHT, provisional=True
    )
    report.deliveries.filter(recipient_email="100003@czga.test").update(
        status=ReportDelivery.Status.SENT
    )
    return report


def test_erasure_redacts_the_published_files_and_keeps_every_figure(
    program, small_class, organizer, published
):
    """王强 (100003), the best graduation score, is corrected to 王强强 (100013) after the
    report, then withdraws and is erased: the files still named him as published."""
    wang = small_class["100003"]
    whole, liyang, jintan = published.files.order_by("pk")
    before = {file.pk: (cells(file.xlsx), pdf_text(bytes(file.pdf))) for file in (whole, liyang)}
    untouched = bytes(jintan.xlsx), bytes(jintan.pdf)
    trainee = wang.trainee
    trainee.name, trainee.police_id = "王强强", "100013"
    trainee.save()
    enrollment_set_status(enrollment=wang, status=Enrollment.Status.WITHDRAWN, user=organizer)

    trainee = trainee_erase(enrollment=Enrollment.objects.get(pk=wang.pk), user=organizer)

    for file in ReportFile.objects.filter(pk__in=[whole.pk, liyang.pk]):
        old_cells, old_text = before[file.pk]
        new_cells, new_text = cells(file.xlsx), pdf_text(bytes(file.pdf))
        for text in (str(new_cells), new_text):
            assert "王强" not in text and "100003" not in text and "100013" not in text
        redacted = {"王强": trainee.name, "100003": trainee.police_id}
        assert new_cells == {key: redacted.get(value, value) for key, value in old_cells.items()}
        # The PDF's text is the published one's, but for him (a longer label wraps its cell).
        squeezed = re.sub(r"\s", "", old_text)
        for old, new in redacted.items():
            squeezed = squeezed.replace(old, re.sub(r"\s", "", new))
        assert re.sub(r"\s", "", new_text) == squeezed
        assert "刘洋" in new_text and "90.0" in new_text
    jintan.refresh_from_db()
    assert (bytes(jintan.xlsx), bytes(jintan.pdf)) == untouched


def test_erasure_keeps_a_text_cell_that_looks_like_a_formula_text(
    program, small_class, organizer, units
):
    Group.objects.filter(program=program, number=1).update(name=FORMULA)
    ReportRecipient.objects.create(program=program, name="市局政治部", email="zzb@czga.test")
    report = outbox.report_publish(program=program, user=organizer, now=NIGHT, provisional=True)
    wang = small_class["100003"]
    enrollment_set_status(enrollment=wang, status=Enrollment.Status.WITHDRAWN, user=organizer)

    trainee_erase(enrollment=Enrollment.objects.get(pk=wang.pk), user=organizer)

    sheet = workbooks.opened(bytes(report.files.get().xlsx)).worksheets[0]
    groups = [(cell.value, cell.data_type) for cell in sheet["F"][3:]]
    assert groups == [(FORMULA, "s")] * 3 + [("第2组", "s")] * 2


def test_erasure_redacts_the_report_emails(program, small_class, organizer, published):
    wang = small_class["100003"]
    enrollment_set_status(enrollment=wang, status=Enrollment.Status.WITHDRAWN, user=organizer)
    bureau = published.deliveries.get(recipient_email="zzb@czga.test")
    assert "王强（竹箦派出所）90.0" in bureau.body

    trainee = trainee_erase(enrollment=Enrollment.objects.get(pk=wang.pk), user=organizer)

    bureau.refresh_from_db()
    assert "王强" not in bureau.body
    assert f"{trainee.name}（竹箦派出所）90.0" in bureau.body
    assert "张伟（儒林派出所）80.0" in bureau.body
    own = ReportDelivery.objects.get(enrollment=wang)  # sent: kept, without name or address
    assert (own.recipient_name, own.recipient_email) == (trainee.name, "")
    assert "王强" not in own.body and "90.0" in own.body
    zhang = ReportDelivery.objects.get(enrollment=small_class["100001"])
    assert (zhang.recipient_email, zhang.status) == ("100001@czga.test", "pending")


def test_erasure_deletes_the_unsent_score_email_of_the_trainee(
    program, small_class, organizer, published
):
    zhang = small_class["100001"]
    enrollment_set_status(enrollment=zhang, status=Enrollment.Status.WITHDRAWN, user=organizer)

    trainee_erase(enrollment=Enrollment.objects.get(pk=zhang.pk), user=organizer)

    assert not ReportDelivery.objects.filter(enrollment=zhang).exists()
    assert ReportDelivery.objects.filter(enrollment=small_class["100003"]).exists()


def test_erasure_clears_the_sign_in_records_and_the_admin_log(program, small_class, organizer):
    gone, other = small_class["100006"], small_class["100001"]
    for username in ("100006", "100001"):
        common = {"username": username, "ip_address": "127.0.0.1", "user_agent": "phone"}
        AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=3)
        AccessLog.objects.create(**common)
    LogEntry.objects.create(
        user=organizer,
        content_type=ContentType.objects.get_for_model(Trainee),
        object_id=str(gone.trainee_id),
        object_repr=str(gone.trainee),
        action_flag=CHANGE,
    )

    trainee = trainee_erase(enrollment=gone, user=organizer)

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["100001"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["100001"]
    assert LogEntry.objects.get().object_repr == str(trainee)
    assert "100006" not in str(trainee) and other.trainee.name == "张伟"


def test_frozen_pdf_has_the_text_of_the_published_pdf(program, small_class):
    report = program_report(program, now=NIGHT)
    xlsx = report_files.report_xlsx(report, title="测试班成绩通报")
    published = report_files.report_pdf(report, title="测试班成绩通报")

    again = report_files.frozen_pdf(workbooks.opened(xlsx), title="测试班成绩通报")

    assert pdf_text(again) == pdf_text(published)


def test_body_redact_keeps_a_namesakes_entry():
    best = [("100001", "张伟", "儒林派出所"), ("100002", "张伟", "儒林派出所")]
    body = "优秀：张伟（儒林派出所）90.0、张伟（儒林派出所）80.0\n"
    erased = Trainee(name="已删除学员 7", police_id="erased-7")
    former = Former(names=frozenset({"张伟"}), police_ids=frozenset({"100002"}))

    assert erasure.body_redact(body, best, erased, former) == (
        "优秀：张伟（儒林派出所）90.0、已删除学员 7（儒林派出所）80.0\n"
    )
