"""Mailing the score report (成绩通报) to the bureau: the recipients, publishing (an outbox)
and sending one delivery, which a Celery task does (exams.tasks).

Publishing writes everything an email needs (subject, body, the scope's .xlsx and PDF, the
Message-ID) in the transaction that creates the report; tasks are sent after it commits. A
task locks its delivery row, does nothing if the delivery is no longer pending, sends, and
marks it sent or failed in the same transaction:

- a 4xx answer or a lost connection is transient: the delivery stays pending and the task
  retries with exponential backoff (REPORT_MAIL_RETRY_BASE doubled per attempt, capped at
  REPORT_MAIL_RETRY_CAP), up to REPORT_MAIL_MAX_ATTEMPTS, after which it is failed;
- a 5xx answer is permanent: the delivery is failed with the server's message;
- a task lost with the broker (Redis down at publishing, a worker killed) leaves its delivery
  pending, and the beat sweep (deliveries_resend_due) sends it again.

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
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from exams import report_files, reports
from exams.models import ReportDelivery, ReportFile, ReportRecipient, ScoreReport
from trainees.models import Unit

logger = logging.getLogger(__name__)

XLSX = report_files.XLSX
POLITICAL_DEPARTMENT = "政治部"
# A server drops an idle connection after a while (Postfix: 300 s); ours is closed before.
IDLE_SECONDS = 60
# A connection idle this long is checked (NOOP) before it carries a message; within a batch
# the check would cost a round trip per email for nothing.
CHECK_AFTER_SECONDS = 2
# A second "publish" of the same figures this soon is a double click, refused.
REPUBLISH_AFTER = timedelta(minutes=2)
# A task may run this much ahead of its delivery's next attempt (clocks, countdown rounding).
EARLY = timedelta(seconds=5)


class ReportRefused(Exception):
    """A score report that cannot be published; the message says why."""


# Recipients ---------------------------------------------------------------------------------


def default_recipients(program):
    """The default list: the city bureau's political department (a unit named 政治部 directly
    under a root unit) for the whole program, and each branch with trainees in the program for
    its own units, as (name, email, scope_unit); and the units left out for want of an email.
    The city bureau itself is not a branch here: its department already gets every row."""
    chosen, missing = [], []
    department = (
        Unit.objects.filter(name=POLITICAL_DEPARTMENT, parent__parent__isnull=True)
        .exclude(parent=None)
        .exclude(email="")
        .select_related("parent")
        .order_by("pk")
        .first()
    )
    if department is None:
        missing.append(POLITICAL_DEPARTMENT)
    else:
        chosen.append((f"{department.parent.name}{department.name}", department.email, None))
    branch_ids = [pk for pk, _name in reports.program_branches(program)]
    branches = Unit.objects.filter(pk__in=branch_ids).order_by("name")
    if department is not None:
        branches = branches.exclude(pk=department.parent_id)
    for unit in branches:
        if unit.email:
            chosen.append((unit.name, unit.email, unit))
        else:
            missing.append(unit.name)
    return chosen, missing


@transaction.atomic
def recipients_fill_default(*, program):
    """Add the default recipients the program does not have yet (same email, same scope);
    returns (added, the names of the units left out for want of an email)."""
    chosen, missing = default_recipients(program)
    have = set(program.report_recipients.values_list("email", "scope_unit_id"))
    added = [
        ReportRecipient(program=program, name=name, email=email, scope_unit=unit)
        for name, email, unit in chosen
        if (email, unit.pk if unit else None) not in have
    ]
    ReportRecipient.objects.bulk_create(added)
    return added, missing


# Publishing ---------------------------------------------------------------------------------


def report_title(program, scope_unit):
    """The report's title, cut to the 300 characters its fields hold (a 200-character program
    name and a 100-character unit name would not fit)."""
    if scope_unit is None:
        title = _("%(program)s score report") % {"program": program.title}
    else:
        title = _("%(program)s score report (%(unit)s)") % {
            "program": program.title,
            "unit": scope_unit.name,
        }
    return Truncator(title).chars(300)


def message_id(report, number):
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    return f"<jingxun.report-{report.pk}.{number}@{domain}>"


@transaction.atomic
def report_publish(*, program, user, notify_trainees=False, now=None):
    """Publish the score report of `program`: freeze its figures, write one email per
    recipient (the rows of their scope, as .xlsx and PDF) and, with `notify_trainees`, one per
    trainee with an email (their own scores), all in this transaction; send them after it
    commits. Earlier reports of the program are marked superseded."""
    now = now or timezone.now()
    recipients = list(program.report_recipients.select_related("scope_unit"))
    if not recipients and not notify_trainees:
        raise ReportRefused(_("Add at least one recipient first."))
    whole = reports.program_report(program, now=now)
    if not whole.rows:
        raise ReportRefused(_("The program has no trainees to report on."))
    # Under the program's row lock: two organizers publishing at once get 1 and 2, and a
    # second click on "publish" finds the first report.
    type(program).objects.select_for_update().filter(pk=program.pk).first()
    figures = reports.fingerprint(whole)
    latest = program.score_reports.order_by("-number").first()
    if latest and latest.fingerprint == figures and now - latest.created_at < REPUBLISH_AFTER:
        raise ReportRefused(
            _("Report no. %(number)s with these figures was published a moment ago.")
            % {"number": latest.number}
        )
    last = latest.number if latest else 0
    program.score_reports.filter(status=ScoreReport.Status.PUBLISHED).update(
        status=ScoreReport.Status.SUPERSEDED
    )
    with translation.override(settings.LANGUAGE_CODE):  # the bureau reads Chinese
        report = ScoreReport.objects.create(
            program=program,
            number=last + 1,
            title=report_title(program, None),
            created_by=user,
            notify_trainees=notify_trainees,
            fingerprint=figures,
        )
        files, deliveries = {}, []
        for recipient in recipients:
            scope = recipient.scope_unit
            if scope not in files:
                files[scope] = scope_file(report, whole, scope)
            part, file = files[scope]
            context = {"report": part, "program": program, "name": recipient.name, "now": now}
            deliveries.append(
                ReportDelivery(
                    report=report,
                    file=file,
                    recipient_name=recipient.name,
                    recipient_email=recipient.email,
                    scope_unit=scope,
                    subject=file.title,
                    body=render_to_string("exams/email/report.txt", context),
                    next_attempt_at=now,
                )
            )
        if notify_trainees:
            for row in whole.rows:
                if not row.trainee.email:
                    continue
                context = {"report": whole, "row": row, "program": program, "now": now}
                deliveries.append(
                    ReportDelivery(
                        report=report,
                        enrollment=row.enrollment,
                        recipient_name=row.name,
                        recipient_email=row.trainee.email,
                        subject=_("Your scores in %(program)s") % {"program": program.title},
                        body=render_to_string("exams/email/trainee_scores.txt", context),
                        next_attempt_at=now,
                    )
                )
    if not deliveries:
        raise ReportRefused(_("No recipient and no trainee with an email: nothing to mail."))
    for number, delivery in enumerate(deliveries, start=1):
        delivery.message_id = message_id(report, number)
    created = ReportDelivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in created]
    transaction.on_commit(lambda: deliveries_enqueue(ids))
    return report


def scope_file(report, whole, scope):
    """(the report of `scope`, its saved ReportFile with the .xlsx and the PDF)."""
    part = whole if scope is None else reports.narrowed(whole, scope)
    title = report_title(report.program, scope)
    file = ReportFile.objects.create(
        report=report,
        scope_unit=scope,
        title=title,
        rows=len(part.rows),
        xlsx=report_files.report_xlsx(part, title=title),
        pdf=report_files.report_pdf(part, title=title),
    )
    return part, file


def deliveries_enqueue(ids):
    """Send a task per delivery, over one broker connection. If the broker is down the
    deliveries stay pending and the sweep sends them; publishing stands."""
    from exams.tasks import report_delivery_send

    app = report_delivery_send.app
    try:
        if app.conf.task_always_eager:  # the demo: no broker, each runs here and now
            for pk in ids:
                report_delivery_send.delay(pk)
            return
        with app.producer_or_acquire() as producer:
            for pk in ids:
                report_delivery_send.apply_async(
                    (pk,), producer=producer, retry_policy={"max_retries": 1}
                )
    except Exception:  # the broker's errors are many; none may undo a publication
        logger.warning(
            "%s report deliveries not queued; the sweep will send them", len(ids), exc_info=True
        )


@transaction.atomic
def deliveries_resend(*, report, delivery=None, now=None):
    """Put a failed (or still pending) delivery, or every failed one of `report`, back to
    pending and send it now. Returns how many."""
    now = now or timezone.now()
    chosen = report.deliveries.select_for_update().exclude(status=ReportDelivery.Status.SENT)
    if delivery is not None:
        chosen = chosen.filter(pk=delivery.pk)
    else:
        chosen = chosen.filter(status=ReportDelivery.Status.FAILED)
    ids = list(chosen.values_list("pk", flat=True))
    ReportDelivery.objects.filter(pk__in=ids).update(
        status=ReportDelivery.Status.PENDING, next_attempt_at=now, attempts=0
    )
    transaction.on_commit(lambda: deliveries_enqueue(ids))
    return len(ids)


def deliveries_resend_due(*, now=None):
    """The beat sweep: send again the deliveries still pending well after their attempt was
    due (REPORT_MAIL_STALE_SECONDS): their task was lost. Returns how many."""
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
    deliveries_enqueue(ids)
    return len(ids)


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
    name = report_files.file_name(file.title)
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


# The delivery log ---------------------------------------------------------------------------


def report_log(program):
    """The program's published reports, newest first, with their deliveries counted by state."""
    counts = {
        f"{status}_count": Count("deliveries", filter=Q(deliveries__status=status))
        for status in ReportDelivery.Status.values
    }
    return list(
        program.score_reports.select_related("created_by")
        .annotate(delivery_count=Count("deliveries"), **counts)
        .order_by("-number")
    )
