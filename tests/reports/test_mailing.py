"""成绩通报 mailed to the bureau: recipients, publishing (an outbox), sending each delivery
once, SMTP errors (a real SMTP server: aiosmtpd in this process), the sweep, the delivery log
and who may do what. The worker and Redis are in tests/integration/test_report_mail.py."""

import email
import email.policy
import io
import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exams.models import Exam
from exams.services import paper
from reports import tasks
from reports.models import ReportDelivery, ReportFile, ReportRecipient, ScoreReport
from reports.services import outbox, sending
from tests import factories
from tests.mail_sink import Sink
from trainees.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(units):
    """The political department and 金坛分局 have an email; 溧阳市公安局 has none."""
    Unit.objects.create(
        name="政治部", kind=Unit.Kind.DEPARTMENT, parent=units["bureau"], email="zzb@czga.test"
    )
    units["jintan"].email = "jintan@czga.test"
    units["jintan"].save()
    return units


@pytest.fixture
def recipients(program, units):
    """The whole program, 金坛分局, 溧阳市公安局 (its one station)."""
    return [
        ReportRecipient.objects.create(program=program, name="市局政治部", email="zzb@czga.test"),
        ReportRecipient.objects.create(
            program=program, name="金坛分局", email="jintan@czga.test", scope_unit=units["jintan"]
        ),
        ReportRecipient.objects.create(
            program=program, name="溧阳市局", email="liyang@czga.test", scope_unit=units["liyang"]
        ),
    ]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on localhost that the mail backend talks to."""
    with Sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


def publish(program, organizer, capture, **options):
    with capture(execute=True):
        return outbox.report_publish(program=program, user=organizer, provisional=True, **options)


def attachments(message):
    """[(file name, content)] of an email as it goes on the wire."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return [(part.get_filename(), part.get_content()) for part in parsed.iter_attachments()]


def police_ids(xlsx):
    sheet = load_workbook(io.BytesIO(xlsx)).active
    return sorted(
        str(row[1]) for row in sheet.iter_rows(values_only=True) if str(row[1]).startswith("1000")
    )


def test_the_default_list_is_the_political_department_and_each_branch_with_an_email(
    program, small_class, emails
):
    added, missing = outbox.recipients_fill_default(program=program)

    assert [(r.name, r.email, r.scope_unit) for r in added] == [
        ("常州市公安局政治部", "zzb@czga.test", None),
        ("常州市公安局金坛分局", "jintan@czga.test", emails["jintan"]),
    ]
    assert missing == ["溧阳市公安局"]
    # Filled in twice: nothing doubles.
    assert outbox.recipients_fill_default(program=program)[0] == []
    assert program.report_recipients.count() == 2


def test_publishing_mails_each_recipient_the_rows_of_their_scope(
    program, organizer, small_class, recipients, django_capture_on_commit_callbacks
):
    report = publish(program, organizer, django_capture_on_commit_callbacks)

    assert (report.number, report.status) == (1, ScoreReport.Status.PUBLISHED)
    assert ReportFile.objects.filter(report=report).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in recipients)
    by_address = {m.to[0]: m for m in mail.outbox}
    expected = {
        "zzb@czga.test": ["100001", "100002", "100003", "100004", "100005"],
        "jintan@czga.test": ["100001", "100002", "100005"],
        "liyang@czga.test": ["100003", "100004"],
    }
    for address, ids in expected.items():
        message = by_address[address]
        (xlsx_name, xlsx), (pdf_name, pdf) = attachments(message)
        assert police_ids(xlsx) == ids, address
        assert xlsx_name.endswith(".xlsx") and "成绩通报" in xlsx_name
        assert pdf_name.endswith(".pdf") and pdf.startswith(b"%PDF")
        assert "成绩通报" in message.subject
    assert "金坛分局" in by_address["jintan@czga.test"].subject
    assert "参训人数：3" in by_address["jintan@czga.test"].body
    deliveries = list(report.deliveries.all())
    assert {(d.status, d.attempts) for d in deliveries} == {("sent", 1)}
    # Each email carries its delivery's Message-ID, written at publishing.
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        d.message_id for d in deliveries
    }


