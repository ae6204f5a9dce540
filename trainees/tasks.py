from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_login_sessions():
    """Delete expired login sessions (Django's `clearsessions`); run by Celery beat.

    Idempotent: a second run finds nothing left to delete.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
