"""/metrics: who may read it, what a request adds, the figures collected at scrape time."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from reports.models import ReportDelivery, ScoreReport

ROOT = Path(__file__).resolve().parents[2]


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "allowed", "status"),
    [
        ("127.0.0.1", ["127.0.0.1", "::1"], 200),
        ("::1", ["127.0.0.1", "::1"], 200),
        ("10.20.0.9", ["127.0.0.1", "::1"], 404),
        ("10.20.0.9", ["10.20.0.0/24"], 200),
        ("10.20.1.9", ["10.20.0.0/24"], 404),
        ("127.0.0.1", [], 404),
    ],
)
def test_metrics_answer_only_the_allowed_addresses(client, settings, address, allowed, status):
    settings.METRICS_ALLOWED_IPS = allowed

    response = client.get("/metrics", REMOTE_ADDR=address)

    assert response.status_code == status
    if status == 200:
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_metrics_behind_nginx_read_the_clients_address_not_nginxs(client, settings):
    """nginx on the same machine connects from 127.0.0.1: the client is the address it adds."""
    settings.BEHIND_TLS_PROXY = True

    outsider = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    local = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert (outsider.status_code, local.status_code) == (404, 200)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "status"),
    [("Bearer s3cret-token", 200), ("Bearer wrong", 404), ("s3cret-token", 404), (None, 404)],
)
def test_metrics_answer_the_bearer_token_from_anywhere(client, settings, header, status):
    settings.METRICS_TOKEN = "s3cret-token"
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get("/metrics", REMOTE_ADDR="10.9.9.9", **extra)

    assert response.status_code == status


@pytest.mark.django_db
def test_metrics_count_requests_by_view_status_and_their_queries(client, organizer):
    client.force_login(organizer)
    before = (
        sample(
            "jingxun_http_responses_total", view="trainees:program-list", method="GET", status="200"
        ),
        sample(
            "jingxun_http_request_duration_seconds_count",
            view="trainees:program-list",
            method="GET",
        ),
        sample("jingxun_db_queries_total", view="trainees:program-list", method="GET"),
        sample("jingxun_http_responses_total", view="<unresolved>", method="GET", status="404"),
    )

    counted = 0
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get("/trainees/programs/")
        counted += len(queries)  # now: the next request empties Django's query log
    client.get("/no-such-page/")

    after = (
        sample(
            "jingxun_http_responses_total", view="trainees:program-list", method="GET", status="200"
        ),
        sample(
            "jingxun_http_request_duration_seconds_count",
            view="trainees:program-list",
            method="GET",
        ),
        sample("jingxun_db_queries_total", view="trainees:program-list", method="GET"),
        sample("jingxun_http_responses_total", view="<unresolved>", method="GET", status="404"),
    )
    assert counted > 0
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 2, counted, 1]


@pytest.mark.django_db
def test_metrics_show_report_deliveries_pending_overdue_and_failed(client, program):
    report = ScoreReport.objects.create(
        program=program, number=1, title="成绩通报", fingerprint="f"
    )
    now = timezone.now()
    for number, (status, due) in enumerate(
        [
            ("pending", now),  # waiting for its attempt
            ("pending", now - timedelta(hours=1)),  # overdue: no worker sent it
            ("failed", now),
            ("failed", now),
            ("sent", now),
        ]
    ):
        ReportDelivery.objects.create(
            report=report,
            recipient_name="政治部",
            recipient_email=f"r{number}@gaj.example",
            subject="成绩通报",
            body="",
            status=status,
            next_attempt_at=due,
            message_id=f"<m{number}@gaj.example>",
        )

    figures = scrape(client)

    assert {
        state: figures[("jingxun_report_deliveries", (("state", state),))]
        for state in ("pending", "overdue", "failed")
    } == {"pending": 2, "overdue": 1, "failed": 2}
    # No broker here (tasks run in the web process): no queue to measure.
    assert not [name for name, _ in figures if name.startswith("jingxun_celery")]


@pytest.mark.django_db
def test_metrics_without_the_table_still_answer(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no such table: reports_reportdelivery")

    monkeypatch.setattr(ReportDelivery.objects, "filter", broken)

    figures = scrape(client)

    assert not [name for name, _ in figures if name == "jingxun_report_deliveries"]
    assert "metrics: could not count the report deliveries" in caplog.text


def test_metrics_multiprocess_mode_adds_up_every_process(tmp_path):
    """gunicorn's workers, each counting its own requests into PROMETHEUS_MULTIPROC_DIR: a
    scrape of any one of them shows the sum."""
    request = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client(HTTP_HOST='localhost').get('/healthz').status_code)"
    )
    scrape_metrics = (
        "import django; django.setup(); from config import metrics; "
        "print(metrics.exposition().decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }

    for _ in range(3):  # three processes, one request each
        subprocess.run([sys.executable, "-c", request], cwd=ROOT, env=env, check=True, timeout=60)
    result = subprocess.run(
        [sys.executable, "-c", scrape_metrics],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert (
        'jingxun_http_responses_total{method="GET",status="200",view="health"} 3.0' in result.stdout
    )
