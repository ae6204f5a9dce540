"""The hot paths under concurrent load, against the bare view of the same gunicorn: my day, the
whole timetable, check-in, exam autosave and essay autosave, with gunicorn, PostgreSQL and
Redis, the load from wrk.

    .venv/bin/python bench/hot_paths.py [--connections 32] [--workers 2] [--threads 1]
                                        [--seconds 10] [--class-size 220] [--check-ins 250]

Needs wrk (Debian: `apt-get install -y wrk`), a C load generator that saturates gunicorn on 2
cores where Python threads cannot. Makes its own PostgreSQL database (`hot_bench_paths`, on
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and empties two Redis
databases of its own: db 5, the cache that holds the login sessions (CACHE_URL), and db 6,
the Celery broker (CELERY_BROKER_URL; no worker: nothing here waits for a task). The static
files are collected into a temporary directory (production mode needs the manifest).

It seeds running programs of `--class-size` trainees each (5 groups, today's timetable
published around the current time: a lecture whose check-in is open, the groups' evening
discussions, yesterday's and tomorrow's activities), enough of them for `--connections` ×
`--check-ins` trainees; an online exam of 30 questions open in each, started by 10 trainees of
each connection; the essays open. Everyone is signed in by writing their sessions (to the
database and the cache, as a sign-in does), each with a CSRF token of their own.

gunicorn (`--workers`, sync; gthread workers of `--threads` threads each if above 1) serves
bench/hot_paths_wsgi.py: the project, except /healthz,
which is config.views.health through a Django handler with no middleware at all (the bare
view). Then each phase is `wrk -t C -c C -d S` with bench/hot_paths.lua (one connection per
wrk thread, each sending as its own trainees, with their cookies, tokens and POST bodies):

    bare view      GET /healthz (before the hot paths, and again after: the two averaged)
    signed-in floor GET /bench/signed-in/: a trainee's view that does nothing, behind the
                   project's whole middleware (bench/hot_paths_floor.py): the most any signed-in
                   path could reach
    my day         GET /timetable/my-day/, round-robin over the connection's trainees
    timetable      GET /timetable/programs/<code>/mine/ (the whole timetable), the same way
    check-in       POST /timetable/check-in/ with the code of the moment, each trainee once
    exam autosave  POST /exams/attempts/<id>/answer/, one answer, question after question
    essay autosave POST /discussions/programs/<code>/essay/save/, a new text each time

Each phase is warmed up first (a second of the same requests; check-in warms up with its GET
form). It prints, for each, the requests, requests/s, p50 and p99 latency (wrk's), and the
ratio of its requests/s to the bare view's of the same run; then the CPU time per request
that gunicorn's workers, PostgreSQL, Redis and wrk spent in each phase (from /proc and the
wrk children's rusage), and each path's ceiling: the bare view's CPU per request over the
signed-in floor's plus what the path adds in PostgreSQL and Redis, the ratio the path would
reach if its own work in gunicorn cost nothing. Then it checks, and fails
otherwise: no 5xx and no other answer than the one expected (wrk's non-2xx/3xx count, and the
Lua response hook: 200 for the reads and the bare view, the redirect to my day for a
check-in, the JSON acknowledging that answer or that text as saved); and 0 lost writes in
the database afterwards: every acknowledged exam answer and essay text is stored (or a newer
one of the same trainee), every trainee whose check-in was acknowledged has exactly one
record, and no trainee more than one.

The load generator shares the machine's cores with gunicorn, PostgreSQL and Redis: compare
the ratios, not the raw rates.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from mixed_day import BRANCHES, ESSAY_TITLES, SENTENCES, STATIONS, TOPICS, at, discussion_slot
from serving import ROOT, fresh_database, gunicorn

sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
DATABASE = "hot_bench_paths"
CACHE_URL = "redis://127.0.0.1:6379/5"
BROKER_URL = "redis://127.0.0.1:6379/6"
GROUPS = 5
QUESTIONS = 30
EXAM_TRAINEES = 10  # per connection
ESSAY_TRAINEES = 10  # per connection
PHASES = ["signed-in floor", "my day", "timetable", "check-in", "exam autosave", "essay autosave"]
ISSUE_FIGURES = {"my day": "0.03", "check-in": "0.07-0.10", "exam autosave": "0.11"}
ESSAY_BODY = "".join(SENTENCES[:8])  # the text autosaved, then "<revision>稿。"


def essay_text(revision):
    return f"{ESSAY_BODY}{revision}稿。"


def prepare(args):
    """Seed the database (see the module's docstring). Returns what the phases need."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as Role
    from django.core.management import call_command
    from django.utils import timezone

    from exams.models import Exam
    from exams.services import attempts as attempt_services
    from sessions.models import Activity, Venue
    from trainees.models import Enrollment, Group, Program, Trainee, Unit

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    trainees = args.connections * args.check_ins
    programs_count = -(-trainees // args.class_size)

    bureau = Unit.objects.create(name="常州市公安局", kind=Unit.Kind.BUREAU)
    stations = []
    for branch_name in BRANCHES:
        branch = Unit.objects.create(name=branch_name, kind=Unit.Kind.BRANCH, parent=bureau)
        stations += Unit.objects.bulk_create(
            Unit(name=name, kind=Unit.Kind.STATION, parent=branch) for name in STATIONS
        )
    password = make_password("bench-password")  # one hash for all: hashing is not measured
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"{330000 + n}", password=password) for n in range(trainees)
    )
    Role.objects.get(name="trainee").user_set.add(*users)
    people = Trainee.objects.bulk_create(
        Trainee(
            user=user,
            name=f"学员{user.username}",
            police_id=user.username,
            unit=stations[n % len(stations)],
        )
        for n, user in enumerate(users)
    )
    questions = exam_questions()
    start, end = discussion_slot(now)
    programs, enrollments, current, exams = [], [], {}, {}
    for p in range(programs_count):
        program = Program.objects.create(
            code=f"HOT{p + 1:02d}",
            title=f"常州市派出所所长素质能力提升专题培训班（第{p + 1}期）",
            start_date=yesterday,
            end_date=tomorrow,
            venue="常州市公安局警察训练基地",
            essay_opens_at=now - timedelta(days=1),
            essay_deadline=at(tomorrow, 12),
            late_grace_minutes=5,
            timetable_published_at=now - timedelta(days=1),
        )
        programs.append(program)
        groups = Group.objects.bulk_create(
            Group(
                program=program,
                number=n,
                host_name=f"主持人{n}",
                host_title="党委委员",
                topic=TOPICS[n % len(TOPICS)],
            )
            for n in range(1, GROUPS + 1)
        )
        chunk = people[p * args.class_size : (p + 1) * args.class_size]
        enrollments += Enrollment.objects.bulk_create(
            Enrollment(program=program, trainee=person, group=groups[n % GROUPS])
            for n, person in enumerate(chunk)
        )
        hall = Venue.objects.create(program=program, name="报告厅", capacity=300)
        rooms = Venue.objects.bulk_create(
            Venue(program=program, name=f"第{n}研讨室", capacity=60) for n in range(1, 6)
        )

        def activity(kind, title, starts_at, ends_at, venue=hall, group=None, program=program):
            return Activity(
                program=program,
                kind=kind,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                venue=venue,
                group=group,
            )

        lecture = activity(
            "lecture",
            "新时代派出所工作专题辅导",
            now + timedelta(minutes=8),
            now + timedelta(minutes=98),
        )
        Activity.objects.bulk_create(
            [
                activity("ceremony", "开班仪式", at(yesterday, 9), at(yesterday, 9, 40)),
                activity("lecture", "公安工作专题辅导", at(yesterday, 10), at(yesterday, 11, 30)),
                activity("case_study", "典型案例剖析", at(yesterday, 14, 30), at(yesterday, 17)),
                activity(
                    "lecture",
                    "基层治理与矛盾纠纷化解",
                    now - timedelta(hours=3),
                    now - timedelta(minutes=90),
                ),
                lecture,
                activity(
                    "case_study",
                    "枫桥式派出所建设案例分析",
                    now + timedelta(hours=2),
                    now + timedelta(hours=3.5),
                ),
                *(
                    activity("discussion", f"第{g.number}组分组讨论", start, end, rooms[n], g)
                    for n, g in enumerate(groups)
                ),
                activity("forum", "所长论坛", at(tomorrow, 9), at(tomorrow, 11, 30)),
                activity("ceremony", "结业仪式", at(tomorrow, 11, 30), at(tomorrow, 12)),
            ]
        )
        current[program.pk] = lecture
        exam = Exam.objects.create(
            program=program,
            kind=Exam.Kind.GRADUATION,
            title="结业考试",
            mode=Exam.Mode.ONLINE,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(hours=3),
            duration_minutes=150,
        )
        from exams.services import questions as question_services

        question_services.exam_questions_set(exam=exam, questions=[q for q, _c in questions])
        exams[program.pk] = exam

    # Every trainee signed in, with a CSRF token of their own; connection c sends as the
    # trainees c, c + C, c + 2C, …
    keys = sign_in(users)
    people_of = []
    for c in range(args.connections):
        mine = []
        for n in range(c, trainees, args.connections):
            csrf = secrets.token_hex(16)  # 32 characters, sent back unmasked as the form's
            mine.append(
                {
                    "n": n,
                    "enrollment": enrollments[n],
                    "cookie": f"sessionid={keys[n]}; csrftoken={csrf}",
                    "csrf": csrf,
                }
            )
        people_of.append(mine)
    for mine in people_of:
        for person in mine[:EXAM_TRAINEES]:
            enrollment = person["enrollment"]
            attempt = attempt_services.attempt_start(
                exam=exams[enrollment.program_id], enrollment=enrollment
            )
            person["attempt"] = attempt.pk
    return {
        "programs": programs,
        "current": current,
        "people": people_of,
        "questions": [(q.pk, choices) for q, choices in questions],
    }


