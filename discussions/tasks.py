import logging

from celery import shared_task

from discussions import similarity
from discussions.models import Essay

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3, acks_late=True)
def essay_compare(self, essay_id):
    """Compare a handed-in essay with every other one (similarity.py). Idempotent: it
    replaces the essay's matches, so a second run changes nothing."""
    essay = Essay.objects.filter(pk=essay_id, status=Essay.Status.SUBMITTED).first()
    if essay is None:
        return 0  # returned or deleted meanwhile: its next submission compares it again
    try:
        similarity.essay_matches_update(essay=essay)
    except Exception as error:
        logger.warning("essay %s: similarity check failed: %s", essay_id, error)
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 900)) from error
    return 1


@shared_task
def essays_compare_pending():
    """Compare the handed-in essays that have no signature yet: their task was lost (the
    broker was down at submission, or a worker died). Runs on beat."""
    pending = list(
        Essay.objects.filter(status=Essay.Status.SUBMITTED, signature__isnull=True)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:200]
    )
    for essay_id in pending:
        essay_compare.delay(essay_id)
    return len(pending)
