"""/readyz without services: the checks' answers with Redis stood in for (a closed port, or a
stub), the database's and the migrations' for real. The integration lane checks it against a
real Redis and worker (tests/integration/test_readiness.py)."""

import json
import time

import pytest
from django.core import mail
from django.db import OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration

from config import heartbeat, readiness
from config.celery import app as celery_app
from tests.mail_sink import free_port

OUTSIDER = "203.0.113.9"  # not in METRICS_ALLOWED_IPS: sees only which part failed


class StubRedis:
    """Answers as a Redis would: the heartbeat key's value, a ping, a SET kept."""

    def __init__(self, beat=None, ping_error=None):
        self.values = {} if beat is None else {heartbeat.HEARTBEAT_KEY: repr(beat).encode()}
        self.ping_error = ping_error
        self.expiries = {}

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value, ex=None):
        self.values[key] = value.encode()
        self.expiries[key] = ex

    def ping(self):
        if self.ping_error:
            raise self.ping_error
        return True


@pytest.fixture(autouse=True)
def _migrations_not_yet_seen(monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_applied", False)


@pytest.fixture
def not_eager():
    """Tasks go to a broker, not run in the test's thread (tests/conftest.py runs them so)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def broker(monkeypatch, not_eager):
    """Tasks go to a broker whose Redis is `broker.redis` (a stub)."""
    state = type("Broker", (), {"redis": StubRedis(beat=time.time())})()
    monkeypatch.setattr(heartbeat, "redis_client", lambda url: state.redis)
    return state


def ready(client, address="127.0.0.1"):
    response = client.get("/readyz", REMOTE_ADDR=address)
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_ready_without_broker_checks_database_and_migrations_only(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "ready": True,
        "failed": [],
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "redis": "skipped: no broker (tasks run in the web process)",
            "worker": "skipped: no broker",
        },
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_remembers_applied_migrations_and_then_makes_one_query(
    client, django_assert_num_queries
):
    assert ready(client)[0] == 200

    with django_assert_num_queries(1):  # SELECT 1: the migrations are not read again
        assert ready(client)[0] == 200


@pytest.mark.django_db
def test_ready_unapplied_migration_is_503_naming_it(client, monkeypatch):
    monkeypatch.setattr(
        MigrationExecutor,
        "migration_plan",
        lambda self, targets: [(Migration("0099_new_field", "reports"), False)],
    )

    status, body = ready(client)
    again, _ = ready(client)  # a failure is not remembered: it is checked again

    assert (status, body["failed"]) == (503, ["migrations"])
    assert body["checks"]["migrations"] == "1 not applied, first reports.0099_new_field"
    assert again == 503


@pytest.mark.django_db
def test_ready_database_down_is_503_naming_the_database(client, monkeypatch):
    def refuse():
        raise OperationalError("connection to server at 10.20.0.5 refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)

    status, body = ready(client)
    _, public = ready(client, address=OUTSIDER)

    assert (status, body["failed"]) == (503, ["database"])
    assert body["checks"]["database"] == (
        "OperationalError: connection to server at 10.20.0.5 refused"
    )
    assert body["checks"]["migrations"] == "not checked: the database does not answer"
    # Anyone else learns which part failed, not the addresses behind it.
    assert public["checks"] == {
        "database": "failed",
        "migrations": "skipped",
        "redis": "skipped",
        "worker": "skipped",
    }


@pytest.mark.django_db
def test_ready_broker_not_answering_is_503_naming_redis(client, monkeypatch, not_eager):
    closed = f"redis://127.0.0.1:{free_port()}/3"  # nothing listens there
    monkeypatch.setenv("CELERY_BROKER_URL", closed)

    status, body = ready(client)

    assert (status, body["failed"]) == (503, ["redis"])
    assert body["checks"]["redis"].startswith("ConnectionError: ")
    assert body["checks"]["worker"] == "not checked: redis does not answer"


@pytest.mark.django_db
def test_ready_with_a_recent_heartbeat_is_200(client, broker):
    broker.redis = StubRedis(beat=time.time() - 12.2)

    status, body = ready(client)

    assert status == 200
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["worker"] == "last heartbeat 12 s ago"


@pytest.mark.django_db
def test_ready_without_heartbeat_is_503_naming_the_worker(client, broker, settings, caplog):
    settings.READINESS_WORKER_MAX_AGE = 120
    settings.ADMINS = [("Ops", "ops@gaj.example")]
    broker.redis = StubRedis(beat=None)  # the key expired: no worker ran a task for 120 s

    status, body = ready(client)

    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["worker"] == "no worker has run a task in the last 120 s"
    # One warning; not an error of django.request, which would mail ADMINS at every probe.
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("config.views", "WARNING", "readyz: not ready: worker: " + body["checks"]["worker"])
    ]
    assert mail.outbox == []


@pytest.mark.django_db
def test_ready_cache_not_answering_is_503_naming_the_cache(client, broker, settings):
    settings.CACHE_URL = "redis://127.0.0.1:6379/1"
    broker.redis = StubRedis(beat=time.time(), ping_error=ConnectionError("Connection refused"))

    status, body = ready(client)

    assert (status, body["failed"]) == (503, ["cache"])
    assert body["checks"]["cache"] == "ConnectionError: Connection refused"


def test_heartbeat_task_writes_the_time_with_the_readiness_expiry(broker, settings):
    settings.READINESS_WORKER_MAX_AGE = 90
    before = time.time()

    heartbeat.worker_heartbeat()

    written = heartbeat.last_heartbeat(broker.redis)
    assert before <= written <= time.time()
    assert broker.redis.expiries == {heartbeat.HEARTBEAT_KEY: 90}


def test_heartbeat_step_logs_a_broker_that_refuses_and_goes_on(caplog):
    class Consumer:
        class app:
            @staticmethod
            def send_task(*args, **kwargs):
                raise ConnectionError("Connection refused")

    heartbeat.WorkerHeartbeat.send(None, Consumer)

    assert [r.getMessage() for r in caplog.records] == [
        "Could not send the worker heartbeat to the broker"
    ]


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(client, settings):
    """A load balancer and Prometheus speak plain HTTP to gunicorn; pages are redirected."""
    settings.SECURE_SSL_REDIRECT = True

    answers = {path: client.get(path).status_code for path in ("/healthz", "/readyz", "/metrics")}

    assert answers == {"/healthz": 200, "/readyz": 200, "/metrics": 200}
    assert client.get("/accounts/login/").status_code == 301
