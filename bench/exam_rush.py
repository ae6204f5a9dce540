"""A class sits an online exam: N trainees start at the same second, answer 30 questions with
autosave, and submit at the same second, against gunicorn and PostgreSQL.

    .venv/bin/python bench/exam_rush.py [--trainees 300] [--workers 4] [--concurrency 32]

Makes its own PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432), starts gunicorn on a free loopback port, signs the
trainees in by writing their sessions (no password hashing is measured), and puts an exam of
30 questions (single and multiple choice, true or false) open now. Three phases follow, each
with every trainee's requests queued at once and sent from `concurrency` threads:

1. start: every trainee starts the exam (POST, 302 to the attempt);
2. answers: every trainee autosaves each of the 30 answers, the class interleaved as if
   answering together, and changes about one answer in ten later on (a newer revision);
3. submit: every trainee submits (POST, 302).

It prints requests per second, p50 and p99 latency of each phase, the same for a bare Django
view (/healthz) served by the same gunicorn in the same run, the ratio autosave/bare, and then
checks in the database that every answer holds the last choices sent for it and every attempt
is submitted and graded with the right score (`lost answers: 0`). It fails on a lost answer, a
wrong score, a 5xx, or any answer other than the one expected.

The load generator runs on the same machine as gunicorn and PostgreSQL and shares its cores
with them (Python threads, one GIL): on a small machine it takes a good part of the CPU, which
lowers both the autosave and the bare-view figures. Compare the ratio, not the raw rates.
"""

import argparse
import json
import os
import random
import re
import sys
import time

from serving import ROOT, fresh_database, gunicorn, report, rush, signed_in

sys.path.insert(0, str(ROOT))
DATABASE = "jingxun_bench_exam"
QUESTIONS = 30
CHANGED = 0.1  # the share of questions a trainee answers a second time
ATTEMPT_URL = re.compile(r"/exams/attempts/(\d+)/$")


def prepare(trainees):
    """The database: a program, signed-in trainees, 30 questions and an exam open now.
    Returns (exam, [(username, session key)], [(question id, kind, [choice ids], {correct})])."""
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from exams.models import Choice, Exam, Question
    from exams.services import questions as questions_services
    from trainees.models import Enrollment, Program, Trainee, Unit

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    program = Program.objects.create(
        code="EXAM", title="exam rush", start_date=today, end_date=today + timedelta(days=1)
    )
    unit = Unit.objects.create(name="测试派出所")
    password = make_password("bench-password")  # one hash for all: hashing is not measured
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{600000 + n}", password=password) for n in range(trainees)
    )
    Group.objects.get_or_create(name="trainee")[0].user_set.add(*users)
    people = Trainee.objects.bulk_create(
        Trainee(user=u, name=f"学员{u.username}", police_id=u.username, unit=unit) for u in users
    )
    Enrollment.objects.bulk_create(Enrollment(program=program, trainee=t) for t in people)

    # 22 single choice (4 options), 4 multiple choice (5 options, 2 or 3 right), 4 true/false.
    kinds = [Question.Kind.SINGLE] * 22 + [Question.Kind.MULTIPLE] * 4
    kinds += [Question.Kind.TRUE_FALSE] * 4
    random.Random(7).shuffle(kinds)
    points = {"single": Decimal(3), "multiple": Decimal(4), "true_false": Decimal(2)}
    questions = []
    for number, kind in enumerate(kinds, start=1):
        question = Question.objects.create(
            kind=kind, text=f"第{number}题", points=points[kind], category="法律法规"
        )
        if kind == Question.Kind.TRUE_FALSE:
            options, right = ("正确", "错误"), {number % 2}
        elif kind == Question.Kind.MULTIPLE:
            options, right = "甲乙丙丁戊", ({0, 2} if number % 2 else {1, 3, 4})
        else:
            options, right = "甲乙丙丁", {number % 4}
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=index in right)
            for index, text in enumerate(options)
        )
        questions.append(question)
    now = timezone.now()
    exam = Exam.objects.create(
        program=program,
        kind=Exam.Kind.GRADUATION,
        title="结业考试",
        mode=Exam.Mode.ONLINE,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=2),
        duration_minutes=60,
    )
    questions_services.exam_questions_set(exam=exam, questions=questions)
    key = []
    for question in questions:
        choices = list(question.choices.order_by("pk"))
        key.append(
            (
                question.pk,
                question.kind,
                question.points,
                [c.pk for c in choices],
                {c.pk for c in choices if c.is_correct},
            )
        )

    sessions = [(user.username, signed_in(user)) for user in users]
    return exam, sessions, key


