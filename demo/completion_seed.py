"""The demo's close of a program (completion): the earlier programs closed with their
completions and certificates, and the evaluations (评教) of the current program's ended
lectures. Written straight with the ORM, in bulk, as the history's paper scores and roll call
are: the demo shows what closing leaves, not the pages that do it."""

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from completion.hours import as_hours, attended_minutes
from completion.models import (
    COUNTED_KINDS,
    DEFAULT_ITEMS,
    EVALUATED_KINDS,
    Certificate,
    Completion,
    Evaluation,
    EvaluationItem,
    EvaluationReceipt,
    EvaluationScore,
    ProgramClosing,
)
from demo import data
from sessions.models import Activity, Attendance

HOUR_MINUTES = 45


def evening(day, hour=18):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def history_close(*, program, attendances, graduation_scores, organizer):
    """Close an earlier program on its last evening: each trainee's hours and attendance rate
    from `attendances` (completion.hours), completed if he came to 80% and passed the
    graduation exam (data.HISTORY_RULES); a certificate for each who completed, numbered in
    police-ID order (CZ2021-0001); the one of data.REVOKED_SERIAL revoked later."""
    closed_at = evening(program.end_date)
    ProgramClosing.objects.create(
        program=program,
        hour_minutes=HOUR_MINUTES,
        counted_kinds=COUNTED_KINDS,
        evaluated_kinds=EVALUATED_KINDS,
        closed_at=closed_at,
        closed_by=organizer,
        **data.HISTORY_RULES,
    )
    minutes, attended, expected, enrollments = defaultdict(int), defaultdict(int), {}, {}
    for attendance in attendances:
        enrollment = attendance.enrollment
        enrollments[enrollment.pk] = enrollment
        expected[enrollment.pk] = expected.get(enrollment.pk, 0) + 1
        minutes[enrollment.pk] += attended_minutes(attendance.activity, attendance)
        attended[enrollment.pk] += attendance.status in Attendance.ATTENDED
    completions = []
    for pk, enrollment in sorted(enrollments.items(), key=lambda e: e[1].trainee.police_id):
        rate = (Decimal(100 * attended[pk]) / expected[pk]).quantize(Decimal("0.01"))
        shortfalls = []
        if rate < data.HISTORY_RULES["min_attendance_rate"]:
            shortfalls.append("attendance")
        if graduation_scores[pk] < 60:
            shortfalls.append("graduation")
        completions.append(
            Completion(
                enrollment=enrollment,
                completed=not shortfalls,
                hours=as_hours(minutes[pk], HOUR_MINUTES),
                attendance_rate=rate,
                shortfalls=shortfalls,
                decided_at=closed_at,
            )
        )
    Completion.objects.bulk_create(completions)
    certificates = [
        Certificate(
            enrollment=completion.enrollment,
            serial=f"{program.code}-{number:04}",
            hours=completion.hours,
            issued_at=closed_at,
        )
        for number, completion in enumerate((c for c in completions if c.completed), start=1)
    ]
    for certificate in certificates:
        if certificate.serial == data.REVOKED_SERIAL:
            certificate.revoked_at = evening(date(*data.REVOKED_ON), hour=10)
            certificate.revoked_reason = data.REVOKED_REASON
            certificate.revoked_by = organizer
    Certificate.objects.bulk_create(certificates)
    return len(certificates), sum(1 for c in completions if not c.completed)


def evaluations(*, program, rng, now=None):
    """The current program's rules of closing (not closed), its evaluation form (the default
    items) and the answers of the chiefs who attended its ended lectures (EVALUATED_KINDS):
    60 to 85% of them for each, and data.TOO_FEW_ANSWERS for the latest, whose window has just
    opened. The three visitor logins have answered none: theirs wait for them (待评价).
    Returns {activity title: number of answers}."""
    now = now or timezone.now()
    ProgramClosing.objects.update_or_create(
        program=program,
        defaults={
            "hour_minutes": HOUR_MINUTES,
            "counted_kinds": COUNTED_KINDS,
            "evaluated_kinds": EVALUATED_KINDS,
            "min_attendance_rate": 80,
            "require_graduation_pass": True,
            "require_essay": True,
            "closed_at": None,
            "closed_by": None,
        },
    )
    # The activities were laid out anew (seed_demo.timetable): no answer is left to protect
    # an item of an earlier run.
    EvaluationItem.objects.filter(program=program).delete()
    items = EvaluationItem.objects.bulk_create(
        EvaluationItem(program=program, position=position, text=text)
        for position, text in enumerate(DEFAULT_ITEMS, start=1)
    )
    ended = list(
        Activity.objects.filter(
            program=program, kind__in=EVALUATED_KINDS, ends_at__lte=now
        ).order_by("starts_at")
    )
    attendees = defaultdict(list)
    for activity_id, enrollment_id in (
        Attendance.objects.filter(activity__in=ended, status__in=Attendance.ATTENDED)
        .exclude(enrollment__trainee__police_id__in=data.DEMO_TRAINEES[:3])
        .order_by("enrollment__trainee__police_id")
        .values_list("activity_id", "enrollment_id")
    ):
        attendees[activity_id].append(enrollment_id)
    receipts, answers, counts = [], [], {}
    for activity in ended:
        who = attendees[activity.pk]
        if activity is ended[-1] and len(ended) > 1:
            count = data.TOO_FEW_ANSWERS
        else:
            count = round(len(who) * rng.uniform(0.6, 0.85))
        chosen = sorted(rng.sample(who, min(count, len(who))))
        receipts += [EvaluationReceipt(activity=activity, enrollment_id=e) for e in chosen]
        mean = rng.uniform(3.7, 4.7)  # how the lecture went down
        for _enrollment in chosen:
            comment = rng.choice(data.EVALUATION_COMMENTS) if rng.random() < 0.25 else ""
            answer = Evaluation(activity=activity, comment=comment)
            marks = [
                EvaluationScore(
                    evaluation=answer, item=item, score=max(1, min(5, round(rng.gauss(mean, 0.7))))
                )
                for item in items
            ]
            answers.append((answer, marks))
        counts[activity.title] = len(chosen)
    # The answers are stored in an order of their own: neither their rows nor their scores'
    # follow the receipts' (completion.models: nothing joins an answer to its trainee).
    rng.shuffle(answers)
    EvaluationReceipt.objects.bulk_create(receipts)
    Evaluation.objects.bulk_create(answer for answer, _marks in answers)
    EvaluationScore.objects.bulk_create(mark for _answer, marks in answers for mark in marks)
    return counts


def history_programs_clear(codes):
    """The certificates of the earlier programs, which keep their enrollments (PROTECT) from
    the programs' deletion when the demo is seeded again."""
    Certificate.objects.filter(enrollment__program__code__in=codes).delete()
