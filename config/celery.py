"""The Celery app: settings under CELERY_* in config/settings.py, tasks in each app's tasks.py.

Run a worker with `celery -A config worker` and the scheduler with `celery -A config beat`.
Without CELERY_BROKER_URL, tasks run eagerly inside the web process (the demo).
"""

import logging
import os

from celery import Celery, signals

from config.heartbeat import HEARTBEAT_TASK, WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jingxun")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker proves it consumes tasks, for /readyz (config.heartbeat).
app.steps["consumer"].add(WorkerHeartbeat)


def not_a_heartbeat(record):
    """The heartbeat runs every 30 s on every worker: its "received" and "succeeded" lines
    would be most of the log. Its failures are still logged."""
    if record.levelno > logging.INFO:
        return True
    try:
        return HEARTBEAT_TASK not in record.getMessage()
    except Exception:  # a record that cannot be formatted is not this filter's to drop
        return True


for name in ("celery.worker.strategy", "celery.app.trace"):
    logging.getLogger(name).addFilter(not_a_heartbeat)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def log_json_lines(logger, **kwargs):
    """Celery replaces the root logger's handlers with its own: with LOG_FORMAT=json, theirs
    too write one JSON object a line (config.logging)."""
    from django.conf import settings

    if settings.LOG_FORMAT == "json":
        from config.logging import JsonFormatter

        for handler in logger.handlers:
            handler.setFormatter(JsonFormatter())