def pick(draw, kind, choices, correct):
    """A trainee's choices for a question: mostly right, sometimes not."""
    if kind == "multiple":
        if draw.random() < 0.6:
            return sorted(correct)
        return sorted(draw.sample(choices, draw.randint(1, len(choices))))
    if draw.random() < 0.7:
        return sorted(correct)
    return [draw.choice(choices)]


def answer_plan(trainees, key, seed=1):
    """For each trainee, the autosaves in the order sent: [(question id, revision, choices)].
    Every question is answered in paper order; about one in ten is changed later (a newer
    revision, sent some questions further on)."""
    draw = random.Random(seed)
    base = int(time.time() * 1000)  # the browser's clock in ms, as the page sends it
    plans = []
    for _ in range(trainees):
        sends = [
            (question_id, pick(draw, kind, choices, correct))
            for question_id, kind, _p, choices, correct in key
        ]
        changed = draw.sample(range(len(key)), max(1, round(CHANGED * len(key))))
        for index in sorted(changed, reverse=True):
            question_id, kind, _p, choices, correct = key[index]
            first = sends[index][1]
            second = first
            while second == first:
                second = pick(draw, kind, choices, correct)
                if second == first and kind != "multiple":
                    second = [draw.choice([c for c in choices if c not in first])]
            later = draw.randint(index + 1, len(sends))
            sends.insert(later, (question_id, second))
        plans.append([(q, base + 1000 * n, c) for n, (q, c) in enumerate(sends)])
    return plans


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    env = fresh_database(DATABASE)
    exam, sessions, key = prepare(args.trainees)
    plans = answer_plan(len(sessions), key)
    from exams.models import Answer, Attempt

    csrf = "b" * 32  # the cookie's secret, sent back unmasked as the form's token

    def post(session_key, path, fields):
        headers = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/exams/mine/",
            "Host": f"127.0.0.1:{port}",
        }
        fields = [*fields, ("csrfmiddlewaretoken", csrf)]
        return ("POST", path, headers, "&".join(f"{name}={value}" for name, value in fields))

    with gunicorn(env, args.workers) as port:  # post() reads it
        # The bare view is measured before and after the rush, 6,000 requests each, and the
        # two averaged: on a shared 2-core machine one short burst varies by half.
        bare = [("GET", "/healthz", {}, None)] * 6000
        rush(port, bare[:200], args.concurrency)  # warm the workers up, and their database
        # pools too: the home page reads the session, the user and the roles, then redirects.
        warm = ("GET", "/", {"Cookie": f"sessionid={sessions[0][1]}"}, None)
        rush(port, [warm] * 100, args.concurrency)
        bare_seconds, bare_latencies, bare_results = rush(port, bare, args.concurrency)

        # 1. Start: everyone at once.
        starts = [post(key_, f"/exams/{exam.pk}/start/", []) for _name, key_ in sessions]
        start_seconds, start_latencies, start_results = rush(port, starts, args.concurrency)
        attempt_ids = []
        for status, location, _body in start_results:
            found = ATTEMPT_URL.search(location or "") if status == 302 else None
            attempt_ids.append(int(found.group(1)) if found else None)

        # 2. Answers: the class answers together, round by round, each trainee in order.
        saves, rounds = [], max(len(plan) for plan in plans)
        order = list(range(len(sessions)))
        draw = random.Random(2)
        for step in range(rounds):
            draw.shuffle(order)
            for n in order:
                if attempt_ids[n] is None or step >= len(plans[n]):
                    continue
                question_id, revision, choices = plans[n][step]
                fields = [("question", question_id), ("revision", revision)]
                fields += [("choice", c) for c in choices]
                saves.append(
                    post(sessions[n][1], f"/exams/attempts/{attempt_ids[n]}/answer/", fields)
                )
        save_seconds, save_latencies, save_results = rush(port, saves, args.concurrency)

        # 3. Submit: everyone at once.
        submits = [
            post(key_, f"/exams/attempts/{attempt_id}/submit/", [])
            for (_name, key_), attempt_id in zip(sessions, attempt_ids, strict=True)
            if attempt_id is not None
        ]
        submit_seconds, submit_latencies, submit_results = rush(port, submits, args.concurrency)
        after_seconds, after_latencies, after_results = rush(port, bare, args.concurrency)
        bare_seconds += after_seconds
        bare_latencies += after_latencies
        bare_results += after_results

    print(
        f"gunicorn {args.workers} workers, {args.concurrency} concurrent clients, PostgreSQL, "
        f"{os.cpu_count()} cores shared with the load generator; {len(sessions)} trainees, "
        f"{len(key)} questions"
    )
    bare_rate = report("bare view", bare_seconds, bare_latencies)
    report("start", start_seconds, start_latencies)
    save_rate = report("autosave", save_seconds, save_latencies)
    report("submit", submit_seconds, submit_latencies)
    print(f"answers per second {save_rate:.1f}; ratio autosave/bare {save_rate / bare_rate:.2f}")

    # Every status as expected: a bare 200, a start 302 to the attempt, an autosave 200 with
    # its answer saved (or stale: an older revision arriving after a newer one) and none
    # refused, a submit 302.
    unexpected, errors, stale = {}, 0, 0

    def expect(phase, results, ok):
        nonlocal errors
        for status, location, body in results:
            if status >= 500 or status == 0:
                errors += 1
            if not ok(status, location, body):
                unexpected.setdefault((phase, status), 0)
                unexpected[(phase, status)] += 1

    expect("bare", bare_results, lambda s, _loc, _b: s == 200)
    expect("start", start_results, lambda s, loc, _b: s == 302 and ATTEMPT_URL.search(loc or ""))

    def taken(body):
        try:
            outcome = json.loads(body)
            return len(outcome["saved"]) + len(outcome["stale"]) == 1 and not outcome["refused"]
        except (ValueError, KeyError, TypeError):
            return False

    expect("autosave", save_results, lambda s, _loc, b: s == 200 and taken(b))
    expect("submit", submit_results, lambda s, loc, _b: s == 302 and ATTEMPT_URL.search(loc or ""))
    for status, _location, body in save_results:
        if status == 200 and taken(body):
            stale += len(json.loads(body)["stale"])

    # The database: the last choices sent for every answer, every attempt graded rightly.
    last = {}  # {(trainee, question id): the last choices sent}; the revisions only grow
    for n, plan in enumerate(plans):
        for question_id, _revision, choices in plan:
            last[(n, question_id)] = choices
    by_attempt = {attempt_id: n for n, attempt_id in enumerate(attempt_ids) if attempt_id}
    stored = {
        (by_attempt.get(a), q): c
        for a, q, c in Answer.objects.filter(attempt__exam=exam).values_list(
            "attempt_id", "question_id", "choices"
        )
    }
    lost = sum(sorted(stored.get(k, [None])) != choices for k, choices in last.items())
    points = {question_id: (p, correct) for question_id, _k, p, _c, correct in key}
    expected_scores = [0] * len(plans)
    for (n, question_id), choices in last.items():
        if set(choices) == points[question_id][1]:
            expected_scores[n] += points[question_id][0]
    wrong_scores, unfinished = 0, 0
    attempts = Attempt.objects.filter(exam=exam).values_list(
        "pk", "submitted_at", "status", "score"
    )
    seen = set()
    for pk, submitted_at, status, score in attempts:
        n = by_attempt.get(pk)
        seen.add(n)
        if submitted_at is None or status != Attempt.Status.GRADED:
            unfinished += 1
        if n is None or score != expected_scores[n]:
            wrong_scores += 1
    unfinished += len(sessions) - len(seen - {None})
    print(
        f"{len(saves)} autosaves ({stale} stale, kept out by their revision); "
        f"answers {sorted({r[0] for r in save_results})}; "
        f"attempts not submitted and graded {unfinished}; wrong scores {wrong_scores}"
    )
    if unexpected:
        print(
            "unexpected answers: " + ", ".join(f"{p} {s}: {c}" for (p, s), c in unexpected.items())
        )
    print(f"lost answers: {lost}")
    if lost or errors or unexpected or unfinished or wrong_scores:
        sys.exit(
            f"FAILED: {lost} answers lost, {errors} 5xx or failed requests, "
            f"{sum(unexpected.values())} unexpected answers, {unfinished} attempts unfinished, "
            f"{wrong_scores} wrong scores"
        )


if __name__ == "__main__":
    main()
