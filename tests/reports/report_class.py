"""The small class of the score-report tests (test_reports.py, test_mailing.py): five
trainees worked out by hand, two branches, two groups."""

from datetime import date
from decimal import Decimal

import pytest

from discussions.models import Essay
from exams.models import Exam
from exams.services import paper as paper_services
from sessions.models import Attendance
from tests import factories
from tests.exams.factories import exam
from tests.timetable.factories import activity, at
from trainees.models import Enrollment, Unit

DAY = date(2023, 1, 2)  # the programs' first day (tests/factories.py)
NIGHT = at(date(2023, 1, 3), "00:00")  # the report's "now": the first day's activities have ended


@pytest.fixture
def units():
    """常州市公安局 → 常州市公安局金坛分局 → 儒林派出所, 薛埠派出所; and 溧阳市公安局 →
    竹箦派出所, the county bureau a root of its own, as the roster import leaves it."""
    bureau = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    jintan = factories.unit("常州市公安局金坛分局", parent=bureau, kind=Unit.Kind.BRANCH)
    liyang = factories.unit("溧阳市公安局", kind=Unit.Kind.BUREAU)
    return {
        "bureau": bureau,
        "jintan": jintan,
        "rulin": factories.unit("儒林派出所", parent=jintan),
        "xuebu": factories.unit("薛埠派出所", parent=jintan),
        "liyang": liyang,
        "zhuze": factories.unit("竹箦派出所", parent=liyang),
    }


def scores_set(paper, scores, organizer):
    paper_services.paper_scores_set(
        exam=paper,
        scores={e.pk: Decimal(score) for e, score in scores.items() if score is not None},
        user=organizer,
    )


@pytest.fixture
def small_class(program, units, organizer):
    """Five active trainees and a withdrawn one, two groups, two branches.

    | ID   name  unit (branch)       group entry grad gain essay  attended late absent leave
    | 001  张伟  儒林派出所 (金坛)     1     60   80    20  A 优秀  3 of 3   1    0      0
    | 002  李娜  薛埠派出所 (金坛)     2     70   60   −10  C 合格  1 of 2   0    1      0
    | 003  王强  竹箦派出所 (溧阳)     1     50   90    40  —       2 of 3   0    0      1
    | 004  刘洋  竹箦派出所 (溧阳)     2     66   —     —   B 良好  2 of 2   2    0      0
    | 005  陈静  金坛分局 (金坛)       1     —    58    —   draft   2 of 3   0    1      0
    | 006  赵敏  儒林派出所, withdrawn: in no figure

    (王强 left the evening early: that is attended. IDs are 100001…100006.)
    Three activities ended on the first day: two for the class, one for group 1 only, so
    group 1 expects 3 and group 2 expects 2; one more tomorrow has not ended. The graduation
    exam's pass mark is 60: 李娜 passes at 60 exactly, 陈静 fails at 58.
    """
    first, second = factories.group(program, 1), factories.group(program, 2)
    people = {}
    for police_id, name, unit, group in [
        ("100001", "张伟", "rulin", first),
        ("100002", "李娜", "xuebu", second),
        ("100003", "王强", "zhuze", first),
        ("100004", "刘洋", "zhuze", second),
        ("100005", "陈静", "jintan", first),
        ("100006", "赵敏", "rulin", first),
    ]:
        trainee = factories.trainee(police_id, name=name, unit=units[unit])
        people[police_id] = factories.enrollment(program, trainee, group=group)
    a, b, c, d, e, withdrawn = people.values()
    entry = exam(program, kind=Exam.Kind.ENTRY, mode=Exam.Mode.PAPER, title="入学摸底考试")
    graduation = exam(
        program,
        kind=Exam.Kind.GRADUATION,
        mode=Exam.Mode.PAPER,
        title="结业考试",
        pass_mark=Decimal(60),
    )
    scores_set(entry, {a: 60, b: 70, c: 50, d: 66, withdrawn: 99}, organizer)
    scores_set(graduation, {a: 80, b: 60, c: 90, e: 58, withdrawn: 99}, organizer)
    withdrawn.status = Enrollment.Status.WITHDRAWN
    withdrawn.save()

    morning = activity(program, day=DAY, start="08:30", end="10:00")
    afternoon = activity(program, day=DAY, start="14:00", end="15:30")
    evening = activity(program, day=DAY, start="19:00", end="20:30", group=first)
    tomorrow = activity(program, day=date(2023, 1, 3), start="08:30", end="10:00")
    records = [
        (morning, a, "present", 0),
        (afternoon, a, "late", 5),
        (evening, a, "present", 0),
        (morning, b, "absent", 0),
        (afternoon, b, "present", 0),
        (evening, b, "present", 0),  # group 1's activity: not 李娜's, does not count
        (morning, c, "present", 0),
        (afternoon, c, "leave", 0),
        (evening, c, "left_early", 0),
        (morning, d, "late", 3),
        (afternoon, d, "late", 7),
        (morning, e, "present", 0),
        (afternoon, e, "present", 0),
        (evening, e, "absent", 0),
        (tomorrow, a, "absent", 0),  # not ended at NIGHT: does not count
    ]
    Attendance.objects.bulk_create(
        Attendance(activity=act, enrollment=who, status=status, minutes_late=minutes)
        for act, who, status, minutes in records
    )
    now = at(DAY, "21:00")
    Essay.objects.create(enrollment=a, status="submitted", submitted_at=now, grade="A")
    Essay.objects.create(enrollment=b, status="submitted", submitted_at=now, grade="C")
    Essay.objects.create(enrollment=d, status="submitted", submitted_at=now, grade="B")
    Essay.objects.create(enrollment=e, status="draft")
    return people


