"""How the bureau dashboard grows with the data: 50 programs and 10,000 trainees against 100
trainees, served by gunicorn from PostgreSQL in the same run.

    .venv/bin/python bench/dashboard_scale.py [--programs 50] [--trainees 10000] [--requests 20]

Makes its own PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432), migrates it and seeds it with bulk inserts only:

- 常州市公安局 (the root, a bureau) → 10 branches → 10 police stations each, and `--trainees`
  trainees spread over the stations;
- `--programs` programs over the last five years, kinds in turn, 5 groups each. Every trainee
  attends one program, a fifth of them one more (a tenth of those two more), so the bureau
  counts `--trainees` trainees of whom a fifth attended several programs;
- per program an entry and a graduation exam of the same 30 single-choice questions, sat by
  every trainee of the program: a graded attempt with its 30 answers each;
- per program 12 activities, all ended: 7 for the class and a group discussion for each of
  the 5 groups, with the roll call of every trainee who was expected (mostly present, a few
  late, absent, on leave or gone early);
- per trainee and program an essay: most handed in, some of those graded A–D, a few drafts
  or returned.

A second, small city (测试市公安局 → 测试分局 → 4 stations) gets the same kind of data for
100 trainees in 2 programs of its own. Two leadership accounts read the bureau dashboard: the
leader of 常州市公安局, a root unit, who reads every program and every trainee (the small
city's too: trainees.permissions.dashboard_scope), and the leader of 测试分局, who reads its
2 programs counting its 100 trainees. (The leader of the small city's root would read
everything too: the leader of any root unit is the city bureau's leadership.)

The database is vacuumed and analyzed after seeding, as autovacuum would have done on a
database that had grown over five years. The static files are collected into a temporary
directory so that the pages render in production mode. Then gunicorn (`--workers`) serves,
each URL is warmed up, and `--requests` rounds time one request of each URL in turn, one
request at a time: the dashboard as each leader, and a bare Django view (/healthz). The script
prints the sizes seeded, the median and p90 of each URL, the ratio of the dashboard at 10,000
trainees to that at 100 (the aim is under 3) and to the bare view, and the SQL queries of one
dashboard request of each leader, counted in this process with Django's test client. It fails
on any answer other than 200.

The client, gunicorn and PostgreSQL share the machine's cores; the requests are sequential,
so each is served alone.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from statistics import median, quantiles
from zoneinfo import ZoneInfo

from serving import ROOT, fresh_database, gunicorn, rush, signed_in

sys.path.insert(0, str(ROOT))
DATABASE = "jingxun_bench_dashboard"
QUESTIONS = 30  # 20 of 3 points and 10 of 4: 100 in all
GROUPS = 5
YEARS = 5
REPEAT = 0.2  # the share of trainees who attend more than one program
BATCH = 5000
BRANCHES = ["天宁", "钟楼", "新北", "武进", "金坛", "溧阳", "经开", "高新", "西太湖", "滨江"]
CLASS_WIDE = [  # (day, hour, kind, title); the group discussions are on day 5
    (0, 9, "ceremony", "开班仪式"),
    (0, 10, "lecture", "新时代派出所工作专题辅导"),
    (1, 9, "lecture", "基层治理与矛盾纠纷化解"),
    (2, 9, "case_study", "执法办案典型案例剖析"),
    (3, 9, "onsite", "枫桥式派出所现场教学"),
    (4, 9, "forum", "所长论坛"),
    (6, 9, "ceremony", "结业仪式"),
]


def chunks(items, size=BATCH):
    """`items` (an iterable) in lists of `size`."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def enrollment_plan(trainees, programs, draw):
    """{program index: [trainee index]}: every trainee in one program, REPEAT of them in one
    more and a tenth of those in two more."""
    order = list(range(trainees))
    draw.shuffle(order)
    first = {t: n % programs for n, t in enumerate(order)}
    attends = {t: {p} for t, p in first.items()}
    for t in draw.sample(range(trainees), round(REPEAT * trainees) if programs > 1 else 0):
        extra = 2 if draw.random() < 0.1 else 1
        others = [p for p in range(programs) if p != first[t]]
        attends[t].update(draw.sample(others, min(extra, len(others))))
    plan = {p: [] for p in range(programs)}
    for t in sorted(attends):
        for p in attends[t]:
            plan[p].append(t)
    return plan


