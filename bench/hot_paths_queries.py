"""The hot paths of bench/hot_paths.py in one process, one request at a time: per path, the
round trips to PostgreSQL (every statement libpq sends: queries, BEGIN, COMMIT, SAVEPOINTs,
the pool's checks) and to Redis, and the CPU and wall time of a request through the test
client (the whole middleware, as gunicorn runs it, without the network).

    .venv/bin/python bench/hot_paths_queries.py [--requests 200] [--sql] [--time] [--wsgi]
                                                [--only PATH] [--profile PATH]

It seeds a small copy of hot_paths.py's day in PostgreSQL (`hot_bench_queries`) and Redis db
5 (emptied), in production mode (DJANGO_DEBUG off, trainees.sessions, psycopg's pool).
--sql prints the statements of one request of each path (DATABASE_PREPARE_THRESHOLD=off
shows prepared ones as text). psycopg runs its pure-Python implementation here
(PSYCOPG_IMPL=python) so that its round trips can be counted, unless --time: the CPU
figures are a little higher without it. --wsgi calls bench/hot_paths_wsgi.py's application
as gunicorn does (no test client), and adds its bare view and signed-in floor. --profile
prints cProfile's figures of one path (HOT_SORT, HOT_LINES; HOT_CALLERS: a function's
callers); --only runs one path (for py-spy).
"""

import argparse
import os
import sys
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

if "--time" not in sys.argv:
    os.environ["PSYCOPG_IMPL"] = "python"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import hot_paths
from serving import fresh_database

DATABASE = "hot_bench_queries"


class RoundTrips:
    """Counts what goes over the wire: libpq's sends (psycopg's Python implementation) and
    redis-py's packed commands (a pipeline is one)."""

    def __init__(self):
        self.sql, self.redis, self.log = 0, 0, []
        self.logging = False

    def install(self):
        from psycopg.pq import pq_ctypes
        from redis.connection import AbstractConnection

        def counting(name):
            original = getattr(pq_ctypes.PGconn, name)

            def send(conn, command, *args, **kwargs):
                self.sql += 1
                if self.logging:
                    self.log.append(bytes(command).decode()[:160])
                    if not bytes(command) and os.environ.get("HOT_DEBUG"):
                        import traceback

                        self.log.append("".join(traceback.format_stack(limit=14)))
                return original(conn, command, *args, **kwargs)

            setattr(pq_ctypes.PGconn, name, send)

        for name in (
            "send_query",
            "send_query_params",
            "send_query_prepared",
            "exec_",
            "exec_params",
            "send_prepare",
        ):
            counting(name)
        original = AbstractConnection.send_packed_command

        def redis_send(conn, command, check_health=True):
            self.redis += 1
            if self.logging:
                parts = command if isinstance(command, list) else [command]
                self.log.append("redis " + b"".join(bytes(p) for p in parts)[:100].decode("latin1"))
            return original(conn, command, check_health)

        AbstractConnection.send_packed_command = redis_send


