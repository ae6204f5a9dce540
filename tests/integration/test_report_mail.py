"""成绩通报 mailed for real: PostgreSQL, Redis, a `celery -A config worker` process and an
SMTP server (aiosmtpd) that counts what arrives, by Message-ID. The faults of issue #8: a
server answering 451, a worker killed in the middle of a batch, Redis down at publishing, a
recipient refused with 550."""

import io
import os
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter

import kombu.pools
import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from config.celery import app as celery_app
from reports.models import ReportDelivery, ReportRecipient
from reports.services import outbox
from reports.tasks import report_deliveries_resend_due
from tests import factories
from tests.integration.celery_worker import Worker, database_url, wait_for
from tests.mail_sink import Sink, free_port
from tests.reports.report_class import city_class

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sink():
    with Sink() as running:
        yield running


@pytest.fixture
def start_worker(sink):
    """start_worker(**env) → a Worker on the default queue, mailing through the sink. The
    queue is emptied first, so that no task of an earlier run reaches this test's worker."""
    celery_app.control.purge()
    started = []

    def start(**env):
        worker = Worker(
            database=database_url(connection.settings_dict),
            env={
                "EMAIL_URL": sink.url,
                "REPORT_MAIL_RETRY_BASE": "0.2",
                "REPORT_MAIL_STALE_SECONDS": "1",
                **env,
            },
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        print(worker.stop())  # shown by pytest when the test fails


@pytest.fixture
def program(organizer):
    return factories.program(organizers=[organizer], code="CZ2023", title="第十期派出所所长培训班")


def twelve_recipients(program, city):
    """The political department for the whole program and the eleven branches for their own."""
    ReportRecipient.objects.create(program=program, name="市局政治部", email="zzb@czga.test")
    for branch in city["branches"]:
        ReportRecipient.objects.create(
            program=program, name=branch.name, email=branch.email, scope_unit=branch
        )


def all_done(report):
    return not report.deliveries.filter(status=ReportDelivery.Status.PENDING).exists()


def police_ids(xlsx):
    sheet = load_workbook(io.BytesIO(xlsx)).active
    return {str(row[1]) for row in sheet.iter_rows(values_only=True) if str(row[1]).isdigit()}


def test_a_report_for_220_trainees_reaches_each_of_12_recipients_once_with_their_rows(
    program, organizer, sink, start_worker
):
    city = city_class(program, organizer, size=220)
    twelve_recipients(program, city)
    start_worker()

    report = outbox.report_publish(program=program, user=organizer, provisional=True)

    assert wait_for(lambda: all_done(report), seconds=120)
    deliveries = {d.recipient_email: d for d in report.deliveries.select_related("scope_unit")}
    assert {d.status for d in deliveries.values()} == {"sent"}
    assert Counter(sink.message_ids()) == Counter(d.message_id for d in deliveries.values())
    expected_rows = {"zzb@czga.test": {e.trainee.police_id for e in city["enrollments"]}}
    for branch in city["branches"]:
        expected_rows[branch.email] = {
            e.trainee.police_id
            for e in city["enrollments"]
            if e.trainee.unit.parent_id == branch.pk
        }
    assert len(expected_rows["zzb@czga.test"]) == 220
    for received in sink.received:
        (address,) = received.to
        attachments = received.attachments()
        xlsx = next(content for name, content in attachments.items() if name.endswith(".xlsx"))
        assert police_ids(xlsx) == expected_rows[address], address
        assert received.message_id == deliveries[address].message_id
    # Twelve emails over one SMTP connection: the worker keeps it between deliveries.
    assert sink.handler.connections == 1


def test_451_twice_then_accepted_is_one_email_after_three_attempts(
    program, organizer, sink, start_worker
):
    """Fault (a): the worker retries through Celery (a countdown, the delivery pending)."""
    city = city_class(program, organizer, size=20)
    ReportRecipient.objects.create(program=program, name="市局政治部", email="zzb@czga.test")
    sink.handler.data_replies = ["451 4.3.0 Mailbox busy, try later"] * 2
    start_worker()

    report = outbox.report_publish(program=program, user=organizer, provisional=True)

    assert wait_for(lambda: all_done(report), seconds=60)
    delivery = report.deliveries.get()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert delivery.last_error == "451 4.3.0 Mailbox busy, try later"
    assert sink.message_ids() == [delivery.message_id]
    assert len(city["enrollments"]) == 20


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(
    program, organizer, sink, start_worker
):
    """Fault (b): SIGKILL while the worker is in the middle of an email (its row locked, the
    SMTP transaction open); a new worker, and the sweep that beat runs, deliver every email
    exactly once, counted by Message-ID at the server."""
    city = city_class(program, organizer, size=60, emails=48)
    twelve_recipients(program, city)
    halfway, release = threading.Event(), threading.Event()
    mails = Counter()

    def on_mail():
        mails["n"] += 1
        if mails["n"] == 30:  # the 30th of 60 emails: block it until the worker is dead
            halfway.set()
            release.wait(30)

    sink.handler.on_mail = on_mail
    first = start_worker()

    report = outbox.report_publish(
        program=program, user=organizer, notify_trainees=True, provisional=True
    )
    total = report.deliveries.count()
    assert total == 60

    assert halfway.wait(120), "the worker never reached the middle of the batch"
    first.kill()
    release.set()
    sent_before = report.deliveries.filter(status="sent").count()
    assert 0 < sent_before < total
    # The email in progress was not accepted (the server never saw its DATA), and its row
    # was not marked: PostgreSQL rolled the dead worker's transaction back.
    assert len(sink.received) == sent_before

    start_worker()
    report_deliveries_resend_due.delay()  # beat's tick: the killed task is still unacknowledged

    assert wait_for(lambda: all_done(report), seconds=120)
    deliveries = list(report.deliveries.all())
    assert {d.status for d in deliveries} == {"sent"}
    counted = Counter(sink.message_ids())
    assert set(counted) == {d.message_id for d in deliveries}
    assert set(counted.values()) == {1}, "an email arrived twice"


# Redis down --------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test stops and starts."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, seconds=10)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def use_broker(url):
    """Point this process's Celery app at `url`: Celery reads CELERY_BROKER_URL from the
    environment before its settings; its pools are made anew on next use."""
    os.environ["CELERY_BROKER_URL"] = url
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed", pytrace=False)
    redis = PrivateRedis()
    saved = os.environ["CELERY_BROKER_URL"]
    redis.start()
    use_broker(redis.url)
    yield redis
    redis.stop()
    use_broker(saved)


def test_publishing_while_redis_is_down_succeeds_and_the_emails_go_once_it_is_back(
    client, program, organizer, sink, start_worker, private_redis
):
    """Fault (c): the organizer publishes with the broker down. The page answers, the report
    and its deliveries are saved (pending); once Redis is back, beat's sweep sends them."""
    city = city_class(program, organizer, size=30)
    twelve_recipients(program, city)
    private_redis.stop()
    client.force_login(organizer)

    started = time.monotonic()
    response = client.post(
        reverse("reports:report-publish", args=[program.code]), {"provisional": "on"}
    )
    took = time.monotonic() - started

    assert response.status_code == 302
    report = program.score_reports.get()
    assert set(report.deliveries.values_list("status", flat=True)) == {"pending"}
    assert took < 15, f"publishing waited {took:.1f} s for the broker"
    assert sink.received == []

    private_redis.start()
    start_worker(CELERY_BROKER_URL=private_redis.url)
    report_deliveries_resend_due.delay()  # beat's tick

    assert wait_for(lambda: all_done(report), seconds=120)
    assert set(report.deliveries.values_list("status", flat=True)) == {"sent"}
    assert Counter(sink.message_ids()) == Counter(
        report.deliveries.values_list("message_id", flat=True)
    )


def test_550_fails_the_delivery_and_the_log_shows_the_servers_message(
    client, program, organizer, sink, start_worker
):
    """Fault (d)."""
    city = city_class(program, organizer, size=30)
    twelve_recipients(program, city)
    refused = city["branches"][4].email
    sink.handler.refused[refused] = f"550 5.1.1 <{refused}>: Recipient address rejected"
    start_worker()

    report = outbox.report_publish(program=program, user=organizer, provisional=True)

    assert wait_for(lambda: all_done(report), seconds=60)
    failed = report.deliveries.get(status="failed")
    assert failed.recipient_email == refused and failed.attempts == 1
    assert "Recipient address rejected" in failed.last_error
    assert report.deliveries.filter(status="sent").count() == 11
    client.force_login(organizer)
    page = client.get(reverse("reports:report-log", args=[program.code, report.number]))
    assert "Recipient address rejected" in page.content.decode()
