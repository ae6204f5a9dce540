import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions.models import ActivityChange
from sessions.services import rollcall
from sessions.services.timetable import timetable_changed
from trainees.models import Enrollment

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True)
def notify_timetable_change(self, change_id):
    """Mail a timetable change to the trainees it concerns (those with an email address).

    The change is claimed by a conditional UPDATE, so a second run (a redelivered message)
    sends nothing. A failed send gives the claim back and retries with exponential backoff:
    delivery is at least once, so after a failure part-way through a batch some trainees may
    get the notice twice, never none.
    """
    claimed = ActivityChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    change = ActivityChange.objects.select_related("program").get(pk=change_id)
    enrollments = Enrollment.objects.filter(
        program=change.program, status=Enrollment.Status.ACTIVE
    ).exclude(trainee__email="")
    if change.group_id:
        enrollments = enrollments.filter(Q(group_id=change.group_id))
    recipients = list(enrollments.values_list("trainee__email", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Timetable change: %(program)s") % {"program": change.program.title}
        body = "\n\n".join(
            [
                change.summary,
                _("See the whole timetable in Jingxun (警训)."),
            ]
        )
    messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception as error:
        ActivityChange.objects.filter(pk=change_id).update(notified_at=None)
        logger.warning("timetable change %s: mail failed: %s", change_id, error)
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 3600)) from error
    return len(messages)


@shared_task
def close_ended_activities():
    """Roll call of every ended activity: the missing become absent, or on leave (beat).

    Idempotent: a closed activity gains no record the second time.
    """
    return rollcall.close_ended()


@receiver(timetable_changed)
def timetable_change_recorded(sender, change, **kwargs):
    notify_timetable_change.delay(change.pk)