BRANCHES = [
    "常州市公安局天宁分局",
    "常州市公安局钟楼分局",
    "常州市公安局新北分局",
    "常州市公安局武进分局",
    "常州市公安局金坛分局",
    "常州市公安局经开区分局",
    "溧阳市公安局",
    "常州市公安局交警支队",
    "常州市公安局巡特警支队",
    "常州市公安局水上分局",
    "常州市公安局高铁新城分局",
]


def city_class(program, organizer, size=220, emails=0):
    """A class the size of seed 001's: `size` chiefs from the stations of the eleven branches
    of a city bureau (two stations each), entry and graduation scores on paper; the bureau's
    political department and every branch have an email, and so do the first `emails`
    trainees. Returns {"bureau", "department", "branches": [...], "enrollments": [...]}."""
    bureau = Unit.objects.create(name="常州市公安局", kind=Unit.Kind.BUREAU)
    department = Unit.objects.create(
        name="政治部", kind=Unit.Kind.DEPARTMENT, parent=bureau, email="zzb@czga.test"
    )
    branches, stations = [], []
    for n, name in enumerate(BRANCHES):
        branch = Unit.objects.create(
            name=name, kind=Unit.Kind.BRANCH, parent=bureau, email=f"branch{n}@czga.test"
        )
        branches.append(branch)
        stations += [factories.unit(f"第{2 * n + k}派出所", parent=branch) for k in (1, 2)]
    enrollments = []
    for n in range(size):
        trainee = factories.trainee(
            f"{200001 + n}",
            with_login=False,
            unit=stations[n % len(stations)],
            email=f"{200001 + n}@czga.test" if n < emails else "",
        )
        enrollments.append(factories.enrollment(program, trainee))
    entry = exam(program, kind=Exam.Kind.ENTRY, mode=Exam.Mode.PAPER, title="入学摸底考试")
    graduation = exam(
        program, kind=Exam.Kind.GRADUATION, mode=Exam.Mode.PAPER, title="结业考试", pass_mark=60
    )
    scores_set(entry, {e: 40 + n * 7 % 50 for n, e in enumerate(enrollments)}, organizer)
    scores_set(graduation, {e: 55 + n * 11 % 45 for n, e in enumerate(enrollments)}, organizer)
    return {
        "bureau": bureau,
        "department": department,
        "branches": branches,
        "enrollments": enrollments,
    }