def exam_questions():
    """30 single choice questions of 4 options: [(question, [choice ids])]."""
    from decimal import Decimal

    from exams.models import Choice, Question

    made = []
    for number in range(1, QUESTIONS + 1):
        question = Question.objects.create(
            kind=Question.Kind.SINGLE, text=f"第{number}题", points=Decimal(3), category="法律法规"
        )
        choices = Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=i == number % 4)
            for i, text in enumerate("甲乙丙丁")
        )
        made.append((question, [c.pk for c in choices]))
    return made


def sign_in(users):
    """A login session for each user, written as a sign-in writes it (the database and the
    cache, CACHE_URL's cached_db engine), in bulk. Returns the session keys."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, cached, keys = [], {}, []
    now = time.time()
    for user in users:
        # As a sign-in makes it: with trainees.sessions, the key ends with the account's id.
        if hasattr(engine, "account_id_of"):
            key = get_random_string(engine.RANDOM_LENGTH, engine.KEY_CHARACTERS) + f"-{user.pk}"
        else:
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "trainees.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
            "started_at": now,
            "seen_at": now,
            "staff": False,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cached[engine.SessionStore.cache_key_prefix + key] = data
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    caches[settings.SESSION_CACHE_ALIAS].set_many(cached, settings.SESSION_COOKIE_AGE)
    # The accounts were made and given their role a minute ago, not just now: the marks those
    # changes left in the account cache (trainees.backends) have lapsed. Then each is put into
    # it, as a sign-in does (user_logged_in).
    from trainees.backends import account_cache_fill, user_cache_key

    caches["default"].delete_many([user_cache_key(user.pk) for user in users])
    for start in range(0, len(users), 1000):
        account_cache_fill([user.pk for user in users[start : start + 1000]])
    return keys


def lua(value):
    """A Python value as a Lua literal (dicts, lists, strings, numbers)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"[{lua(k)}]={lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ",".join(lua(v) for v in value) + "}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def phase_data(kind, day, seconds):
    """What hot_paths.lua needs for one phase: per connection, its trainees."""
    from sessions.services.rollcall import code_for

    connections = []
    for mine in day["people"]:
        people = []
        for person in mine:
            enrollment = person["enrollment"]
            code = day["programs_by_pk"][enrollment.program_id].code
            entry = {"cookie": person["cookie"], "csrf": person["csrf"], "key": enrollment.pk}
            if kind == "my day":
                entry["path"] = "/timetable/my-day/"
            elif kind == "signed-in floor":
                entry["path"] = "/bench/signed-in/"
            elif kind == "timetable":
                entry["path"] = f"/timetable/programs/{code}/mine/"
            elif kind == "exam autosave":
                if "attempt" not in person:
                    continue
                entry["key"] = person["attempt"]
                entry["path"] = f"/exams/attempts/{person['attempt']}/answer/"
            elif kind == "essay autosave":
                if len(people) == ESSAY_TRAINEES:
                    continue
                entry["path"] = f"/discussions/programs/{code}/essay/save/"
            people.append(entry)
        connections.append(people)
    data = {"kind": kind, "connections": connections}
    if kind == "check-in":
        # Each program has its own lecture, so its own code of each 30-second step.
        step = int(time.time()) // 30
        steps = range(step - 1, step + seconds // 30 + 4)
        data["codes"] = {
            pk: {s: code_for(activity, s) for s in steps} for pk, activity in day["current"].items()
        }
        for mine, people in zip(day["people"], connections, strict=True):
            for person, entry in zip(mine, people, strict=True):
                entry["program"] = person["enrollment"].program_id
    if kind == "exam autosave":
        data["questions"] = [{"id": q, "choices": c} for q, c in day["questions"]]
        data["revision"] = int(time.time() * 1000)
    if kind == "essay autosave":
        data["revision"] = int(time.time() * 1000)
        data["text"] = {
            "title": quote(ESSAY_TITLES[0]),
            "body": quote(ESSAY_BODY),
            "tail": quote("稿。"),
        }
    return data


CPU_GROUPS = ("gunicorn", "postgres", "redis", "wrk")


def cpu_seconds():
    """The CPU time (user + system) used so far by this machine's gunicorn, PostgreSQL and
    Redis processes (from /proc), and by the wrk runs this process has waited for."""
    import resource

    ticks = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(CPU_GROUPS, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        group = (
            "gunicorn"
            if b"gunicorn" in command
            else "postgres"
            if command.startswith(b"postgres")
            else "redis"
            if command.startswith(b"redis-server")
            else None
        )
        if group:  # utime and stime: fields 14 and 15 of stat, 12 and 13 after the name
            used[group] += (int(fields[11]) + int(fields[12])) / ticks
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["wrk"] = children.ru_utime + children.ru_stime
    return used


def wrk(port, kind, data, seconds, connections, scratch):
    """One wrk run of `kind`; returns its parsed output (see hot_paths.lua's done()), with
    the CPU time each group of processes spent per request (ms)."""
    data_file, out_file = scratch / f"{kind}.lua", scratch / f"{kind}.out"
    data_file.write_text("return " + lua(data), encoding="utf-8")
    env = {**os.environ, "HOT_PATHS_DATA": str(data_file), "HOT_PATHS_OUT": str(out_file)}
    command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "20s", "-s", str(BENCH / "hot_paths.lua"), f"http://127.0.0.1:{port}"]
    before = cpu_seconds()
    subprocess.run(command, env=env, check=True, capture_output=True)
    after = cpu_seconds()
    figures = {"statuses": {}, "acked": {}, "examples": [], "unexpected": 0, "exhausted": 0}
    for line in out_file.read_text(encoding="utf-8").splitlines():
        name, _, rest = line.partition(" ")
        if name == "status":
            status, count = rest.split()
            figures["statuses"][int(status)] = figures["statuses"].get(int(status), 0) + int(count)
        elif name == "ack":
            key, value = rest.split(" ", 1)
            figures["acked"][key] = value
        elif name == "example":
            figures["examples"].append(rest)
        elif name in ("unexpected", "exhausted"):
            figures[name] += int(rest)
        else:
            figures[name] = int(float(rest))
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["cpu_ms"] = {
        group: (after[group] - before[group]) * 1000 / max(figures["requests"], 1)
        for group in CPU_GROUPS
    }
    return figures


def lost_writes(kind, day, acked):
    """How many acknowledged writes of `kind` the database does not hold."""
    from discussions.models import Essay
    from exams.models import Answer
    from sessions.models import Attendance

    if kind == "check-in":
        activities = [a.pk for a in day["current"].values()]
        records = {}
        for enrollment_id in Attendance.objects.filter(activity__in=activities).values_list(
            "enrollment_id", flat=True
        ):
            records[enrollment_id] = records.get(enrollment_id, 0) + 1
        missing = sum(records.get(int(key), 0) != 1 for key in acked)
        return missing + sum(count > 1 for count in records.values())
    if kind == "exam autosave":
        stored = {
            f"{a}:{q}": (revision, choices)
            for a, q, revision, choices in Answer.objects.filter(
                attempt__in=[int(key.split(":")[0]) for key in acked]
            ).values_list("attempt_id", "question_id", "revision", "choices")
        }
        lost = 0
        for key, value in acked.items():
            revision, choice = (int(v) for v in value.split(":"))
            held = stored.get(key, (0, []))
            lost += held[0] < revision or (held[0] == revision and held[1] != [choice])
        return lost
    if kind == "essay autosave":
        stored = {
            str(e): (r, b)
            for e, r, b in Essay.objects.values_list("enrollment_id", "revision", "body")
        }
        lost = 0
        for key, value in acked.items():
            held, revision = stored.get(key, (0, "")), int(value)
            lost += held[0] < revision or (held[0] == revision and held[1] != essay_text(revision))
        return lost
    return 0


def empty_redis(*urls):
    import redis

    for url in urls:
        with redis.Redis.from_url(url) as connection:
            connection.flushdb()


def ceiling(results, name):
    """What `name` could reach at best (see the CPU table's last line), as text."""
    if name in ("bare before", "signed-in floor"):
        return f"{'':>8}"
    bare, floor, own = (results[n]["cpu_ms"] for n in ("bare before", "signed-in floor", name))
    server = sum(max(own[group] - floor[group], 0) for group in ("postgres", "redis"))
    return f"{sum(bare.values()) / (sum(floor.values()) + server):8.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn threads per worker (gthread if > 1)"
    )
    parser.add_argument("--seconds", type=int, default=10, help="per phase")
    parser.add_argument("--class-size", type=int, default=220)
    parser.add_argument(
        "--check-ins", type=int, default=250, help="trainees per connection (each checks in once)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install -y wrk)")

    env = fresh_database(DATABASE)
    scratch = Path(tempfile.mkdtemp(prefix="jingxun-hot-paths-"))
    services = {
        "CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "STATIC_ROOT": str(scratch / "static"),
        "VAR_DIR": str(scratch / "var"),
    }
    env.update(services)
    os.environ.update(services)
    try:
        empty_redis(CACHE_URL, BROKER_URL)
        day = prepare(args)
        day["programs_by_pk"] = {p.pk: p for p in day["programs"]}
        results = {}
        with gunicorn(
            env, args.workers, app="hot_paths_wsgi", pythonpath=BENCH, threads=args.threads
        ) as port:
            run = lambda kind, seconds: wrk(  # noqa: E731
                port, kind, phase_data(kind, day, seconds), seconds, args.connections, scratch
            )
            run("bare", 2)  # warm the workers up
            results["bare before"] = run("bare", args.seconds)
            for kind in PHASES:
                if kind == "check-in":  # the form, not a check-in: each trainee checks in once
                    warm = phase_data("my day", day, 1)
                    for people in warm["connections"]:
                        for person in people:
                            person["path"] = "/timetable/check-in/"
                    wrk(port, "my day", warm, 1, args.connections, scratch)
                else:
                    run(kind, 1)
                results[kind] = run(kind, args.seconds)
            results["bare after"] = run("bare", args.seconds)
        print_figures(args, day, results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def print_figures(args, day, results):
    """The table and the checks; exit non-zero on any failure."""
    trainees = sum(len(people) for people in day["people"])
    workers = f"gthread workers of {args.threads} threads" if args.threads > 1 else "sync workers"
    print(
        f"wrk {args.connections} connections (one thread each), {args.seconds} s per path; "
        f"gunicorn {args.workers} {workers}, PostgreSQL, Redis (sessions: trainees.sessions, "
        f"broker); {os.cpu_count()} cores shared by all; {len(day['programs'])} programs, "
        f"{trainees} trainees signed in"
    )
    before, after = results["bare before"], results["bare after"]
    bare_rate = (before["requests"] + after["requests"]) / (
        (before["duration_us"] + after["duration_us"]) / 1e6
    )
    print(f"{'path':15} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'/ bare':>6}")

    def row(name, f, ratio):
        print(
            f"{name:15} {f['requests']:8} {f['rate']:8.1f} {f['p50_us'] / 1000:7.1f} "
            f"{f['p99_us'] / 1000:7.1f} {ratio:>6}"
        )

    row("bare view", before, "")
    for kind in PHASES:
        row(kind, results[kind], f"{results[kind]['rate'] / bare_rate:.2f}")
    row("bare view", after, "")
    print(f"bare view, both runs: {bare_rate:.1f} req/s")
    print("CPU per request, ms (gunicorn's workers, PostgreSQL, Redis, wrk):")
    print(
        f"{'path':15} "
        + " ".join(f"{group:>8}" for group in CPU_GROUPS)
        + f" {'all':>8} {'ceiling':>8}"
    )
    for name in ["bare before", *PHASES]:
        cpu = results[name]["cpu_ms"]
        print(
            f"{name:15} "
            + " ".join(f"{cpu[group]:8.2f}" for group in CPU_GROUPS)
            + f" {sum(cpu.values()):8.2f} {ceiling(results, name)}"
        )
    print(
        "ceiling: the ratio a path would reach if its own work in gunicorn cost nothing: the "
        "bare view's CPU over the signed-in floor's plus the path's own in PostgreSQL and Redis"
    )
    print(
        "aims: my day and timetable >= 0.15 of bare, check-in and exam autosave >= 0.30 "
        "(issue 21 measured my day 0.03, exam autosave 0.11, check-in 0.07-0.10)"
    )

    failures = []
    for name, f in results.items():
        bad = {s: n for s, n in f["statuses"].items() if s >= 500}
        lost = lost_writes(name, day, f["acked"])
        acked = f" writes acknowledged (last of each) {len(f['acked'])}," if f["acked"] else ""
        print(
            f"{name}: statuses {dict(sorted(f['statuses'].items()))},{acked} 5xx "
            f"{sum(bad.values())}, non-2xx/3xx {f['non_2xx_3xx']}, unexpected {f['unexpected']}, "
            f"socket errors {f['socket_errors']}, lost writes {lost}"
        )
        for example in f["examples"][:2]:
            print(f"  e.g. {example}")
        if f["exhausted"]:
            failures.append(f"{name}: connections ran out of trainees (raise --check-ins)")
        if bad or f["non_2xx_3xx"] or f["unexpected"] or f["socket_errors"] or lost:
            failures.append(name)
    if failures:
        sys.exit(f"FAILED: {', '.join(failures)}")


if __name__ == "__main__":
    main()