def test_publishing_without_recipients_is_refused_and_creates_nothing(
    program, organizer, small_class
):
    with pytest.raises(outbox.ReportRefused, match="收件人"):
        outbox.report_publish(program=program, user=organizer, provisional=True)
    assert not ScoreReport.objects.exists()


def test_a_broken_file_undoes_the_whole_publication(
    program, organizer, small_class, recipients, monkeypatch
):
    """The outbox is one transaction: a failure while writing the third scope's PDF leaves no
    report, no file and no delivery."""
    real, calls = outbox.files.report_pdf, []

    def pdf(report, *, title):
        calls.append(title)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(report, title=title)

    monkeypatch.setattr(outbox.files, "report_pdf", pdf)
    with pytest.raises(RuntimeError):
        outbox.report_publish(program=program, user=organizer, provisional=True)
    assert not ScoreReport.objects.exists() and not ReportDelivery.objects.exists()


def test_trainees_are_mailed_their_own_scores_when_asked(
    program, organizer, small_class, recipients, django_capture_on_commit_callbacks
):
    for police_id in ("100001", "100003"):
        trainee = small_class[police_id].trainee
        trainee.email = f"{police_id}@czga.test"
        trainee.save()

    report = publish(program, organizer, django_capture_on_commit_callbacks, notify_trainees=True)

    own = {m.to[0]: m for m in mail.outbox if m.to[0].startswith("1000")}
    assert set(own) == {"100001@czga.test", "100003@czga.test"}  # the others have no email
    assert attachments(own["100001@czga.test"]) == []
    body = own["100001@czga.test"].body
    assert "张伟" in body and "结业考试：80.0（合格）" in body and "入学测试：60.0" in body
    assert report.deliveries.filter(enrollment__isnull=False).count() == 2


