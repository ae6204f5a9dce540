from celery import shared_task

from exams.services import attempts


@shared_task(acks_late=True)
def close_expired_attempts():
    """Hand in and grade every attempt whose time is up (a trainee who closed the page)."""
    return attempts.attempts_close_expired()
