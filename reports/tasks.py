"""Background work of the score report: send one email of the outbox, and beat's sweep of
those whose task was lost. Both are idempotent: a delivery is sent under its row lock, and
only while pending. The deliveries that publishing (or a resend) writes are announced by
reports.services.outbox.deliveries_written, and sent from here."""

import logging
from datetime import timedelta

from celery import shared_task
from django.dispatch import receiver
from django.utils import timezone

from reports import summaries
from reports.services import outbox, sending

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None)
def report_delivery_send(self, delivery_id):
    """Send one email of a score report (reports.services.sending.delivery_send); a
    transient SMTP error retries it later, with the delay the service computed."""
    due = timezone.now()
    wait = sending.delivery_send(delivery_id, now=due)
    while wait is not None and self.request.is_eager:  # the demo: no worker to come back later
        due += timedelta(seconds=wait)  # as if the countdown had passed
        wait = sending.delivery_send(delivery_id, now=due)
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task
def report_deliveries_resend_due(now=None):
    """Beat's sweep: send again the report deliveries whose task was lost. Returns how many."""
    ids = sending.deliveries_take_stale(now=now)
    deliveries_enqueue(ids)
    return len(ids)


def deliveries_enqueue(ids):
    """Send a task per delivery, over one broker connection. If the broker is down the
    deliveries stay pending and the sweep sends them; publishing stands."""
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


@receiver(outbox.deliveries_written)
def deliveries_written(sender, ids, **kwargs):
    deliveries_enqueue(ids)


@shared_task(acks_late=True)
def program_summary_refresh(program_id):
    """Recompute one program's dashboard summary (reports.summaries.summary_refresh):
    idempotent, and cheap to run twice."""
    summaries.summary_refresh(program_id=program_id)


@receiver(summaries.refresh_wanted)
def summary_refresh_wanted(sender, program_id, **kwargs):
    try:
        program_summary_refresh.delay(program_id)
    except Exception:  # the broker's errors are many; the key stays and the next read refreshes
        logger.warning("summary refresh of program %s not queued", program_id, exc_info=True)