def test_a_published_report_is_frozen_and_the_log_says_when_scores_changed(
    client, program, organizer, small_class, recipients, django_capture_on_commit_callbacks
):
    report = publish(program, organizer, django_capture_on_commit_callbacks)
    log = reverse("reports:report-log", args=[program.code, report.number])
    client.force_login(organizer)
    assert "已有变动" not in client.get(log).content.decode()

    graduation = Exam.objects.get(program=program, kind=Exam.Kind.GRADUATION)
    paper.paper_scores_set(
        exam=graduation, scores={small_class["100002"].pk: Decimal(95)}, user=organizer
    )

    page = client.get(log).content.decode()
    assert "已有变动" in page and "请重新发布" in page
    file = report.files.get(scope_unit=None)
    response = client.get(
        reverse("reports:report-file", args=[program.code, report.number, file.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    li_na = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "100002")
    assert li_na[7] == 60  # as mailed, not the 95 given since

    second = publish(program, organizer, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert (second.number, report.status) == (2, ScoreReport.Status.SUPERSEDED)
    assert (
        "已有变动"
        not in client.get(reverse("reports:report-log", args=[program.code, 2])).content.decode()
    )


def test_451_twice_then_accepted_is_one_email_in_three_attempts(
    program, organizer, small_class, recipients, smtp, django_capture_on_commit_callbacks
):
    """Fault (a): a transient answer is tried again (Celery retries; eager here) until the
    server accepts. The worker's version of this test is in the integration lane."""
    ReportRecipient.objects.exclude(email="zzb@czga.test").delete()
    smtp.handler.data_replies = ["451 4.3.0 Mailbox busy, try later"] * 2

    report = publish(program, organizer, django_capture_on_commit_callbacks)

    delivery = report.deliveries.get()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert delivery.last_error == "451 4.3.0 Mailbox busy, try later"
    assert smtp.message_ids() == [delivery.message_id]


def test_550_fails_the_delivery_with_the_servers_message_and_resend_sends_it(
    client, program, organizer, small_class, recipients, smtp, django_capture_on_commit_callbacks
):
    """Fault (d): a permanent answer fails the delivery at once; the log shows the server's
    message; once the address is fixed on the server, "resend" sends it."""
    smtp.handler.refused["liyang@czga.test"] = "550 5.1.1 <liyang@czga.test>: no such mailbox"

    report = publish(program, organizer, django_capture_on_commit_callbacks)

    failed = report.deliveries.get(recipient_email="liyang@czga.test")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "550 liyang@czga.test: 5.1.1 <liyang@czga.test>: no such mailbox"
    assert report.deliveries.filter(status="sent").count() == 2
    client.force_login(organizer)
    page = client.get(reverse("reports:report-log", args=[program.code, 1])).content.decode()
    assert "no such mailbox" in page and "重发 1 封失败的邮件" in page

    del smtp.handler.refused["liyang@czga.test"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-resend", args=[program.code, 1]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)  # a resend starts the count afresh
    assert sorted(smtp.message_ids()) == sorted(d.message_id for d in report.deliveries.all())


def test_transient_errors_back_off_exponentially_up_to_a_cap_then_fail(
    program, organizer, small_class, recipients, smtp, settings
):
    settings.REPORT_MAIL_RETRY_BASE, settings.REPORT_MAIL_RETRY_CAP = 60, 300
    settings.REPORT_MAIL_MAX_ATTEMPTS = 5
    report = outbox.report_publish(
        program=program, user=organizer, provisional=True
    )  # tasks not sent
    delivery = report.deliveries.first()
    smtp.handler.data_replies = ["421 4.4.2 Too busy"] * 10

    waits, now = [], timezone.now()
    for _attempt in range(5):
        waits.append(sending.delivery_send(delivery.pk, now=now))
        now += timedelta(seconds=waits[-1] or 0)  # each retry when it falls due

    assert waits == [60, 120, 240, 300, None]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        5,
        "421 4.4.2 Too busy",
    )


def test_a_refused_connection_is_transient(program, organizer, small_class, recipients, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    report = outbox.report_publish(program=program, user=organizer, provisional=True)
    delivery = report.deliveries.first()

    assert sending.delivery_send(delivery.pk) == settings.REPORT_MAIL_RETRY_BASE
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "ConnectionRefusedError" in delivery.last_error


def test_a_batch_goes_over_one_smtp_connection_and_a_sent_delivery_is_not_sent_again(
    program, organizer, small_class, recipients, smtp, django_capture_on_commit_callbacks
):
    report = publish(program, organizer, django_capture_on_commit_callbacks)
    assert len(smtp.received) == 3 and smtp.handler.connections == 1

    for delivery in report.deliveries.all():  # a duplicate task, e.g. from the sweep
        assert sending.delivery_send(delivery.pk) is None
    assert len(smtp.received) == 3
    assert set(report.deliveries.values_list("attempts", flat=True)) == {1}


def test_a_connection_the_server_closed_while_idle_is_reopened(
    program, organizer, small_class, recipients, smtp
):
    report = outbox.report_publish(program=program, user=organizer, provisional=True)
    first, second, _third = report.deliveries.all()
    sending.delivery_send(first.pk)
    smtp.restart()  # the server goes away and comes back: our kept connection is dead
    sending.smtp.used_at -= 30  # … after the connection sat idle for half a minute

    sending.delivery_send(second.pk)

    second.refresh_from_db()
    assert (second.status, second.attempts) == ("sent", 1)
    assert smtp.message_ids() == [first.message_id, second.message_id]
    assert smtp.handler.connections == 2


def test_the_sweep_sends_the_deliveries_whose_task_was_lost(
    program, organizer, small_class, recipients, settings
):
    """The broker was down at publishing (the tasks were never sent): the deliveries wait,
    pending; the beat sweep sends them once they are overdue, and only them."""
    report = outbox.report_publish(
        program=program, user=organizer, provisional=True
    )  # on_commit never ran
    assert set(report.deliveries.values_list("status", flat=True)) == {"pending"}

    assert tasks.report_deliveries_resend_due() == 0  # not overdue yet: their task may be coming
    stale = timedelta(seconds=settings.REPORT_MAIL_STALE_SECONDS + 1)
    report.deliveries.update(next_attempt_at=timezone.now() - stale)  # the sweep, later on
    assert tasks.report_deliveries_resend_due() == 3

    assert set(report.deliveries.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 3
    assert tasks.report_deliveries_resend_due(now=timezone.now() + timedelta(hours=1)) == 0


def test_publishing_stands_when_the_broker_is_down(
    program, organizer, small_class, recipients, monkeypatch, django_capture_on_commit_callbacks
):
    from reports.tasks import report_delivery_send

    def down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(report_delivery_send, "apply_async", down)
    report = publish(program, organizer, django_capture_on_commit_callbacks)

    assert ScoreReport.objects.get() == report
    assert set(report.deliveries.values_list("status", flat=True)) == {"pending"}


def test_smtp_codes_and_messages_are_read_from_each_kind_of_error():
    refused = smtplib.SMTPRecipientsRefused({"a@b.test": (550, b"5.1.1 unknown")})
    assert (sending.smtp_code(refused), sending.describe(refused)) == (
        550,
        "550 a@b.test: 5.1.1 unknown",
    )
    data = smtplib.SMTPDataError(451, b"4.3.0 busy")
    assert (sending.smtp_code(data), sending.describe(data)) == (451, "451 4.3.0 busy")
    gone = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    assert sending.smtp_code(gone) is None
    assert sending.describe(gone) == "SMTPServerDisconnected: Connection unexpectedly closed"


# Pages -------------------------------------------------------------------------------------


def test_organizer_adds_a_recipient_and_bad_input_says_what_is_wrong(
    client, program, organizer, small_class, units
):
    client.force_login(organizer)
    url = reverse("reports:report-recipients", args=[program.code])

    response = client.post(url, {"name": "金坛分局", "email": "not-an-address", "scope_unit": ""})
    assert response.status_code == 200
    assert "输入一个有效的" in response.content.decode()

    data = {"name": "金坛分局", "email": "jintan@czga.test", "scope_unit": units["jintan"].pk}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert "已经收到这一范围的通报" in response.content.decode()
    assert program.report_recipients.count() == 1


def test_recipient_units_are_those_with_trainees_of_the_program(
    client, program, organizer, small_class, units
):
    """A recipient's rows are of a unit with trainees of the program under it (issue 17): the
    form offers those, and refuses another, without naming it."""
    wujin = factories.unit("常州市公安局武进分局", parent=units["bureau"], kind=Unit.Kind.BRANCH)
    client.force_login(organizer)
    url = reverse("reports:report-recipients", args=[program.code])

    offered = client.get(url).context["form"].fields["scope_unit"].queryset
    response = client.post(url, {"name": "武进", "email": "wj@czga.test", "scope_unit": wujin.pk})

    assert set(offered) == set(units.values())
    assert response.status_code == 200
    assert "常州市公安局武进分局" not in response.content.decode()
    assert program.report_recipients.count() == 0


def test_publish_through_the_page_and_read_the_delivery_log(
    client, program, organizer, small_class, recipients, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report-publish", args=[program.code]), {"provisional": "on"}
        )
    assert response.url == reverse("reports:report-log", args=[program.code, 1])
    page = client.get(response.url).content.decode()
    assert "第 1 期通报" in page and "已发送" in page and "金坛分局" in page
    preview = client.get(reverse("reports:report", args=[program.code])).content.decode()
    assert "3 封中已发 3 封" in preview


@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("reports:report-recipients", "post", []),
        ("reports:report-recipients-default", "post", []),
        ("reports:report-publish", "post", []),
        ("reports:report-resend", "post", [1]),
        ("reports:report-log", "get", [1]),
        ("reports:report-file", "get", [1, 0, "pdf"]),
    ],
)
def test_leadership_reads_and_changes_nothing_others_get_404(
    client, program, organizer, small_class, recipients, name, method, args
):
    report = outbox.report_publish(program=program, user=organizer, provisional=True)
    args = [report.files.first().pk if a == 0 else a for a in args]
    url = reverse(name, args=[program.code, *args])
    client.force_login(factories.user("leadership"))
    expected = 403 if method == "post" else 200
    assert getattr(client, method)(url).status_code == expected
    other = factories.user("organizer", username="other")
    factories.program(organizers=[other], code="OTHER")
    client.force_login(other)
    assert getattr(client, method)(url).status_code == 404
    client.force_login(small_class["100001"].trainee.user)
    assert getattr(client, method)(url).status_code == 404
    assert ScoreReport.objects.count() == 1


def test_the_delivery_log_query_count_is_the_same_at_10_and_200_deliveries(
    client, program, organizer, units
):
    client.force_login(organizer)
    counts = []
    for size in (10, 200):
        for _n in range(size - program.enrollments.count()):
            factories.enrollment(
                program, factories.trainee(with_login=False, unit=units["rulin"], email="")
            )
        ReportDelivery.objects.all().delete()
        ScoreReport.objects.all().delete()
        ReportRecipient.objects.all().delete()
        ReportRecipient.objects.create(program=program, name="政治部", email="z@czga.test")
        report = outbox.report_publish(program=program, user=organizer, provisional=True)
        report.deliveries.bulk_create(
            ReportDelivery(
                report=report,
                recipient_name=f"r{n}",
                recipient_email=f"r{n}@czga.test",
                subject="s",
                body="b",
                next_attempt_at=timezone.now(),
                message_id=f"<{size}.{n}@test>",
            )
            for n in range(size - 1)
        )
        url = reverse("reports:report-log", args=[program.code, report.number])
        client.get(url)  # a session's first request writes it once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_message_that_may_have_reached_the_server_is_not_sent_again_at_once(
    program, organizer, small_class, recipients, smtp, settings
):
    """A connection lost in the middle of a batch (the server's answer never came) is an
    attempt that failed: tried again later, by the backoff, never resent blindly."""
    report = outbox.report_publish(program=program, user=organizer, provisional=True)
    first, second, _third = report.deliveries.all()
    sending.delivery_send(first.pk)
    smtp.restart()  # no idle time: the connection is trusted, and the send fails

    assert sending.delivery_send(second.pk) == settings.REPORT_MAIL_RETRY_BASE

    second.refresh_from_db()
    assert (second.status, second.attempts) == ("pending", 1)
    assert smtp.message_ids() == [first.message_id]


def test_a_second_click_on_publish_is_refused_and_mails_nothing_twice(
    program, organizer, small_class, recipients, django_capture_on_commit_callbacks
):
    publish(program, organizer, django_capture_on_commit_callbacks)

    with pytest.raises(outbox.ReportRefused, match="刚刚已发布"):
        publish(program, organizer, django_capture_on_commit_callbacks)
    assert ScoreReport.objects.count() == 1 and len(mail.outbox) == 3


def test_a_duplicate_task_ahead_of_the_backoff_does_not_attempt(
    program, organizer, small_class, recipients, smtp
):
    report = outbox.report_publish(program=program, user=organizer, provisional=True)
    delivery = report.deliveries.first()
    smtp.handler.data_replies = ["451 4.3.0 Try later"]
    assert sending.delivery_send(delivery.pk) == 60

    assert sending.delivery_send(delivery.pk) is None  # e.g. redelivered by Redis

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert smtp.message_ids() == []


def test_the_default_list_leaves_out_a_branchs_political_department_and_the_city_bureau(
    program, units
):
    """Trainees of a unit directly under the city bureau count under the city bureau, whose
    political department already gets every row; a branch's own 政治部 is not the bureau's."""
    Unit.objects.create(
        name="政治部", parent=units["jintan"], kind=Unit.Kind.DEPARTMENT, email="jt-zzb@czga.test"
    )
    Unit.objects.create(
        name="政治部", parent=units["bureau"], kind=Unit.Kind.DEPARTMENT, email="zzb@czga.test"
    )
    units["bureau"].email = "bureau@czga.test"
    units["bureau"].save()
    direct = factories.unit("市局直属派出所", parent=units["bureau"])
    factories.enrollment(program, factories.trainee(unit=direct, with_login=False))

    chosen, missing = outbox.default_recipients(program)

    assert chosen == [("常州市公安局政治部", "zzb@czga.test", None)]
    assert missing == []
