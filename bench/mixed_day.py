"""A day of a running program under load: trainees read "my day", check in and write their
essays while the organizers edit, against gunicorn, PostgreSQL, Redis and a Celery worker.

    .venv/bin/python bench/mixed_day.py [--trainees 220] [--organizers 5] [--edits 40]
                                        [--concurrency 32] [--workers 4]

Makes its own PostgreSQL database (`jingxun_bench_mixed`, on BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432) and empties two Redis databases of its own: db 10, the
cache that holds the login sessions (CACHE_URL), and db 11, the Celery broker
(CELERY_BROKER_URL). The static files are collected into a temporary directory (production
mode needs the manifest), and mail is written to files there too. It seeds a program running
today (yesterday to tomorrow, its timetable published) with `--trainees` trainees, each with
an email address, in 5 groups, and `--organizers` organizers (at most 5), one looking after
each group. Today's timetable is laid out around the current time: a lecture that ended an
hour and a half ago (its roll call taken by code, for nine trainees in ten), a lecture that
starts in five minutes (its check-in open now), a case study after it, and the five group
discussions later; leave requests for the case study wait for the organizers. Everyone is
signed in by writing their sessions (no password hashing is measured), and CSRF is handled
as exam_rush.py does: a csrftoken cookie, sent back as the form's token.

Then, with gunicorn (`--workers`) serving and one `celery -A config worker` taking the tasks:

- every trainee: 3 reads of "my day" (one before checking in, the one the check-in redirects
  to, one while writing), 1 check-in with the code of the moment (typed, or from the QR code
  with the activity), and 10 autosaves of the essay, each text longer than the one before;
- every organizer, `--edits` writes: a fifth saves their group's discussion in the timetable
  form (a new title each time: a recorded change, mailed to the group by the Celery worker),
  a fifth decides a leave request (three approved for one rejected), the rest are taps on
  the roll-call sheet of the ended lecture (htmx, as the sheet sends them).

All these requests are mixed at random and sent from `--concurrency` threads, each keeping
its connection open as long as the server does (gunicorn's sync workers close it after each
answer); like a browser, one person never has two requests in flight, so each person's
requests arrive in their order. The bare view (/healthz) gets as many requests, from as many
threads, half before the mix and half after it, in the same run.

It prints requests per second, p50 and p99 of the mix as a whole and of each kind of request
(the rate of a kind is its share of the mix), the same for the bare view, and
`ratio mixed / bare: NN %`, the throughput of the mix against the bare view's (the aim is at
least 15 %). Then it checks the database: every essay holds the last text sent, every
trainee has one attendance record for the lecture checked in, the roll call holds the last
status tapped, every leave request its decision, every discussion the last title saved, and
every timetable change was mailed by the worker. It fails on any 5xx or failed request, on
any answer other than the one expected (a check-in refused, an autosave not acknowledged as
saved, a form sent back with errors), or on any of these checks.

The load generator runs on the same machine as gunicorn, PostgreSQL, Redis and the worker,
and shares its cores with them (Python threads, one GIL): compare the ratio, not the raw
rates.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlencode

from serving import ROOT, fresh_database, gunicorn, report, rush, signed_in

sys.path.insert(0, str(ROOT))
DATABASE = "jingxun_bench_mixed"
CACHE_URL = "redis://127.0.0.1:6379/10"
BROKER_URL = "redis://127.0.0.1:6379/11"
CODE = "MIXED2026"
TITLE = "常州市派出所所长素质能力提升专题培训班（第十二期）"
GROUPS = 5
READS, AUTOSAVES = 3, 10  # per trainee, with one check-in
CSRF = "b" * 32  # the csrftoken cookie's secret, sent back unmasked as the form's token
KINDS = ["my-day", "check-in", "autosave", "roll call", "timetable", "leave"]

BRANCHES = ["天宁分局", "钟楼分局", "新北分局", "武进分局"]
STATIONS = ["城东派出所", "城西派出所", "湖塘派出所", "南夏墅派出所", "春江派出所"]
TOPICS = [
    "新时代“枫桥经验”在派出所的实践",
    "社区警务与矛盾纠纷多元化解",
    "执法规范化建设中的难点",
    "基层所队民警的教育管理",
    "打击治理电信网络诈骗",
    "派出所“两队一室”警务机制改革",
]
ESSAY_TITLES = [
    "坚持人民至上，做新时代合格派出所所长",
    "以学促干，推动基层治理提质增效",
    "守初心担使命，练就过硬本领",
    "从“枫桥经验”看派出所主防",
]
SENTENCES = [
    "这次培训内容丰富、安排紧凑，使我对新时代派出所工作有了更加系统的认识。",
    "派出所是公安机关的基础单元，所长是带队伍、抓业务、保平安的第一责任人。",
    "专题辅导从政治建警的高度讲清了基层工作的方向，我深受启发。",
    "回顾近年工作，我所在矛盾纠纷排查化解上还存在前端发现不及时的问题。",
    "社区民警要真正沉下去，做到底数清、情况明，把风险隐患解决在萌芽状态。",
    "执法规范化是公安工作的生命线，每一起案件都要经得起法律和历史的检验。",
    "案例剖析让我认识到，程序上的一点疏忽可能让整起案件前功尽弃。",
    "带队伍要严管与厚爱相结合，既要立规矩，也要解决民警的实际困难。",
    "在打击治理电信网络诈骗中，宣传防范要进社区、进企业、进校园。",
    "分组讨论中，各位所长交流的经验十分接地气，很多做法可以直接借鉴。",
    "回到岗位后，我将把学到的理念转化为具体措施，推动所里工作再上台阶。",
    "要坚持问题导向，对照先进找差距，逐项制定整改清单并抓好落实。",
    "科技兴警是提升基层战斗力的必由之路，要用好用活各类信息化手段。",
    "群众工作是公安工作的根本，群众满意是检验工作成效的最终标准。",
    "我将以这次培训为新的起点，始终保持对党忠诚、服务人民的政治本色。",
    "所长论坛上几位同志的发言，让我看到了同样条件下工作可以做得更好。",
]


@dataclass
class Request:
    """One request of a person: `expect(status, location, body)` says if its answer is the
    one expected. A callable body is called as the request is sent."""

    kind: str
    person: str
    method: str
    path: str
    headers: dict
    body: object
    expect: object


@dataclass
class Expected:
    """What the database must hold afterwards."""

    essays: dict = field(default_factory=dict)  # enrollment id: (title, body, revision)
    taps: dict = field(default_factory=dict)  # enrollment id: status
    leaves: dict = field(default_factory=dict)  # leave request id: status
    titles: dict = field(default_factory=dict)  # activity id: title
    changes: int = 0


def at(day, hour, minute=0):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, clock(hour, minute)))


def discussion_slot(now):
    """The evening's group discussions: four hours from now, on the quarter hour, two hours
    long, and within one day (the timetable form gives a day and two times)."""
    from django.utils import timezone

    start = timezone.localtime(now + timedelta(hours=4)).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 15)
    if (start + timedelta(hours=2)).date() != start.date():
        start = at(start.date() + timedelta(days=1), 0)
    return start, start + timedelta(hours=2)


def prepare(trainees, organizers, edits, draw):
    """The database (see the module's docstring). Returns a dict of what the plan needs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as Role
    from django.core.management import call_command
    from django.utils import timezone

    from sessions.models import Activity, Attendance, LeaveRequest, Speaker, Venue
    from trainees.models import Enrollment, Group, Program, Trainee, Unit

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    program = Program.objects.create(
        code=CODE,
        title=TITLE,
        start_date=yesterday,
        end_date=tomorrow,
        venue="常州市公安局警察训练基地",
        essay_opens_at=now - timedelta(days=1),
        essay_deadline=at(tomorrow, 12),
        late_grace_minutes=5,
        timetable_published_at=now - timedelta(days=1),
    )
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

    bureau = Unit.objects.create(name="常州市公安局", kind=Unit.Kind.BUREAU)
    stations = []
    for branch_name in BRANCHES:
        branch = Unit.objects.create(name=branch_name, kind=Unit.Kind.BRANCH, parent=bureau)
        stations += Unit.objects.bulk_create(
            Unit(name=name, kind=Unit.Kind.STATION, parent=branch) for name in STATIONS
        )
    password = make_password("bench-password")  # one hash for all: hashing is not measured
    User = get_user_model()
    trainee_users = User.objects.bulk_create(
        User(username=f"{320500 + n}", password=password) for n in range(trainees)
    )
    Role.objects.get(name="trainee").user_set.add(*trainee_users)
    people = Trainee.objects.bulk_create(
        Trainee(
            user=user,
            name=f"学员{user.username}",
            police_id=user.username,
            unit=stations[n % len(stations)],
            email=f"{user.username}@czga.test",
        )
        for n, user in enumerate(trainee_users)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(program=program, trainee=person, group=groups[n % GROUPS])
        for n, person in enumerate(people)
    )
    organizer_users = User.objects.bulk_create(
        User(username=f"jiaowu{n + 1}", first_name=f"教务{n + 1}", password=password)
        for n in range(organizers)
    )
    Role.objects.get(name="organizer").user_set.add(*organizer_users)
    program.organizers.add(*organizer_users)

    hall = Venue.objects.create(program=program, name="报告厅", capacity=300)
    rooms = [
        Venue.objects.create(program=program, name=f"第{n}研讨室", capacity=60) for n in range(1, 6)
    ]
    speaker = Speaker.objects.create(name="吕平洋", title="支队长", organization="市公安局督察支队")

    def activity(kind, title, starts_at, ends_at, venue=hall, group=None):
        return Activity.objects.create(
            program=program,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            group=group,
        )

    activity("ceremony", "开班仪式", at(yesterday, 9), at(yesterday, 9, 40))
    activity("lecture", "新时代公安工作专题辅导", at(yesterday, 10), at(yesterday, 11, 30))
    activity("case_study", "执法办案典型案例剖析", at(yesterday, 14, 30), at(yesterday, 17))
    ended = activity(
        "lecture", "基层治理与矛盾纠纷化解", now - timedelta(hours=3), now - timedelta(minutes=90)
    )
    current = activity(
        "lecture",
        "新时代派出所工作专题辅导",
        now + timedelta(minutes=5),
        now + timedelta(minutes=95),
    )
    current.speakers.add(speaker)
    later = activity(
        "case_study",
        "枫桥式派出所建设案例分析",
        now + timedelta(hours=2),
        now + timedelta(hours=3.5),
    )
    start, end = discussion_slot(now)
    discussions = [
        activity("discussion", f"第{g.number}组分组讨论", start, end, venue=rooms[n], group=g)
        for n, g in enumerate(groups)
    ]
    activity("forum", "所长论坛", at(tomorrow, 9), at(tomorrow, 11, 30))
    activity("ceremony", "结业仪式", at(tomorrow, 11, 30), at(tomorrow, 12))

    # The ended lecture's roll call: nine trainees in ten checked in with the code.
    Attendance.objects.bulk_create(
        Attendance(
            activity=ended,
            enrollment=e,
            status=Attendance.Status.PRESENT,
            method=Attendance.Method.CODE,
            checked_in_at=ended.starts_at - timedelta(minutes=draw.randint(1, 9)),
        )
        for e in enrollments
        if draw.random() < 0.9
    )
    # Leave requests for the case study, from each organizer's group.
    in_group = {g.pk: [e for e in enrollments if e.group_id == g.pk] for g in groups}
    decisions = edits // 5
    leaves = []
    for group in groups[:organizers]:
        asking = draw.sample(in_group[group.pk], min(decisions, len(in_group[group.pk])))
        leaves.append(
            LeaveRequest.objects.bulk_create(
                LeaveRequest(
                    enrollment=e,
                    starts_at=later.starts_at,
                    ends_at=later.ends_at,
                    reason="辖区发生警情，需回所处置",
                )
                for e in (asking * decisions)[:decisions]
            )
        )
    return {
        "program": program,
        "ended": ended,
        "current": current,
        "discussions": discussions,
        "trainees": [(signed_in(u), e) for u, e in zip(trainee_users, enrollments, strict=True)],
        "organizers": [signed_in(u) for u in organizer_users],
        "in_group": in_group,
        "leaves": leaves,
    }


def form(session_key, fields, **headers):
    """Headers and body of a form POST as the browser sends it, with the CSRF token. `fields`
    may be callable (the check-in's code is the code of the moment it is sent)."""
    headers = {
        "Cookie": f"sessionid={session_key}; csrftoken={CSRF}",
        "Content-Type": "application/x-www-form-urlencoded",
        **headers,
    }
    if callable(fields):
        return headers, lambda: urlencode([*fields(), ("csrfmiddlewaretoken", CSRF)])
    return headers, urlencode([*fields, ("csrfmiddlewaretoken", CSRF)])


def essay_texts(draw):
    """A trainee's essay as autosaved: (title, body) after each of AUTOSAVES bursts of
    typing, each longer than the one before."""
    title, sentences, texts = draw.choice(ESSAY_TITLES), [], []
    pool = draw.sample(SENTENCES, len(SENTENCES))
    for _ in range(AUTOSAVES):
        for _ in range(draw.randint(1, 3)):
            sentences.append(pool[len(sentences) % len(pool)])
        paragraphs = ["".join(sentences[n : n + 4]) for n in range(0, len(sentences), 4)]
        texts.append((title, "\n\n".join(paragraphs)))
    return texts


def trainee_plan(n, session_key, enrollment, current, draw, expected):
    """One trainee's requests in their order: my day, the check-in and the my day it
    redirects to, then the autosaves with one more look at my day among them."""
    from django.utils import timezone

    from sessions.services.rollcall import code_for, step_of

    person = f"trainee {n}"
    cookie = {"Cookie": f"sessionid={session_key}; csrftoken={CSRF}"}

    def my_day():
        return Request(
            "my-day",
            person,
            "GET",
            "/timetable/my-day/",
            cookie,
            None,
            lambda s, _loc, body: s == 200 and TITLE.encode() in body,
        )

    scanned = draw.random() < 0.5  # the QR code carries the activity; a typed code does not

    def check_in_fields():
        fields = [("code", code_for(current, step_of(timezone.now())))]
        return [*fields, ("a", current.pk), ("p", "in")] if scanned else fields

    headers, body = form(session_key, check_in_fields)
    check_in = Request(
        "check-in",
        person,
        "POST",
        "/timetable/check-in/",
        headers,
        body,
        lambda s, loc, _b: s == 302 and loc == "/timetable/my-day/",
    )
    saves, revision = [], 0
    clock_ms = int(time.time() * 1000) + n  # the phone's clock, as essay.js sends it
    for k, (title, text) in enumerate(essay_texts(draw)):
        base, revision = revision, clock_ms + 4000 * (k + 1)
        fields = [("title", title), ("body", text), ("revision", revision), ("base", base)]
        headers, body = form(session_key, fields)

        def acknowledged(status, _location, answer, revision=revision):
            try:
                saved = json.loads(answer)
            except ValueError:
                return False
            ok = isinstance(saved, dict) and (saved.get("result"), saved.get("revision"))
            return status == 200 and ok == ("saved", revision)

        path = f"/discussions/programs/{CODE}/essay/save/"
        saves.append(Request("autosave", person, "POST", path, headers, body, acknowledged))
        expected.essays[enrollment.pk] = (title, text, revision)
    saves.insert(draw.randint(1, len(saves)), my_day())
    reads = [my_day() for _ in range(READS - 3)]
    return [my_day(), check_in, my_day(), *saves, *reads]


def organizer_plan(n, session_key, day, edits, draw, expected):
    """One organizer's writes, mixed: saves of their group's discussion in the timetable
    form, leave decisions, and taps on the roll-call sheet of the ended lecture."""
    from django.utils import timezone

    person = f"organizer {n}"
    discussion = day["discussions"][n]
    leaves = day["leaves"][n]
    sheet = draw.sample(
        day["in_group"][discussion.group_id], len(day["in_group"][discussion.group_id])
    )
    saves = edits // 5
    kinds = ["timetable"] * saves + ["leave"] * len(leaves)
    kinds += ["roll call"] * (edits - len(kinds))
    draw.shuffle(kinds)
    start, end = timezone.localtime(discussion.starts_at), timezone.localtime(discussion.ends_at)
    program = f"/timetable/programs/{CODE}"
    plan, counts = [], dict.fromkeys(KINDS, 0)
    for kind in kinds:
        k = counts[kind]
        counts[kind] += 1
        if kind == "timetable":
            title = f"第{discussion.group.number}组分组讨论：{TOPICS[(k + n) % len(TOPICS)]}"
            fields = [
                ("kind", "discussion"),
                ("title", title),
                ("day", start.date().isoformat()),
                ("start", start.strftime("%H:%M")),
                ("end", end.strftime("%H:%M")),
                ("group", discussion.group_id),
                ("venue", discussion.venue_id),
                ("host", discussion.group.host_name),
                ("formats", "研讨交流"),
                ("description", f"围绕议题交流发言，每人不超过8分钟（第{k + 1}稿）"),
            ]
            headers, body = form(session_key, fields)
            path = f"{program}/activities/{discussion.pk}/edit/"
            week = f"{program}/week/"
            expect = lambda s, loc, _b, week=week: s == 302 and (loc or "").startswith(week)  # noqa: E731
            expected.titles[discussion.pk] = title
            expected.changes += 1
        elif kind == "leave":
            leave = leaves[k]
            decision = "reject" if k % 4 == 3 else "approve"
            headers, body = form(session_key, [("decision", decision)])
            path = f"{program}/leave/{leave.pk}/"
            back = f"{program}/leave/"
            expect = lambda s, loc, _b, back=back: s == 302 and loc == back  # noqa: E731
            expected.leaves[leave.pk] = "approved" if decision == "approve" else "rejected"
        else:
            enrollment = sheet[k % len(sheet)]
            status = draw.choice(["present"] * 4 + ["late"] * 3 + ["leave", "absent"])
            headers, body = form(
                session_key, [("status", status), ("left_at", "")], **{"HX-Request": "true"}
            )
            path = f"{program}/roll-call/{day['ended'].pk}/mark/{enrollment.pk}/"
            row = f'id="row-{enrollment.pk}"'.encode()
            expect = lambda s, _loc, b, row=row: s == 200 and row in b  # noqa: E731
            expected.taps[enrollment.pk] = status
        plan.append(Request(kind, person, "POST", path, headers, body, expect))
    return plan


def day_rush(port, plans, concurrency, draw):
    """Send every person's requests, mixed at random, from `concurrency` threads, each on
    one connection; a person's next request waits until their previous one is answered.
    Returns (seconds, [(request, status, location, body, seconds or None)])."""
    import http.client

    order = [person for person, plan in plans.items() for _ in plan]
    draw.shuffle(order)
    nexts = {person: iter(plan) for person, plan in plans.items()}
    pending = deque(next(nexts[person]) for person in order)
    busy, results, condition = set(), [], threading.Condition()

    def take():
        with condition:
            while pending:
                for position, request in enumerate(pending):
                    if request.person not in busy:
                        del pending[position]
                        busy.add(request.person)
                        return request
                condition.wait()
            return None

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while (request := take()) is not None:
            body = request.body() if callable(request.body) else request.body
            started = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=body, headers=request.headers)
                response = connection.getresponse()
                outcome = (response.status, response.getheader("Location"), response.read())
                elapsed = time.perf_counter() - started
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                outcome, elapsed = (0, None, repr(error).encode()), None
            with condition:
                results.append((request, *outcome, elapsed))
                busy.discard(request.person)
                condition.notify_all()
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, results


