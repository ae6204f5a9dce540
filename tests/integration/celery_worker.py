"""A real Celery worker process for the integration tests and the benchmarks: it runs
`celery -A config worker` against the test's database and a Redis broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def database_url(settings_dict):
    """The URL of the database this test runs in (pytest-django's test_… database)."""
    auth = settings_dict["USER"] or ""
    if settings_dict["PASSWORD"]:
        auth += f":{settings_dict['PASSWORD']}"
    host = settings_dict["HOST"] or "localhost"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


class Worker:
    """`celery -A config worker` in a child process; `env` adds to this process's."""

    def __init__(self, *, database, queue=None, concurrency=1, pool=None, env=None, log=None):
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        pool = pool or ("solo" if concurrency == 1 else "prefork")
        command += [f"--pool={pool}", f"--concurrency={concurrency}"]
        if queue:
            command += ["--queues", queue]
        self.log = log or subprocess.PIPE
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # a SIGKILL of the group reaches prefork children too
        )

    def kill(self):
        """SIGKILL: no goodbye, no acknowledgement, transactions left open."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        """Stop as systemd does (SIGTERM, a warm shutdown); returns the worker's output."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            output, _ = self.process.communicate()
        return output or ""


def wait_for(condition, seconds=30, step=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
