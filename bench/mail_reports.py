"""Score report emails through the real pipeline, against sending them straight over SMTP.

    .venv/bin/python bench/mail_reports.py [--deliveries 1000] [--concurrency 2]

Makes its own PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432) and uses Redis (BENCH_BROKER_URL, default
redis://127.0.0.1:6379/14, emptied first). A program of 220 trainees from the eleven branches
of a city bureau, with entry and graduation scores, is published to `deliveries` recipients
spread over twelve scopes (the whole program and each branch): twelve .xlsx and PDF files,
one email each with its scope's files (about 20 to 60 KB).

1. direct: the same email messages, built beforehand, sent one after the other over one SMTP
   connection (Django's SMTP backend) to an aiosmtpd server in this process;
2. pipeline: a task per delivery sent through Redis to `celery -A config worker` processes,
   each locking its delivery row in PostgreSQL, sending over the connection its process keeps,
   and marking the delivery sent; timed from the first task sent to the last delivery marked.

It prints deliveries per second of both, their ratio (pipeline / direct), and checks at the
SMTP server that every delivery arrived exactly once (by Message-ID); it fails if not.
Publishing itself (reading the scores, writing the files) is timed apart.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import Counter

from serving import ROOT, fresh_database

sys.path.insert(0, str(ROOT))
DATABASE = "jingxun_bench_mail"


def prepare(deliveries):
    """The program, its scores and `deliveries` recipients; returns (program, organizer)."""
    from reports.models import ReportRecipient
    from tests import factories
    from tests.reports.report_class import city_class

    organizer = factories.user("organizer")
    program = factories.program(organizers=[organizer], code="BENCH", title="第十期所长培训班")
    city = city_class(program, organizer, size=220)
    scopes = [None, *city["branches"]]
    ReportRecipient.objects.bulk_create(
        ReportRecipient(
            program=program,
            name=f"收件人{n}",
            email=f"r{n}@czga.test",
            scope_unit=scopes[n % len(scopes)],
        )
        for n in range(deliveries)
    )
    return program, organizer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes/threads")
    parser.add_argument("--pool", default=None, help="solo (one), prefork or threads")
    args = parser.parse_args()

    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
    env = fresh_database(DATABASE)
    env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"] = broker
    import django

    django.setup()
    from django.conf import settings
    from django.core.mail import get_connection
    from django.core.management import call_command

    from config.celery import app
    from reports import tasks
    from reports.models import ReportDelivery
    from reports.services import outbox, sending
    from tests.integration.celery_worker import Worker, wait_for
    from tests.mail_sink import Sink

    call_command("migrate", verbosity=0)
    program, organizer = prepare(args.deliveries)
    app.control.purge()

    queued = []
    real_enqueue, tasks.deliveries_enqueue = tasks.deliveries_enqueue, queued.extend
    started = time.perf_counter()
    report = outbox.report_publish(program=program, user=organizer, provisional=True)
    published = time.perf_counter() - started
    tasks.deliveries_enqueue = real_enqueue
    deliveries = list(report.deliveries.select_related("file").order_by("pk"))
    messages = [sending.email_of(d) for d in deliveries]
    size = sum(len(m.message().as_bytes()) for m in messages[:24]) / 24

    with Sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        connection = get_connection(fail_silently=False)
        connection.open()
        started = time.perf_counter()
        for message in messages:
            connection.send_messages([message])
        direct = time.perf_counter() - started
        connection.close()
        assert len(sink.received) == len(messages)
        sink.received.clear()
        sink.handler.connections = 0

        log = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed below)
        worker = Worker(
            database=env["DATABASE_URL"],
            concurrency=args.concurrency,
            pool=args.pool,
            env={**env, "EMAIL_URL": sink.url, "LOG_LEVEL": "WARNING"},
            log=log,
        )
        try:
            assert wait_for(lambda: app.control.ping(timeout=0.5), seconds=60), "no worker"
            started = time.perf_counter()
            tasks.deliveries_enqueue(queued)
            pending = ReportDelivery.objects.filter(report=report, status="pending")
            assert wait_for(lambda: not pending.exists(), seconds=600, step=0.05)
            pipeline = time.perf_counter() - started
        finally:
            worker.stop()
            log.seek(0)
            lines = log.readlines()
            errors = [line for line in lines if "ERROR" in line or "Traceback" in line]
            if os.environ.get("BENCH_WORKER_LOG"):
                print("".join(lines[-40:]))
            log.close()
        if errors:
            print("worker errors:", *errors[:5], sep="\n  ")
        counted = Counter(sink.message_ids())
        connections = sink.handler.connections

    sent = ReportDelivery.objects.filter(report=report, status="sent").count()
    expected = {delivery.message_id for delivery in deliveries}
    twice = sum(1 for count in counted.values() if count > 1)
    print(f"deliveries: {len(deliveries)} to {report.files.count()} scopes, {size / 1024:.0f} KB")
    print(f"publishing (scores, 12 .xlsx and PDF, outbox rows): {published:.2f} s")
    print(
        f"direct over one SMTP connection: {len(messages) / direct:7.1f} emails/s ({direct:.2f} s)"
    )
    print(
        f"Redis + {args.concurrency} worker process(es) + PostgreSQL + SMTP: "
        f"{len(deliveries) / pipeline:7.1f} deliveries/s ({pipeline:.2f} s), "
        f"{connections} SMTP connection(s)"
    )
    print(f"ratio pipeline / direct: {direct / pipeline:.2f}")
    print(f"sent: {sent}, arrived: {len(counted)}, arrived twice: {twice}")
    if sent != len(deliveries) or set(counted) != expected or twice:
        sys.exit("FAILED: a delivery was lost or arrived twice")


if __name__ == "__main__":
    main()