class Through:
    """A WSGI application called as gunicorn calls it, with the environ a browser's request
    gives: the least a request costs in this process, without the test client's own work."""

    def __init__(self, application):
        self.application = application
        self.cookies = SimpleCookie()

    def request(self, method, path, body=b"", content_type=""):
        import io

        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items()),
            "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9",
            "HTTP_USER_AGENT": "wrk",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": content_type,
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status = []
        chunks = self.application(environ, lambda s, headers, exc=None: status.append(s))
        try:
            content = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return SimpleNamespace(status_code=int(status[0].split()[0]), content=content)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data, content_type):
        return self.request("POST", path, data.encode(), content_type)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per path")
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    parser.add_argument("--profile", help="cProfile this path's requests (e.g. 'my day')")
    parser.add_argument("--only", help="this path only (e.g. 'my day'), for py-spy")
    parser.add_argument(
        "--wsgi",
        action="store_true",
        help="call bench/hot_paths_wsgi.py's application as gunicorn does, not the test client",
    )
    parser.add_argument(
        "--time", action="store_true", help="psycopg's C implementation; round trips not counted"
    )
    args = parser.parse_args()
    fresh_database(DATABASE)
    os.environ.update(
        {
            "CACHE_URL": hot_paths.CACHE_URL,
            "CELERY_BROKER_URL": hot_paths.BROKER_URL,
            "STATIC_ROOT": "/tmp/hot_bench_queries_static",
        }
    )
    hot_paths.empty_redis(hot_paths.CACHE_URL, hot_paths.BROKER_URL)
    day = hot_paths.prepare(
        SimpleNamespace(connections=1, check_ins=args.requests + 5, class_size=args.requests + 5)
    )
    day["programs_by_pk"] = {p.pk: p for p in day["programs"]}
    import hot_paths_wsgi
    from django.db import close_old_connections, connection
    from django.test import Client

    trips = RoundTrips()
    if not args.time:
        trips.install()
    people = day["people"][0]
    code = day["programs"][0].code
    lecture = day["current"][day["programs"][0].pk]
    from sessions.services.rollcall import code_for

    exam_people = [p for p in people if "attempt" in p]
    questions = day["questions"]

    # One client (a new one loads the middleware again, which gunicorn does once per
    # process), with the trainee's cookies set before each request.
    shared = Client(enforce_csrf_checks=True, headers={"host": "127.0.0.1"})
    if args.wsgi:
        shared = Through(hot_paths_wsgi.application)

    def client(person):
        shared.cookies = SimpleCookie(person["cookie"])
        return shared

    def post(person, path, data):
        """A form POST as a browser (and wrk) sends it: urlencoded, not multipart."""
        return client(person).post(
            path, urlencode(data), content_type="application/x-www-form-urlencoded"
        )

    def bare(n):
        return client(people[n]).get("/healthz"), 200

    def floor(n):
        return client(people[n]).get("/bench/signed-in/"), 200

    def my_day(n):
        return client(people[n]).get("/timetable/my-day/"), 200

    def timetable(n):
        return client(people[n]).get(f"/timetable/programs/{code}/mine/"), 200

    def check_in(n):
        person = people[n]
        code_now = code_for(lecture, int(time.time()) // 30)
        data = {"code": code_now, "csrfmiddlewaretoken": person["csrf"]}
        return post(person, "/timetable/check-in/", data), 302

    revision = int(time.time() * 1000)

    def exam_autosave(n):
        person = exam_people[n % len(exam_people)]
        question, choices = questions[(n // len(exam_people)) % len(questions)]
        data = {
            "question": question,
            "revision": revision + n,
            "choice": choices[n % len(choices)],
            "csrfmiddlewaretoken": person["csrf"],
        }
        return post(person, f"/exams/attempts/{person['attempt']}/answer/", data), 200

    bases = {}

    def essay_autosave(n):
        person = people[n % hot_paths.ESSAY_TRAINEES]
        key = person["enrollment"].pk
        data = {
            "title": hot_paths.ESSAY_TITLES[0],
            "body": hot_paths.essay_text(revision + n)[:-2] + "稿。",
            "revision": revision + n,
            "base": bases.get(key, 0),
            "csrfmiddlewaretoken": person["csrf"],
        }
        response = post(person, f"/discussions/programs/{code}/essay/save/", data)
        bases[key] = revision + n
        return response, 200

    # The bare view and the floor are bench/hot_paths_wsgi.py's (--wsgi).
    paths = {"bare view": bare, "signed-in floor": floor} if args.wsgi else {}
    paths |= {
        "my day": my_day,
        "timetable": timetable,
        "check-in": check_in,
        "exam autosave": exam_autosave,
        "essay autosave": essay_autosave,
    }
    print(f"{'path':15} {'SQL':>5} {'Redis':>5} {'CPU ms':>7} {'wall ms':>7} {'bytes':>7}")
    if args.only:
        paths = {args.only: paths[args.only]}
    for name, send in paths.items():
        response, expected = send(0)  # warm (caches, templates, the pool)
        close_old_connections()
        assert response.status_code == expected, (name, response.status_code)
        counts = Counter()
        start = 2
        if args.profile == name:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(start, start + args.requests):
            sql, redis = trips.sql, trips.redis
            trips.logging, trips.log = args.sql and n == start + args.requests - 1, []
            response, expected = send(n)
            close_old_connections()  # back to the pool, as at the end of a gunicorn request
            assert response.status_code == expected, (name, response.status_code, n)
            counts[(trips.sql - sql, trips.redis - redis)] += 1
        cpu = (time.process_time() - cpu) * 1000 / args.requests
        if args.sql:
            print(f"--- {name}, the last request:")
            for line in trips.log:
                print("   ", line.replace("\r\n", " "))
        if args.profile == name:
            import pstats

            profiler.disable()
            order = os.environ.get("HOT_SORT", "cumulative")
            lines = os.environ.get("HOT_LINES", "60")
            stats = pstats.Stats(profiler).sort_stats(order)
            stats.print_stats(int(lines))
            if os.environ.get("HOT_CALLERS"):
                stats.print_callers(os.environ["HOT_CALLERS"])
        wall = (time.perf_counter() - wall) * 1000 / args.requests
        (sql, redis), _ = counts.most_common(1)[0]
        others = "" if len(counts) == 1 else f"  (also {dict(counts)})"
        size = len(response.content)
        print(f"{name:15} {sql:5} {redis:5} {cpu:7.2f} {wall:7.2f} {size:7}{others}")
    connection.close()


if __name__ == "__main__":
    main()
