"""A task sent through Redis to a real Celery worker process, seen in PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection

from config.celery import app as celery_app
from trainees.tasks import clear_expired_login_sessions

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(settings_dict):
    """The URL of the database this test runs in (pytest-django's test_… database)."""
    auth = settings_dict["USER"] or ""
    if settings_dict["PASSWORD"]:
        auth += f":{settings_dict['PASSWORD']}"
    host = settings_dict["HOST"] or "localhost"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def worker():
    """A Celery worker process on a queue of its own, using this test's database."""
    queue = f"jingxun-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--queues",
            queue,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    process.terminate()
    output, _ = process.communicate(timeout=30)
    print(output)  # shown by pytest when the test fails


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


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
