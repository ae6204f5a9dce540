"""What the request metrics (config.metrics.RequestMetricsMiddleware) cost one request.

The bare view /healthz, called N times through Django's WSGI handler in this process, with the
middleware and without it; once with prometheus_client keeping its counts in memory (one
process) and once in files (PROMETHEUS_MULTIPROC_DIR, gunicorn's several workers). It prints
the time per request of each and the difference: the middleware's cost.

    .venv/bin/python bench/metrics_overhead.py [N]
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(n):
    import django
    from django.conf import settings

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
    }

    def per_request(handler):
        import io

        best = float("inf")
        for _ in range(5):  # the best of five rounds: the least disturbed by the machine
            started = time.perf_counter()
            for _ in range(n):
                handler({**environ, "wsgi.input": io.BytesIO()}, lambda status, headers: None)
            best = min(best, (time.perf_counter() - started) / n)
        return best

    with_metrics = WSGIHandler()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("config.metrics")]
    without = WSGIHandler()
    per_request(with_metrics)  # warm up
    a, b = per_request(with_metrics), per_request(without)
    mode = "files (multiprocess)" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "memory"
    print(f"{mode:21} /healthz through Django: with {a * 1e6:6.1f} µs, without {b * 1e6:6.1f} µs")

    # The middleware alone, around a view that answers at once (the difference above drowns
    # in the machine's noise): its own cost, and its cost with 10 queries in the request.
    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from config.metrics import RequestMetricsMiddleware

    request = RequestFactory().get("/healthz")
    request.resolver_match = resolve("/healthz")
    answer = HttpResponse("ok")

    def view(request):
        return answer

    def view_with_queries(request):
        with connection.cursor() as cursor:
            for _ in range(10):
                cursor.execute("SELECT 1")
        return answer

    def best(call, rounds=5, n=n * 10):
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(n):
                call(request)
            times.append((time.perf_counter() - started) / n)
        return min(times)

    bare, wrapped = best(view), best(RequestMetricsMiddleware(view))
    q_bare = best(view_with_queries, n=n)
    q_wrapped = best(RequestMetricsMiddleware(view_with_queries), n=n)
    print(
        f"{mode:21} the middleware alone: {(wrapped - bare) * 1e6:5.1f} µs per request, "
        f"{(q_wrapped - q_bare) * 1e6:5.1f} µs with 10 queries"
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    if os.environ.get("BENCH_CHILD"):
        measure(n)
        sys.exit()
    env = {
        **os.environ,
        "BENCH_CHILD": "1",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "bench-only-key",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([sys.executable, __file__, str(n)], cwd=ROOT, env=env, check=True)
    with tempfile.TemporaryDirectory() as folder:
        env["PROMETHEUS_MULTIPROC_DIR"] = folder
        subprocess.run([sys.executable, __file__, str(n)], cwd=ROOT, env=env, check=True)
