"""What /readyz checks before a load balancer sends users to this machine.

In order: the database answers; every migration is applied (remembered once true: migrations
do not come undone under a running process); the broker's Redis answers and so does the
cache's (CACHE_URL), when set; a Celery worker has run its heartbeat task within
READINESS_WORKER_MAX_AGE (config.heartbeat). Without a broker (the demo: tasks run in the web
process) there is no broker and no worker to check. Each check gives (passed, what it saw);
a check that cannot be made because an earlier one failed says so and is not counted failed.
"""

import time

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from config import heartbeat

_migrations_applied = False


def _error(exc):
    return f"{type(exc).__name__}: {exc}".strip()


def database():
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return False, _error(exc)
    return True, "ok"


def migrations():
    global _migrations_applied
    if _migrations_applied:
        return True, "ok"
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return False, _error(exc)
    if plan:
        first = plan[0][0]
        return False, f"{len(plan)} not applied, first {first.app_label}.{first.name}"
    _migrations_applied = True
    return True, "ok"


def checks():
    """{name: (passed, what it saw)} in the order above."""
    results = {"database": database()}
    if results["database"][0]:
        results["migrations"] = migrations()
    else:
        results["migrations"] = (None, "not checked: the database does not answer")
    if current_app.conf.task_always_eager:
        results["redis"] = (None, "skipped: no broker (tasks run in the web process)")
        results["worker"] = (None, "skipped: no broker")
    else:
        try:
            beat = heartbeat.last_heartbeat(heartbeat.redis_client(heartbeat.broker_url()))
        except Exception as exc:
            results["redis"] = (False, _error(exc))
            results["worker"] = (None, "not checked: redis does not answer")
        else:
            results["redis"] = (True, "ok")
            if beat is None:
                results["worker"] = (
                    False,
                    f"no worker has run a task in the last {settings.READINESS_WORKER_MAX_AGE} s",
                )
            else:
                results["worker"] = (True, f"last heartbeat {max(time.time() - beat, 0):.0f} s ago")
    if settings.CACHE_URL:
        try:
            heartbeat.redis_client(settings.CACHE_URL).ping()
        except Exception as exc:
            results["cache"] = (False, _error(exc))
        else:
            results["cache"] = (True, "ok")
    return results
