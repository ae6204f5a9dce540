"""Many programs and trainees at once, with bulk_create: the query-count tests of the
dashboards need 10,000 trainees and 50 programs in seconds. Each program has an entry and a
graduation exam with a graded score per trainee, three activities that have ended (one for
group 1 only) with roll call, and an essay per trainee."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from discussions.models import Essay
from exams.models import Attempt, Exam
from sessions.models import Activity, Attendance
from trainees.models import Enrollment, Group, Program, Trainee, Unit

_sequence = itertools.count(1)


def populate(*, programs, trainees_per_program, stations, repeat=0):
    """`programs` programs of `trainees_per_program` new trainees each, spread over `stations`
    (units); with `repeat`, that many trainees of the first program attend each later one."""
    now = timezone.now()
    made, first = [], []
    for _n in range(programs):
        n = next(_sequence)
        start = date(2020 + n % 6, 1 + n % 12, 1)
        program = Program.objects.create(
            code=f"B{n}", title=f"第{n}期培训班", start_date=start, end_date=start + timedelta(4)
        )
        made.append(program)
        groups = Group.objects.bulk_create(Group(program=program, number=k) for k in (1, 2))
        people = Trainee.objects.bulk_create(
            Trainee(
                police_id=f"{n:03d}{k:05d}",
                name=f"学员{n}-{k}",
                unit=stations[k % len(stations)],
            )
            for k in range(trainees_per_program - (repeat if first else 0))
        )
        people += first[:repeat]
        first = first or people
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(program=program, trainee=t, group=groups[k % 2])
            for k, t in enumerate(people)
        )
        for kind, base in ((Exam.Kind.ENTRY, 50), (Exam.Kind.GRADUATION, 65)):
            exam = Exam.objects.create(
                program=program,
                kind=kind,
                title=str(kind),
                mode=Exam.Mode.PAPER,
                opens_at=now - timedelta(days=2),
                closes_at=now - timedelta(days=1),
                pass_mark=60,
            )
            Attempt.objects.bulk_create(
                Attempt(
                    exam=exam,
                    enrollment=e,
                    status=Attempt.Status.GRADED,
                    score=Decimal(base + k % 30),
                    submitted_at=now - timedelta(days=1),
                )
                for k, e in enumerate(enrollments)
            )
        activities = Activity.objects.bulk_create(
            Activity(
                program=program,
                kind="lecture",
                title=f"课{k}",
                starts_at=now - timedelta(days=3, hours=k),
                ends_at=now - timedelta(days=3, hours=k - 1),
                group=groups[0] if k == 2 else None,
            )
            for k in range(3)
        )
        Attendance.objects.bulk_create(
            Attendance(
                activity=activity,
                enrollment=e,
                status=("present", "late", "absent", "present", "leave")[k % 5],
            )
            for activity in activities
            for k, e in enumerate(enrollments)
            if activity.group_id in (None, e.group_id)
        )
        Essay.objects.bulk_create(
            Essay(
                enrollment=e,
                status="submitted" if k % 3 else "draft",
                submitted_at=now if k % 3 else None,
                grade="ABCD"[k % 4] if k % 3 else "",
            )
            for k, e in enumerate(enrollments)
        )
    return made


def stations(count=20):
    """A city bureau with two branches and `count` stations under them."""
    bureau = Unit.objects.create(name=f"市公安局{next(_sequence)}", kind=Unit.Kind.BUREAU)
    branches = [
        Unit.objects.create(name=f"分局{k}", kind=Unit.Kind.BRANCH, parent=bureau) for k in (1, 2)
    ]
    return [Unit.objects.create(name=f"派出所{k}", parent=branches[k % 2]) for k in range(count)]
