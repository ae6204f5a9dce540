"""What the load benchmarks share: a fresh PostgreSQL database, gunicorn on a free loopback
port, and a rush of keep-alive requests from threads with its latencies."""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import deque
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "bench-only-secret-key-bench-only-secret-key-0123456789"


def fresh_database(name):
    """Drop and create database `name` (BENCH_POSTGRES_URL, default the local server), and
    point this process's settings at it, in production mode. Returns the environment for
    the gunicorn it starts."""
    import psycopg

    base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{name}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": SECRET_KEY,
        "DJANGO_DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workers, app="config.wsgi", pythonpath=None, threads=1):
    """gunicorn serving the project (or the WSGI module `app`, found on `pythonpath` too) on a
    free loopback port, once it accepts connections; yields the port and stops the server
    afterwards. `threads` above 1: gthread workers of that many threads each (a thread
    waiting on PostgreSQL lets another use the core), else sync workers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}"]
    if pythonpath:
        command += ["--pythonpath", str(pythonpath)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def rush(port, requests, concurrency):
    """Send `requests` (method, path, headers, body; a callable body is called as it is sent),
    in order, from threads with keep-alive. Returns (seconds, latencies, [(status, location,
    body)] in the order of `requests`); a request that fails without an HTTP answer has
    status 0."""
    latencies, lock = [], threading.Lock()
    results = [None] * len(requests)
    queue = deque(enumerate(requests))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                index, (method, path, headers, body) = queue.popleft()
            except IndexError:
                break
            started = time.perf_counter()
            try:
                connection.request(
                    method, path, body=body() if callable(body) else body, headers=headers
                )
                response = connection.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                results[index] = (0, None, repr(error).encode())
                continue
            elapsed = time.perf_counter() - started
            results[index] = (response.status, response.getheader("Location"), content)
            with lock:
                latencies.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, results


def report(name, seconds, latencies):
    """Print a phase's requests, rate, p50 and p99; return the rate."""
    cuts = quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    rate = len(latencies) / seconds
    print(
        f"{name:10} {len(latencies):6} requests  {rate:7.1f} req/s  "
        f"p50 {1000 * cuts[49]:6.1f} ms  p99 {1000 * cuts[98]:6.1f} ms  ({seconds:.1f} s)"
    )
    return rate


def signed_in(user):
    """The key of a new login session of `user`, written as a sign-in would (no password
    hashing is measured)."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "trainees.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key
