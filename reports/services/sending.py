"""Sending one email of a score report (a ReportDelivery of the outbox), which a Celery task
does (reports.tasks). The task locks its delivery row, does nothing if the delivery is no
longer pending, sends, and marks it sent or failed in the same transaction:

- a 4xx answer or a lost connection is transient: the delivery stays pending and the task
  retries with exponential backoff (REPORT_MAIL_RETRY_BASE doubled per attempt, capped at
  REPORT_MAIL_RETRY_CAP), up to REPORT_MAIL_MAX_ATTEMPTS, after which it is failed;
- a 5xx answer is permanent: the delivery is failed with the server's message;
- a task lost with the broker (Redis down at publishing, a worker killed) leaves its delivery
  pending, and the beat sweep (deliveries_take_stale, then a task each) sends it again.

Two tasks for one delivery (the sweep and a late original) send one email: the second waits
for the row lock and finds it sent, or finds its next attempt not due yet. Two cases can send
twice, both where SMTP itself cannot tell: a worker dying after the server accepted a message
and before the transaction committed (one round trip to the database), and a connection lost
while waiting for the server's answer to the message, which is then tried again later. The
copy carries the same Message-ID, by which mail clients recognise it. Any other failure is an
attempt, counted and shown in the delivery log.
"""

import contextlib
import functools
import logging
import smtplib
import threading
import time
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.utils import timezone

from reports.models import ReportDelivery, ReportFile
from trainees.downloads import XLSX, file_name

logger = logging.getLogger(__name__)

# A server drops an idle connection after a while (Postfix: 300 s); ours is closed before.
IDLE_SECONDS = 60
# A connection idle this long is checked (NOOP) before it carries a message; within a batch
# the check would cost a round trip per email for nothing.
CHECK_AFTER_SECONDS = 2
# A task may run this much ahead of its delivery's next attempt (clocks, countdown rounding).
EARLY = timedelta(seconds=5)


# Sending --------------------------------------------------------------------------------------


class KeptConnection(threading.local):
    """The SMTP connection a worker keeps open between deliveries (one per process, or per
    thread with --pool=threads), so a batch of emails goes over one connection instead of
    one each. Other backends (files in the demo, memory in tests) get a fresh connection per
    message."""

    connection = None
    used_at = 0.0

    def get(self):
        if self.connection is not None and time.monotonic() - self.used_at > IDLE_SECONDS:
            self.drop()
        if self.connection is None:
            connection = get_connection(fail_silently=False)
            if not isinstance(connection, SMTPBackend):
                return connection, False
            connection.open()
            self.connection = connection
            return connection, False
        return self.connection, True

    def drop(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to say bye
                self.connection.close()
        self.connection = None

    def send(self, message):
        connection, reused = self.get()
        idle = time.monotonic() - self.used_at
        if reused and idle > CHECK_AFTER_SECONDS and not self.alive(connection):
            self.drop()  # the server closed the idle connection: open another before sending
            connection, _reused = self.get()
        try:
            sent = connection.send_messages([message])
            if not sent:
                raise smtplib.SMTPException("the mail backend sent nothing")
        except Exception:
            # After an error the session's state is unknown: start a new one. The message is
            # never sent again here: a timeout after DATA may hide an accepted message, so
            # that is for a later attempt, which the delivery log counts.
            self.drop()
            raise
        self.used_at = time.monotonic()

    @staticmethod
    def alive(connection):
        try:
            return connection.connection.noop()[0] == 250
        except (OSError, AttributeError):
            return False


smtp = KeptConnection()


def email_of(delivery):
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        to=[delivery.recipient_email],
        headers={"Message-ID": delivery.message_id},
    )
    if delivery.file_id is not None:
        for part in attachments(delivery.file_id):
            message.attach(part)
    return message


@functools.lru_cache(maxsize=16)
def attachments(file_id):
    """The .xlsx and PDF of a ReportFile as MIME parts, encoded once per worker process: a
    report's hundreds of emails share a dozen files, which never change (a published report
    is frozen)."""
    file = ReportFile.objects.get(pk=file_id)
    name = file_name(file.title)
    parts = []
    for extension, content, (main, sub) in (
        ("xlsx", file.xlsx, XLSX.split("/")),
        ("pdf", file.pdf, ("application", "pdf")),
    ):
        part = MIMEBase(main, sub)
        part.set_payload(bytes(content))
        encoders.encode_base64(part)
        filename = ("utf-8", "", f"{name}.{extension}")  # RFC 2231, as Django writes it
        part.add_header("Content-Disposition", "attachment", filename=filename)
        parts.append(part)
    return parts


def smtp_code(error):
    """The SMTP reply code of `error`, or None for a connection that failed or dropped."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def describe(error):
    code = smtp_code(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{rcpt}: {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for rcpt, (_code, message) in error.recipients.items()
        )
    elif isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    else:
        text = f"{type(error).__name__}: {error}"
    return f"{code} {text}" if code else text


def retry_delay(attempts):
    """Seconds before attempt `attempts` + 1: the base doubled per attempt, capped."""
    return min(
        settings.REPORT_MAIL_RETRY_CAP, settings.REPORT_MAIL_RETRY_BASE * 2 ** (attempts - 1)
    )


def delivery_send(delivery_id, *, now=None):
    """Send one delivery if it is pending, under its row lock. Returns the seconds to wait
    before trying again after a transient error, else None (sent, failed, or nothing to do)."""
    with transaction.atomic():
        delivery = ReportDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != ReportDelivery.Status.PENDING:
            return None
        now = now or timezone.now()
        if delivery.next_attempt_at > now + EARLY:
            return None  # a duplicate task ahead of the backoff: the retry, or the sweep, comes
        delivery.attempts += 1
        try:
            smtp.send(email_of(delivery))
        except Exception as error:
            code = smtp_code(error)
            delivery.last_error = describe(error)[:2000]
            permanent = code is not None and code >= 500
            if permanent or delivery.attempts >= settings.REPORT_MAIL_MAX_ATTEMPTS:
                delivery.status = ReportDelivery.Status.FAILED
                wait = None
            else:
                wait = retry_delay(delivery.attempts)
                delivery.next_attempt_at = now + timedelta(seconds=wait)
            logger.warning(
                "report delivery %s to %s, attempt %s: %s",
                delivery.pk,
                delivery.recipient_email,
                delivery.attempts,
                delivery.last_error,
            )
            delivery.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
            return wait
        delivery.status, delivery.sent_at = ReportDelivery.Status.SENT, timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at"])
        return None


def deliveries_take_stale(*, now=None):
    """For beat's sweep: the deliveries still pending well after their attempt was due
    (REPORT_MAIL_STALE_SECONDS), whose task was lost; their next attempt is set to now, so
    the task sent for each finds it due. Returns their ids (at most 1,000 a sweep)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_MAIL_STALE_SECONDS)
    with transaction.atomic():
        ids = list(
            ReportDelivery.objects.filter(
                status=ReportDelivery.Status.PENDING, next_attempt_at__lte=stale
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:1000]
        )
        ReportDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    return ids
