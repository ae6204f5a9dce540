"""The Celery app: settings under CELERY_* in config/settings.py, tasks in each app's tasks.py.

Run a worker with `celery -A config worker` and the scheduler with `celery -A config beat`.
Without CELERY_BROKER_URL, tasks run eagerly inside the web process (the demo).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jingxun")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
