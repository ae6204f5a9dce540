"""The Celery workers' heartbeat, which /readyz reads (config.readiness).

Every worker sends, every CELERY_HEARTBEAT_SECONDS (30 s), a small task to a queue of its own,
`jingxun.heartbeat`, which every worker consumes besides its usual queues; whichever worker
takes it writes the time into Redis under HEARTBEAT_KEY, with an expiry of
READINESS_WORKER_MAX_AGE (120 s). The key therefore exists only while some worker has taken a
task from the broker within that time: the proof is a task consumed and run, not a process that
merely exists. The queue is separate so that a backlog of score report emails in the default
queue does not delay the heartbeat behind it (the Redis transport reads its queues in turn).
The expiry is Redis's own clock, so the web and worker machines' clocks do not matter.
"""

import logging
import time

from celery import bootsteps, current_app, shared_task

logger = logging.getLogger(__name__)

HEARTBEAT_QUEUE = "jingxun.heartbeat"
HEARTBEAT_KEY = "jingxun:celery:heartbeat"
HEARTBEAT_TASK = "jingxun.worker_heartbeat"

_clients = {}


def redis_client(url):
    """A Redis client for `url`, one per process and address, that gives up within a second
    (a probe must answer even when Redis hangs)."""
    import redis

    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        _clients[url] = client
    return client


def broker_url():
    """The broker's address as Celery sees it (CELERY_BROKER_URL wins over the settings)."""
    return current_app.conf.broker_url


def last_heartbeat(client):
    """The time (Unix seconds) of the last heartbeat still within its expiry, or None."""
    value = client.get(HEARTBEAT_KEY)
    return float(value) if value is not None else None


@shared_task(name=HEARTBEAT_TASK, ignore_result=True, acks_late=False)
def worker_heartbeat():
    """Run by whichever worker takes it: the time, into Redis, for READINESS_WORKER_MAX_AGE."""
    from django.conf import settings

    redis_client(broker_url()).set(
        HEARTBEAT_KEY, repr(time.time()), ex=settings.READINESS_WORKER_MAX_AGE
    )


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A step of the worker's consumer: consume the heartbeat queue and, on the consumer's
    timer, send one heartbeat task to it now and every CELERY_HEARTBEAT_SECONDS. A worker whose
    consumer is stuck sends none; one whose pool is stuck runs none: either way the key ages out.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, consumer):
        from django.conf import settings

        consumer.add_task_queue(HEARTBEAT_QUEUE)
        self.send(consumer)
        self.timer_entry = consumer.timer.call_repeatedly(
            settings.CELERY_HEARTBEAT_SECONDS, self.send, (consumer,)
        )

    def stop(self, consumer):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def send(self, consumer):
        from django.conf import settings

        try:
            consumer.app.send_task(
                HEARTBEAT_TASK, queue=HEARTBEAT_QUEUE, expires=settings.READINESS_WORKER_MAX_AGE
            )
        except Exception:  # the broker is down: the next beat tries again; /readyz says so
            logger.warning("Could not send the worker heartbeat to the broker", exc_info=True)