def seed_city(
    city, branches, stations, trainees, programs, years, prefix, draw, parent=None, answers=True
):
    """A city's units, trainees and `programs` programs held in `years` (a list), with their
    exams, attempts and answers, activities and roll calls, and essays. Returns the unit of
    `city` and its branches."""
    from django.conf import settings

    from discussions.models import Essay, Grade
    from exams.models import Answer, Attempt, Choice, Exam, ExamQuestion, Question
    from sessions.models import Activity, Attendance
    from trainees.models import Enrollment, Group, Program, Trainee, Unit

    zone = ZoneInfo(settings.TIME_ZONE)

    def at(day, hour, minute=0):
        return datetime.combine(day, clock(hour, minute), tzinfo=zone)

    # Units and trainees.
    root = Unit.objects.create(name=city, kind=Unit.Kind.BUREAU, parent=parent)
    branch_units = Unit.objects.bulk_create(
        Unit(name=f"{name}分局", kind=Unit.Kind.BRANCH, parent=root) for name in branches
    )
    station_units = Unit.objects.bulk_create(
        Unit(name=f"{branch.name[:-2]}第{n}派出所", kind=Unit.Kind.STATION, parent=branch)
        for branch in branch_units
        for n in range(1, stations + 1)
    )
    people = Trainee.objects.bulk_create(
        (
            Trainee(
                name=f"学员{prefix}{n:05d}",
                police_id=f"{prefix}{n:05d}",
                unit=station_units[n % len(station_units)],
                gender="F" if n % 9 == 0 else "M",
            )
            for n in range(trainees)
        ),
        batch_size=BATCH,
    )

    # Programs, a few a year, kinds in turn; groups; enrollments.
    per_year = -(-programs // len(years))
    kinds = Program.Kind.values
    plan = []
    for index in range(programs):
        year, slot = years[index // per_year], index % per_year
        start = date(year, 1, 8) + timedelta(days=(350 // per_year) * slot)
        plan.append(
            Program(
                code=f"{prefix}{year}{slot + 1:02d}",
                title=f"{year}年第{slot + 1}期派出所长培训班",
                kind=kinds[index % len(kinds)],
                start_date=start,
                end_date=start + timedelta(days=6),
            )
        )
    plan = Program.objects.bulk_create(plan)
    groups = Group.objects.bulk_create(
        Group(program=program, number=n, name=f"第{n}组")
        for program in plan
        for n in range(1, GROUPS + 1)
    )
    groups_of = {p.pk: [g for g in groups if g.program_id == p.pk] for p in plan}
    members = enrollment_plan(trainees, programs, draw)
    enrollments = Enrollment.objects.bulk_create(
        (
            Enrollment(
                program=program,
                trainee=people[t],
                group=groups_of[program.pk][k % GROUPS],
                role=Enrollment.Role.CLASS_LEADER if k == 0 else Enrollment.Role.MEMBER,
            )
            for p, program in enumerate(plan)
            for k, t in enumerate(members[p])
        ),
        batch_size=BATCH,
    )
    by_program = {p.pk: [] for p in plan}
    for enrollment in enrollments:
        by_program[enrollment.program_id].append(enrollment)

    # Exams: an entry and a graduation exam of the same 30 questions per program.
    questions = Question.objects.bulk_create(
        Question(
            kind=Question.Kind.SINGLE,
            text=f"{program.code} 第{n + 1}题",
            points=Decimal(3 if n < 20 else 4),
            category="法律法规",
        )
        for program in plan
        for n in range(QUESTIONS)
    )
    choices = Choice.objects.bulk_create(
        (
            Choice(question=question, text="甲乙丙丁"[i], is_correct=i == n % 4)
            for n, question in enumerate(questions)
            for i in range(4)
        ),
        batch_size=BATCH,
    )
    paper = {}  # program id → [(question id, points, [choice ids], index of the right one)]
    for n, question in enumerate(questions):
        ids = [c.pk for c in choices[4 * n : 4 * n + 4]]
        program = plan[n // QUESTIONS]
        paper.setdefault(program.pk, []).append((question.pk, question.points, ids, n % 4))
    exams = Exam.objects.bulk_create(
        Exam(
            program=program,
            kind=kind,
            title=title,
            mode=Exam.Mode.ONLINE,
            opens_at=at(day, 15),
            closes_at=at(day, 16),
            duration_minutes=60,
            pass_mark=Decimal(60),
            released_at=at(program.end_date, 18),
        )
        for program in plan
        for kind, title, day in (
            (Exam.Kind.ENTRY, "摸底考试", program.start_date),
            (Exam.Kind.GRADUATION, "结业考试", program.end_date - timedelta(days=1)),
        )
    )
    ExamQuestion.objects.bulk_create(
        ExamQuestion(exam=exam, question_id=question_id, order=n, points=points)
        for exam in exams
        for n, (question_id, points, _ids, _right) in enumerate(paper[exam.program_id])
    )

    # Attempts, graded, each with its 30 answers (the index of the choice of each question).
    attempts, picks = [], []
    abilities = {enrollment.pk: draw.uniform(0.45, 0.8) for enrollment in enrollments}
    for exam in exams:
        for enrollment in by_program[exam.program_id]:
            ability = abilities[enrollment.pk]
            if exam.kind == Exam.Kind.GRADUATION:
                ability = min(0.97, ability + draw.uniform(0.05, 0.2))
            chosen = [
                right if draw.random() < ability else (right + draw.randint(1, 3)) % 4
                for _q, _points, _ids, right in paper[exam.program_id]
            ]
            score = sum(
                points
                for (_q, points, _ids, right), pick in zip(
                    paper[exam.program_id], chosen, strict=True
                )
                if pick == right
            )
            attempts.append(
                Attempt(
                    exam=exam,
                    enrollment=enrollment,
                    started_at=exam.opens_at,
                    deadline=exam.opens_at + timedelta(minutes=60),
                    submitted_at=exam.opens_at + timedelta(minutes=draw.randint(20, 59)),
                    score=score,
                    status=Attempt.Status.GRADED,
                )
            )
            picks.append(bytes(chosen))
    attempts = Attempt.objects.bulk_create(attempts, batch_size=BATCH)

    def answer_rows():
        for attempt, chosen in zip(attempts, picks, strict=True):
            for (question_id, points, ids, right), pick in zip(
                paper[attempt.exam.program_id], chosen, strict=True
            ):
                yield Answer(
                    attempt_id=attempt.pk,
                    question_id=question_id,
                    choices=[ids[pick]],
                    saved_at=attempt.submitted_at,
                    points_awarded=points if pick == right else Decimal(0),
                )

    if answers:  # not read by the dashboards (the scores are the attempts')
        for chunk in chunks(answer_rows()):
            Answer.objects.bulk_create(chunk)

    # Activities, all ended, and the roll call of everyone expected at each.
    activities = []
    for program in plan:
        for day, hour, kind, title in CLASS_WIDE:
            starts = at(program.start_date + timedelta(days=day), hour)
            activities.append(
                Activity(
                    program=program,
                    kind=kind,
                    title=title,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=90),
                )
            )
        for group in groups_of[program.pk]:
            starts = at(program.start_date + timedelta(days=5), 14, 30)
            activities.append(
                Activity(
                    program=program,
                    kind=Activity.Kind.DISCUSSION,
                    title=f"分组研讨（{group.name}）",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    group=group,
                )
            )
    activities = Activity.objects.bulk_create(activities, batch_size=BATCH)
    statuses = ["present"] * 90 + ["late"] * 4 + ["absent"] * 2 + ["leave"] * 3
    statuses += ["left_early"]

    def roll_calls():
        for activity in activities:
            for enrollment in by_program[activity.program_id]:
                if activity.group_id not in (None, enrollment.group_id):
                    continue
                status = draw.choice(statuses)
                late = draw.randint(3, 25) if status == "late" else 0
                came = status in Attendance.ATTENDED
                yield Attendance(
                    activity=activity,
                    enrollment=enrollment,
                    status=status,
                    minutes_late=late,
                    checked_in_at=activity.starts_at + timedelta(minutes=late) if came else None,
                    method=Attendance.Method.CODE if came else Attendance.Method.SHEET,
                )

    for chunk in chunks(roll_calls()):
        Attendance.objects.bulk_create(chunk)

    # Essays: most handed in, some of those graded, a few drafts or returned.
    grades = [Grade.EXCELLENT] * 20 + [Grade.GOOD] * 45 + [Grade.PASS] * 30 + [Grade.FAIL] * 5
    program_of = {p.pk: p for p in plan}

    def essays():
        for enrollment in enrollments:
            program = program_of[enrollment.program_id]
            handed_in = at(program.end_date, 20)
            state = draw.random()
            status = (
                Essay.Status.DRAFT
                if state < 0.08
                else Essay.Status.RETURNED
                if state < 0.12
                else Essay.Status.SUBMITTED
            )
            graded = status == Essay.Status.SUBMITTED and draw.random() < 0.6
            chars = draw.randint(1500, 4000) if status != Essay.Status.DRAFT else 600
            yield Essay(
                enrollment=enrollment,
                title="学习心得体会",
                body="通过这次培训，我深刻认识到派出所工作的重要性。" * 10,
                status=status,
                chars=chars,
                submitted_at=None if status == Essay.Status.DRAFT else handed_in,
                returned_at=handed_in + timedelta(days=2) if status == "returned" else None,
                grade=draw.choice(grades) if graded else "",
                reviewed_at=handed_in + timedelta(days=3) if graded else None,
            )

    for chunk in chunks(essays()):
        Essay.objects.bulk_create(chunk)
    return root, branch_units


PROVINCE = "江苏省公安厅"
CITIES = 20  # a province: 20 city bureaus under the provincial department
PER_PROGRAM = 200  # trainees per program (a fifth of them attend more than one)


def prepare(trainees, answers):
    """The database, seeded (see the module's docstring), its summaries computed as
    `manage.py refresh_summaries --all` does after an upgrade, and the leader of the root
    signed in. Returns (user, session key, seconds of seeding, seconds of the backfill)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from reports.summaries import summaries_backfill
    from trainees.models import Leader, Unit

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    draw = random.Random(2024)
    this_year = timezone.localdate().year
    years = list(range(this_year - YEARS, this_year))
    if trainees > 10_000:  # a province: 20 cities of trainees / 20 each, plain parent links
        root = Unit.objects.create(name=PROVINCE, kind=Unit.Kind.DEPARTMENT)
        for n in range(CITIES):
            per_city = trainees // CITIES
            seed_city(
                f"城市{n + 1:02d}市公安局",
                [f"城{n + 1:02d}区{b}" for b in range(1, 6)],
                10,
                per_city,
                max(2, per_city // PER_PROGRAM),
                years,
                f"C{n:02d}",
                draw,
                parent=root,
                answers=answers,
            )
    else:
        root, _branches = seed_city(
            "常州市公安局",
            BRANCHES,
            10,
            trainees,
            max(2, trainees // PER_PROGRAM),
            years,
            "CZ",
            draw,
            answers=answers,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seeding = time.perf_counter() - started
    started = time.perf_counter()
    summaries_backfill()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    backfill = time.perf_counter() - started

    password = make_password("bench-password")  # a usable password, hashed once
    user = get_user_model().objects.create(
        username="leader-root", password=password, last_login=timezone.now()
    )
    user.groups.add(Group.objects.get(name="leadership"))
    Leader.objects.create(user=user, unit=root)
    return user, signed_in(user), seeding, backfill


def sizes():
    """[(label, count)] of what was seeded."""
    from discussions.models import Essay
    from exams.models import Answer, Attempt
    from sessions.models import Attendance
    from trainees.models import Enrollment, Program, Trainee

    return [
        ("programs", Program.objects.count()),
        ("trainees", Trainee.objects.count()),
        ("enrollments", Enrollment.objects.count()),
        ("attempts", Attempt.objects.count()),
        ("answers", Answer.objects.count()),
        ("attendance rows", Attendance.objects.count()),
        ("essays", Essay.objects.count()),
    ]


def in_process(user):
    """(SQL queries, programs held, trainees trained) of one dashboard request of `user`,
    with the test client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()  # setup_test_environment() was called: it keeps the response's context
    client.force_login(user)
    client.get("/reports/dashboard/")  # the translations, the templates, the first connection
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/dashboard/")
    if response.status_code != 200:
        sys.exit(
            f"FAILED: the dashboard answered {response.status_code} in process"
            f" {response.get('Location', '')}"
        )
    kpis = [value for _label, value, _kind in response.context["board"].kpis]
    return len(queries), kpis[0], kpis[1]


def timed(port, pages, rounds):
    """{label: [seconds]} of `rounds` rounds of one request of each of `pages` (label, path,
    session key or None) in turn, one at a time; exits on any answer other than 200."""
    latencies = {label: [] for label, _path, _key in pages}
    for _ in range(rounds):
        for label, path, key in pages:
            headers = {"Cookie": f"sessionid={key}"} if key else {}
            _seconds, times, results = rush(port, [("GET", path, headers, None)], 1)
            status, _location, body = results[0]
            if status != 200:
                sys.exit(f"FAILED: {label} answered {status}: {body[:300]!r}")
            latencies[label].append(times[0])
    return latencies


def cut(latencies):
    """(median, p90) in ms."""
    return 1000 * median(latencies), 1000 * quantiles(latencies, n=10, method="inclusive")[8]


def one_size(trainees, requests, workers, answers):
    """Seed, time and count one size in its own database; prints one JSON line."""
    env = fresh_database(f"{DATABASE}_{trainees}")
    static_root = tempfile.mkdtemp(prefix="jingxun-bench-static-")
    env["STATIC_ROOT"] = os.environ["STATIC_ROOT"] = static_root
    try:
        user, key, seeding, backfill = prepare(trainees, answers)
        seeded = dict(sizes())
        pages = [("dashboard", "/reports/dashboard/", key), ("bare", "/healthz", None)]
        with gunicorn(env, workers) as port:
            timed(port, pages, 3)  # warm up: the workers, their connections, the templates
            latencies = timed(port, pages, requests)
        from django.test.utils import setup_test_environment

        setup_test_environment()
        queries, held, trained = in_process(user)
        print(
            json.dumps(
                {
                    "trainees": trainees,
                    "seeded": seeded,
                    "seeding": seeding,
                    "backfill": backfill,
                    "dashboard": cut(latencies["dashboard"]),
                    "bare": cut(latencies["bare"]),
                    "queries": queries,
                    "held": held,
                    "trained": trained,
                }
            ),
            flush=True,
        )
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,10000,50000", help="trainees, comma-separated")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--answers-up-to",
        type=int,
        default=10_000,
        help="seed the 30 answers of each attempt up to this size (the dashboards never read "
        "them; 50,000 trainees would add 3.6 million rows)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_size(args.one, args.requests, args.workers, args.one <= args.answers_up_to)
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        run = subprocess.run(
            [
                *(sys.executable, __file__, "--one", str(size)),
                *("--requests", str(args.requests), "--workers", str(args.workers)),
                *("--answers-up-to", str(args.answers_up_to)),
            ],
            capture_output=True,
            text=True,
        )
        if run.returncode:
            sys.exit(f"FAILED at {size:,} trainees:\n{run.stdout}{run.stderr[-3000:]}")
        result = json.loads(run.stdout.strip().splitlines()[-1])
        results.append(result)
        seeded = result["seeded"]
        print(
            f"{size:,} trainees: "
            + ", ".join(f"{count:,} {label}" for label, count in seeded.items())
            + f"; seeded in {result['seeding']:.0f} s, summaries computed in "
            f"{result['backfill']:.0f} s",
            flush=True,
        )
    print(
        f"gunicorn {args.workers} workers, PostgreSQL, {os.cpu_count()} cores; "
        f"{args.requests} sequential requests per URL, interleaved; the root's leader"
    )
    print(
        f"{'trainees':>9} {'programs':>8} {'median ms':>10} {'p90 ms':>8} {'bare ms':>8} "
        f"{'queries':>7} {'× at 100':>9}"
    )
    base = results[0]["dashboard"][0]
    for r in results:
        p50, p90 = r["dashboard"]
        print(
            f"{r['trainees']:>9,} {r['held']:>8} {p50:>10.1f} {p90:>8.1f} {r['bare'][0]:>8.1f} "
            f"{r['queries']:>7} {p50 / base:>9.2f}"
        )
    worst = max(r["dashboard"][0] for r in results) / base
    print(f"largest / smallest: {worst:.2f} (aim: at most 3)")


if __name__ == "__main__":
    main()