def empty_redis(*urls):
    import redis

    for url in urls:
        with redis.Redis.from_url(url) as connection:
            connection.flushdb()


def check_database(day, expected):
    """[(what, wrong)] of the database's checks; wrong is 0 when all is well."""
    from discussions.models import Essay
    from sessions.models import Activity, ActivityChange, Attendance, LeaveRequest

    essays = {
        e: (t, b, r)
        for e, t, b, r in Essay.objects.filter(enrollment__program=day["program"]).values_list(
            "enrollment_id", "title", "body", "revision"
        )
    }
    lost = sum(essays.get(pk) != text for pk, text in expected.essays.items())
    checked_in = dict(
        Attendance.objects.filter(activity=day["current"], method="code").values_list(
            "enrollment_id", "status"
        )
    )
    records = Attendance.objects.filter(activity=day["current"]).count()
    not_in = sum(1 for _key, e in day["trainees"] if e.pk not in checked_in)
    tapped = dict(
        Attendance.objects.filter(activity=day["ended"]).values_list("enrollment_id", "status")
    )
    taps = sum(tapped.get(pk) != status for pk, status in expected.taps.items())
    decided = dict(LeaveRequest.objects.values_list("pk", "status"))
    leaves = sum(decided.get(pk) != status for pk, status in expected.leaves.items())
    titles = dict(Activity.objects.values_list("pk", "title"))
    saved = sum(titles.get(pk) != title for pk, title in expected.titles.items())
    changes = ActivityChange.objects.filter(program=day["program"]).count()
    return [
        ("essays without the last text sent", lost),
        ("trainees not checked in", not_in),
        ("attendance records beyond one per trainee", records - len(checked_in)),
        ("roll-call taps not held", taps),
        ("leave decisions not held", leaves),
        ("discussions without the last title saved", saved),
        ("timetable changes not recorded", abs(expected.changes - changes)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=220)
    parser.add_argument("--organizers", type=int, default=5)
    parser.add_argument("--edits", type=int, default=40, help="writes per organizer")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    if not 1 <= args.organizers <= GROUPS:
        parser.error(f"--organizers: from 1 to {GROUPS} (one looks after each group)")
    draw = random.Random(10)

    env = fresh_database(DATABASE)
    scratch = Path(tempfile.mkdtemp(prefix="jingxun-bench-mixed-"))
    services = {
        "CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "STATIC_ROOT": str(scratch / "static"),
        "VAR_DIR": str(scratch / "var"),  # mail is written to files in var/mail/
    }
    env.update(services)
    os.environ.update(services)
    try:
        empty_redis(CACHE_URL, BROKER_URL)
        day = prepare(args.trainees, args.organizers, args.edits, draw)
        expected = Expected()
        plans = {}
        for n, (key, enrollment) in enumerate(day["trainees"]):
            plan = trainee_plan(n, key, enrollment, day["current"], draw, expected)
            plans[plan[0].person] = plan
        for n, key in enumerate(day["organizers"]):
            plan = organizer_plan(n, key, day, args.edits, draw, expected)
            plans[plan[0].person] = plan
        total = sum(len(plan) for plan in plans.values())
        outcome = run(env, args, plans, total, draw, scratch)
        figures(args, day, expected, total, *outcome)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(env, args, plans, total, draw, scratch):
    """The worker, gunicorn, the warm-up, the bare view and the mix. Returns (bare seconds,
    bare latencies, bare results, mix seconds, mix results, worker errors)."""
    from config.celery import app
    from sessions.models import ActivityChange
    from tests.integration.celery_worker import Worker, wait_for

    log = open(scratch / "worker.log", "w+")  # noqa: SIM115  (closed below)
    worker = Worker(database=env["DATABASE_URL"], env=env, log=log)
    try:
        if not wait_for(lambda: app.control.ping(timeout=0.5), seconds=60):
            sys.exit("FAILED: the Celery worker does not answer")
        with gunicorn(env, args.workers) as port:
            bare = [("GET", "/healthz", {}, None)] * total
            rush(port, bare[:200], args.concurrency)  # warm the workers up, and their
            first = next(iter(plans.values()))[0]  # templates and database pools too
            warm = (first.method, first.path, first.headers, None)
            rush(port, [warm] * 100, args.concurrency)
            half = total // 2
            before = rush(port, bare[:half], args.concurrency)
            seconds, results = day_rush(port, plans, args.concurrency, draw)
            after = rush(port, bare[half:], args.concurrency)
        notified = ActivityChange.objects.filter(notified_at__isnull=True)
        wait_for(lambda: not notified.exists(), seconds=120, step=0.5)
    finally:
        worker.stop()
        log.seek(0)
        errors = [line for line in log if "ERROR" in line or "Traceback" in line]
        log.close()
    bare_seconds = before[0] + after[0]
    return bare_seconds, before[1] + after[1], before[2] + after[2], seconds, results, errors


def figures(
    args,
    day,
    expected,
    total,
    bare_seconds,
    bare_latencies,
    bare_results,
    seconds,
    results,
    worker_errors,
):
    """Print the figures and the checks; exit non-zero on any failure."""
    from sessions.models import ActivityChange

    print(
        f"gunicorn {args.workers} workers, {args.concurrency} concurrent clients, PostgreSQL, "
        f"Redis (sessions, broker), 1 Celery worker; {os.cpu_count()} cores shared with the "
        f"load generator; {args.trainees} trainees, {args.organizers} organizers"
    )
    answered = [r[4] for r in results if r[4] is not None]
    mixed_rate = report("mixed", seconds, answered) if answered else 0
    for kind in KINDS:
        latencies = [r[4] for r in results if r[0].kind == kind and r[4] is not None]
        if latencies:
            report(f"  {kind}", seconds, latencies)
    bare_rate = report("bare view", bare_seconds, bare_latencies)
    print(f"ratio mixed / bare: {100 * mixed_rate / bare_rate:.0f} % (aim: at least 15 %)")

    failed = sum(1 for r in results if r[1] == 0 or r[1] >= 500)
    failed += sum(1 for status, _loc, _body in bare_results if status == 0 or status >= 500)
    unexpected = {}
    for request, status, location, body, _elapsed in results:
        if not request.expect(status, location, body):
            answer = f"-> {location}" if location else repr(body[:200])
            unexpected.setdefault((request.kind, status), []).append(answer)
    unexpected_bare = sum(1 for status, _loc, _body in bare_results if status != 200)
    mailed = ActivityChange.objects.filter(notified_at__isnull=False).count()
    checks = check_database(day, expected)
    checks.append(("timetable changes not mailed", expected.changes - mailed))
    print(
        f"{total} requests of the mix, {len(results)} answered; 5xx or failed: {failed}; "
        f"unexpected answers: {sum(len(v) for v in unexpected.values()) + unexpected_bare}"
    )
    for (kind, status), bodies in sorted(unexpected.items()):
        print(f"  {kind} {status}: {len(bodies)}, e.g. {bodies[0]}")
    print(f"timetable changes mailed by the worker: {mailed} of {expected.changes}")
    for what, wrong in checks:
        print(f"{what}: {wrong}")
    if worker_errors:
        print("worker errors:", *worker_errors[:5], sep="\n  ")
    wrong = sum(abs(n) for _what, n in checks)
    if failed or unexpected or unexpected_bare or wrong or worker_errors:
        sys.exit(
            f"FAILED: {failed} 5xx or failed requests, "
            f"{sum(len(v) for v in unexpected.values()) + unexpected_bare} unexpected answers, "
            f"{wrong} wrong in the database, {len(worker_errors)} worker errors"
        )


if __name__ == "__main__":
    main()
