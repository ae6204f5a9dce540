"""Prometheus metrics, served at /metrics (config.views.metrics) to the addresses and the token
of METRICS_ALLOWED_IPS and METRICS_TOKEN.

Per request (RequestMetricsMiddleware, the first middleware): its duration and its database
queries by view and method, and its answers by view, method and status. The view is the URL's
name ("reports:report-log"), or "<unresolved>" when no URL matched (404, a redirect to HTTPS),
so the labels stay few. The work per request is two clock readings, one database wrapper and
three metric updates (a few microseconds; bench figures in docs/deploy.md).

At scrape time (collected when Prometheus asks, never stored): the score report emails pending,
overdue and failed (reports), the length of the Celery queues in the broker's Redis, and the
age of the workers' heartbeat (config.heartbeat).

gunicorn runs several processes: each counts its own requests. With PROMETHEUS_MULTIPROC_DIR
set (an empty folder, at every start), prometheus_client keeps the counts in files there and a
scrape of any process adds up every process's; without it, a scrape sees one process's only.
"""

import logging
import os
import time

from celery import current_app
from django.conf import settings
from django.db import connection
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily

from config import heartbeat

logger = logging.getLogger(__name__)
disable_created_metrics()  # the *_created series: a timestamp per label set, read by nobody

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "jingxun_http_request_duration_seconds",
    "Time from the first middleware in to the answer out, by view and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RESPONSES = Counter(
    "jingxun_http_responses",
    "Answers by view, method and status code.",
    ["view", "method", "status"],
)
DB_QUERIES = Counter(
    "jingxun_db_queries",
    "Database queries made while answering a request, by view and method.",
    ["view", "method"],
)


class QueryCounter:
    """A database execute wrapper that counts the queries going through it."""

    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The labelled series, found once per (view, method[, status]) rather than by
        # prometheus_client's labels() at every request (a lock and a tuple each time).
        self.series = {}

    def __call__(self, request):
        started = time.perf_counter()
        queries = QueryCounter()
        wrappers = connection.execute_wrappers  # as connection.execute_wrapper(), inline
        wrappers.append(queries)
        try:
            response = self.get_response(request)
        finally:
            wrappers.pop()
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        key = (
            match.view_name if match is not None else "<unresolved>",
            request.method if request.method in METHODS else "other",
            response.status_code,
        )
        series = self.series.get(key)
        if series is None:
            view, method, status = key
            series = self.series[key] = (
                REQUEST_SECONDS.labels(view, method),
                RESPONSES.labels(view, method, str(status)),
                DB_QUERIES.labels(view, method),
            )
        seconds, responses, database = series
        seconds.observe(elapsed)
        responses.inc()
        if queries.count:
            database.inc(queries.count)
        return response


class ReportDeliveriesCollector:
    """The score report emails not sent: pending (waiting for their attempt), overdue (pending
    past their attempt by more than REPORT_MAIL_STALE_SECONDS: no worker sends them) and
    failed (refused, or out of attempts: they wait for an organizer to resend them)."""

    def describe(self):
        return []  # registering must not query the database

    def collect(self):
        from datetime import timedelta

        from django.db.models import Count, Q
        from django.utils import timezone

        from reports.models import ReportDelivery

        Status = ReportDelivery.Status
        stale = timezone.now() - timedelta(seconds=settings.REPORT_MAIL_STALE_SECONDS)
        try:
            counts = ReportDelivery.objects.filter(
                status__in=[Status.PENDING, Status.FAILED]
            ).aggregate(
                pending=Count("pk", filter=Q(status=Status.PENDING)),
                overdue=Count("pk", filter=Q(status=Status.PENDING, next_attempt_at__lt=stale)),
                failed=Count("pk", filter=Q(status=Status.FAILED)),
            )
        except Exception:
            logger.warning("metrics: could not count the report deliveries", exc_info=True)
            return
        family = GaugeMetricFamily(
            "jingxun_report_deliveries",
            "Score report emails not sent, by state (pending, overdue, failed).",
            labels=["state"],
        )
        for state in ("pending", "overdue", "failed"):
            family.add_metric([state], counts[state])
        yield family


class CeleryCollector:
    """The tasks waiting in the broker's queues (LLEN) and the age of the last heartbeat."""

    def describe(self):
        return []

    def collect(self):
        if current_app.conf.task_always_eager:
            return
        from config.celery import app

        queues = [app.conf.task_default_queue, heartbeat.HEARTBEAT_QUEUE]
        try:
            client = heartbeat.redis_client(heartbeat.broker_url())
            with client.pipeline(transaction=False) as pipe:
                for queue in queues:
                    pipe.llen(queue)
                pipe.get(heartbeat.HEARTBEAT_KEY)
                *lengths, beat = pipe.execute()
        except Exception:
            logger.warning("metrics: the broker's Redis does not answer", exc_info=True)
            yield GaugeMetricFamily("jingxun_celery_broker_up", "The broker answers.", value=0)
            return
        yield GaugeMetricFamily("jingxun_celery_broker_up", "The broker answers.", value=1)
        family = GaugeMetricFamily(
            "jingxun_celery_queue_length", "Tasks waiting in the broker.", labels=["queue"]
        )
        for queue, length in zip(queues, lengths, strict=True):
            family.add_metric([queue], length)
        yield family
        if beat is not None:
            yield GaugeMetricFamily(
                "jingxun_celery_heartbeat_age_seconds",
                "Seconds since a worker last ran its heartbeat task (absent: none within "
                "READINESS_WORKER_MAX_AGE).",
                value=max(time.time() - float(beat), 0),
            )


SCRAPE_TIME = CollectorRegistry()
SCRAPE_TIME.register(ReportDeliveriesCollector())
SCRAPE_TIME.register(CeleryCollector())


def exposition():
    """The text Prometheus reads: the request metrics of this process, or of every process with
    PROMETHEUS_MULTIPROC_DIR, and the figures collected now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(SCRAPE_TIME)
