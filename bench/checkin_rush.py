"""220 trainees check in within the same minute, against gunicorn and PostgreSQL.

    .venv/bin/python bench/checkin_rush.py [--trainees 220] [--workers 4] [--concurrency 16]

Makes its own PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432), starts gunicorn on a free loopback port, signs the
trainees in by writing their sessions, and then sends every check-in (the code of the
moment, typed as on the phone) from `concurrency` threads. It prints requests per second,
p50 and p99 latency, the same for a bare Django view (/healthz) served by the same gunicorn
in the same run, and the ratio; it fails if any check-in is lost or any answer is a 5xx.
"""

import argparse
import sys

from serving import ROOT, fresh_database, gunicorn, report, rush, signed_in

sys.path.insert(0, str(ROOT))
DATABASE = "jingxun_bench_checkin"


def prepare(trainees):
    """The database: a program, an activity opening now, and signed-in trainees."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from sessions.models import Activity
    from trainees.models import Enrollment, Program, Trainee, Unit

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    program = Program.objects.create(
        code="RUSH", title="rush", start_date=today, end_date=today + timedelta(days=1)
    )
    start = timezone.now() + timedelta(minutes=5)
    activity = Activity.objects.create(
        program=program,
        kind="lecture",
        title="专题辅导",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    unit = Unit.objects.create(name="测试派出所")
    password = make_password("bench-password")  # one hash for all: hashing is not measured
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{500000 + n}", password=password) for n in range(trainees)
    )
    trainee_group = Group.objects.get_or_create(name="trainee")[0]
    trainee_group.user_set.add(*users)
    people = Trainee.objects.bulk_create(
        Trainee(user=u, name=f"学员{u.username}", police_id=u.username, unit=unit) for u in users
    )
    Enrollment.objects.bulk_create(Enrollment(program=program, trainee=t) for t in people)
    return activity, [signed_in(user) for user in users]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=220)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    env = fresh_database(DATABASE)
    activity, cookies = prepare(args.trainees)
    from sessions.models import Attendance
    from sessions.services.rollcall import code_for, step_of

    with gunicorn(env, args.workers) as port:
        csrf = "b" * 32  # the cookie's secret, sent back unmasked as the form's token
        bare = [("GET", "/healthz", {}, None)] * 2000
        rush(port, bare[:200], args.concurrency)  # warm the workers up, and their
        warm = [("GET", "/timetable/check-in/", {"Cookie": f"sessionid={cookies[0]}"}, None)]
        rush(port, warm * 100, args.concurrency)  # database pools too
        bare_seconds, bare_latencies, bare_results = rush(port, bare, args.concurrency)

        def body():
            from django.utils import timezone

            code = code_for(activity, step_of(timezone.now()))
            return f"code={code}&csrfmiddlewaretoken={csrf}"

        check_ins = [
            (
                "POST",
                "/timetable/check-in/",
                {
                    "Cookie": f"sessionid={key}; csrftoken={csrf}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{port}/timetable/check-in/",
                    "Host": "127.0.0.1",
                },
                body,
            )
            for key in cookies
        ]
        seconds, latencies, results = rush(port, check_ins, args.concurrency)

    statuses = [status for status, _location, _body in results]
    bare_statuses = [status for status, _location, _body in bare_results]
    print(f"gunicorn {args.workers} workers, {args.concurrency} concurrent clients, PostgreSQL")
    bare_rate = report("bare view", bare_seconds, bare_latencies)
    rate = report("check-in", seconds, latencies)
    recorded = Attendance.objects.filter(activity=activity).count()
    print(
        f"ratio check-in/bare {rate / bare_rate:.2f}; check-ins recorded {recorded} of "
        f"{len(cookies)}; answers {sorted(set(statuses))}"
    )
    print(f"all {len(cookies)} check-ins took {seconds:.1f} s (the rush allows 60 s)")
    failures = [s for s in statuses + bare_statuses if s >= 500]
    if recorded != len(cookies) or failures or set(statuses) != {302} or seconds > 60:
        sys.exit(f"FAILED: {len(cookies) - recorded} check-ins lost, {len(failures)} 5xx")


if __name__ == "__main__":
    main()
