"""A task sent through Redis to a real Celery worker process, seen in PostgreSQL."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection

from config.celery import app as celery_app
from tests.integration.celery_worker import Worker, database_url, wait_for
from trainees.tasks import clear_expired_login_sessions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    """A Celery worker process on a queue of its own, using this test's database."""
    queue = f"jingxun-test-{uuid.uuid4().hex[:8]}"
    process = Worker(database=database_url(connection.settings_dict), queue=queue)
    yield queue
    print(process.stop())  # shown by pytest when the test fails


def test_worker_runs_a_task_sent_through_redis_and_changes_the_database(worker):
    expired = SessionStore()
    expired.set_expiry(timedelta(minutes=-5))
    expired.create()
    live = SessionStore()
    live.set_expiry(timedelta(hours=1))
    live.create()
    assert celery_app.conf.task_always_eager is False

    clear_expired_login_sessions.apply_async(queue=worker)

    assert wait_for(lambda: not Session.objects.filter(pk=expired.session_key).exists())
    assert list(Session.objects.values_list("pk", flat=True)) == [live.session_key]
