"""/readyz against a Redis of this test's own and a real Celery worker: 200 while both answer,
503 naming redis when Redis stops and naming the worker when no worker has run a task within
READINESS_WORKER_MAX_AGE, and 200 again once each is back. The worker beats every second and
its heartbeat lasts 3 s here (30 s and 120 s in production)."""

import json
import os
import shutil
import uuid

import pytest
from django.db import connection

from config import readiness
from tests.integration.celery_worker import Worker, database_url, wait_for
from tests.integration.test_report_mail import PrivateRedis, use_broker

pytestmark = pytest.mark.django_db(transaction=True)

MAX_AGE = 3


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed", pytrace=False)
    server = PrivateRedis()
    saved = os.environ["CELERY_BROKER_URL"]
    server.start()
    use_broker(server.url)
    yield server
    server.stop()
    use_broker(saved)


@pytest.fixture
def workers(redis_server, settings):
    """Starts workers on the private Redis; stops whatever is left at the end."""
    settings.READINESS_WORKER_MAX_AGE = MAX_AGE
    started = []

    def start():
        worker = Worker(
            database=database_url(connection.settings_dict),
            queue=f"jingxun-test-{uuid.uuid4().hex[:8]}",
            env={
                "CELERY_BROKER_URL": redis_server.url,
                "CELERY_HEARTBEAT_SECONDS": "1",
                "READINESS_WORKER_MAX_AGE": str(MAX_AGE),
            },
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        print(worker.stop())  # shown by pytest when the test fails


def ready(client):
    response = client.get("/readyz")  # from 127.0.0.1: what each check saw is shown
    return response.status_code, json.loads(response.content)


def test_readyz_follows_redis_and_the_worker(client, redis_server, workers, monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_applied", False)
    answers = []

    def now(expected_status):
        answers.append(ready(client))
        return answers[-1][0] == expected_status

    # No worker yet: nobody has run the heartbeat task.
    status, body = ready(client)
    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["redis"] == "ok"

    worker = workers()
    assert wait_for(lambda: now(200), seconds=60), answers[-1]
    assert answers[-1][1]["checks"]["worker"].startswith("last heartbeat ")

    # Redis stops: 503 naming redis (the worker cannot be asked).
    redis_server.stop()
    status, body = ready(client)
    assert (status, body["failed"]) == (503, ["redis"])
    assert body["checks"]["worker"] == "not checked: redis does not answer"

    # Redis is back, empty: ready again once the worker has reconnected and beaten.
    redis_server.start()
    assert wait_for(lambda: now(200), seconds=90), answers[-1]

    # The worker stops: its last heartbeat ages out within MAX_AGE.
    worker.stop()
    assert wait_for(lambda: now(503), seconds=MAX_AGE + 10), answers[-1]
    assert answers[-1][1]["failed"] == ["worker"]
    assert answers[-1][1]["checks"]["worker"] == (
        f"no worker has run a task in the last {MAX_AGE} s"
    )

    # Another worker: ready again.
    workers()
    assert wait_for(lambda: now(200), seconds=60), answers[-1]


def test_metrics_show_the_queue_and_the_heartbeat(client, redis_server, workers):
    from config.celery import app as celery_app

    workers()
    assert wait_for(lambda: ready(client)[0] == 200, seconds=60)
    for _ in range(3):  # three tasks waiting in the default queue, which no worker consumes
        celery_app.send_task("jingxun.nothing", queue="celery")

    text = client.get("/metrics").content.decode()

    assert 'jingxun_celery_queue_length{queue="celery"} 3.0' in text
    assert "jingxun_celery_broker_up 1.0" in text
    assert "jingxun_celery_heartbeat_age_seconds " in text
