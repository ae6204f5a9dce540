"""Audit (变更记录): every change of the roster, scores, attendance and essay grades keeps
who, when and what, bulk writes included; the program's organizers read a trainee's history on
the trainee's page."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from discussions.models import Essay
from discussions.services import essays
from exams.models import Exam, Question, ScoreChange
from exams.services import attempts, grading, paper
from sessions.models import AttendanceChange
from sessions.services import leave as leave_services
from sessions.services import rollcall
from tests import factories, rosters
from tests.exams.factories import exam, question
from tests.timetable.factories import activity
from trainees.models import Enrollment, Group, Trainee, Unit
from trainees.services.accounts import trainee_reset_password
from trainees.services.enrollments import enrollment_move, enrollment_set_status
from trainees.services.groups import groups_create, groups_split
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db

ESSAY = "派出所是公安工作的根基所在，所长既是指挥员又是战斗员。" * 4


@pytest.fixture
def organizer():
    return factories.user("organizer", first_name="教务张")


@pytest.fixture
def program(organizer):
    program = factories.program(
        organizers=[organizer],
        code="CZ2023",
        start_date=timezone.localdate() - timedelta(days=1),
        essay_min_chars=20,
    )
    groups_create(program=program, count=2, user=organizer)
    return program


def page(client, user, program, enrollment):
    client.force_login(user)
    return client.get(f"/trainees/programs/{program.code}/trainees/{enrollment.pk}/")


def history_text(response):
    """The history section of the trainee's page, as text on one line."""
    html = response.content.decode()
    section = html[html.index('id="history"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def scores_xlsx(rows):
    workbook = Workbook()
    workbook.active.append(["警号", "姓名", "成绩"])
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# The roster: import, group split, moves, withdrawal ------------------------------------------


def test_roster_import_records_history_with_the_importing_user(organizer, program):
    first = rosters.rows(3)
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(first), user=organizer)
    second = [list(row) for row in first]
    second[0][5], second[0][8] = "教导员", "2"  # position, group

    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(second), user=organizer)

    trainee = Trainee.objects.get(police_id=first[0][2])
    assert [
        (r.history_type, r.position, r.history_user, r.history_change_reason)
        for r in trainee.history.order_by("history_date", "history_id")
    ] == [
        ("+", "所长", organizer, f"roster import:{program.code}"),
        ("~", "教导员", organizer, f"roster import:{program.code}"),
    ]
    enrollment = trainee.enrollments.get()
    assert [
        (r.history_type, r.group_id, r.history_user)
        for r in enrollment.history.order_by("history_date", "history_id")
    ] == [("+", None, organizer), ("~", program.groups.get(number=2).pk, organizer)]
    assert Trainee.history.filter(history_type="+").count() == 3
    assert Enrollment.history.filter(history_type="+", history_user=organizer).count() == 3
    assert Unit.history.filter(history_user=organizer).count() == Unit.objects.count()


def test_roster_history_keeps_neither_the_slip_password_nor_the_account(organizer, program):
    roster_import(
        program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(1)), user=organizer
    )
    trainee = Trainee.objects.get()

    trainee_reset_password(trainee=trainee, user=organizer)

    fields = {f.name for f in Trainee.history.model._meta.fields}
    assert {"initial_password", "user"} & fields == set()
    last = trainee.history.latest("history_date")
    assert (last.history_user, last.history_change_reason) == (organizer, "new initial password")


def test_groups_split_records_each_move_with_who(organizer, program):
    enrollments = [factories.enrollment(program) for _ in range(5)]

    groups_split(program=program, user=organizer)

    moves = Enrollment.history.filter(history_type="~").order_by("id")
    assert [(r.id, r.history_user, r.history_change_reason) for r in moves] == [
        (e.pk, organizer, "group split") for e in enrollments
    ]
    assert {r.group_id for r in moves} == set(program.groups.values_list("pk", flat=True))
    assert Group.history.filter(history_type="+", history_user=organizer).count() == 2


def test_groups_split_again_records_only_who_moved(organizer, program):
    for _ in range(4):
        factories.enrollment(program)
    groups_split(program=program, user=organizer)

    groups_split(program=program, user=organizer)

    assert Enrollment.history.filter(history_type="~").count() == 4


def test_move_and_withdrawal_in_the_browser_record_who_when_what(client, organizer, program):
    one, two = program.groups.order_by("number")
    enrollment = factories.enrollment(program, group=one)
    client.force_login(organizer)
    url = f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/"
    before = timezone.now()

    client.post(f"{url}move/", {"group": two.pk})
    client.post(f"{url}status/", {"status": "withdrawn"})

    moved, withdrawn = enrollment.history.filter(history_type="~").order_by("history_date")
    assert (moved.group_id, moved.status, moved.history_user) == (two.pk, "active", organizer)
    assert (withdrawn.group_id, withdrawn.status, withdrawn.history_user) == (
        two.pk,
        "withdrawn",
        organizer,
    )
    assert before <= moved.history_date <= withdrawn.history_date <= timezone.now()
    delta = withdrawn.diff_against(moved)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("status", "active", "withdrawn")]


# Scores: the paper grid and the paper import; a short answer graded 0 ------------------------


def test_paper_score_import_and_grid_write_score_changes(client, organizer, program):
    written = exam(program, mode=Exam.Mode.PAPER, title="结业考试")
    a, b = factories.enrollment(program), factories.enrollment(program)
    content = scores_xlsx([[a.trainee.police_id, a.trainee.name, 88]])

    paper.scores_import(exam=written, name="s.xlsx", content=content, user=organizer)
    client.force_login(organizer)
    client.post(
        f"/exams/programs/CZ2023/{written.pk}/scores/",
        {f"score_{a.pk}": "90", f"was_score_{a.pk}": "88", f"score_{b.pk}": "75"},
    )

    assert list(
        ScoreChange.objects.order_by("pk").values_list(
            "attempt__enrollment", "old_score", "new_score", "changed_by", "reason"
        )
    ) == [
        (a.pk, None, Decimal(88), organizer.pk, "paper import"),
        (a.pk, Decimal(88), Decimal(90), organizer.pk, "paper scores"),
        (b.pk, None, Decimal(75), organizer.pk, "paper scores"),
    ]


def test_short_answer_graded_zero_is_kept_though_the_total_stays(organizer, program):
    essay_question = question(Question.Kind.SHORT_ANSWER, points=Decimal(10))
    online = exam(program, [question(), essay_question])
    attempt = attempts.attempt_start(exam=online, enrollment=factories.enrollment(program))
    attempt, _submitted = attempts.attempt_submit(attempt=attempt)
    answer = attempt.answers.get(question=essay_question)

    grading.short_answers_grade(
        exam=online, question=essay_question, points={answer.pk: Decimal(0)}, user=organizer
    )

    assert list(
        ScoreChange.objects.order_by("pk").values_list(
            "old_score", "new_score", "old_points", "new_points", "changed_by", "reason"
        )
    ) == [
        (None, Decimal(0), None, None, None, "submitted"),
        (Decimal(0), Decimal(0), None, Decimal(0), organizer.pk, "short answer"),
    ]


# Attendance: closing an ended activity marks the missing absent or on leave, in bulk ----------


def test_closing_an_ended_activity_records_each_absence_and_leave(organizer, program):
    lecture = activity(program, day=program.end_date, start="08:30", end="10:00")  # tomorrow
    there, away, on_leave = (factories.enrollment(program) for _ in range(3))
    leave = leave_services.leave_request(
        enrollment=on_leave, starts_at=lecture.starts_at, ends_at=lecture.ends_at, reason="病假"
    )
    leave_services.leave_decide(leave=leave, approve=True, user=organizer)  # marks nothing yet
    rollcall.attendance_set(activity=lecture, enrollment=there, status="present", user=organizer)

    rollcall.activity_close(activity=lecture, now=lecture.ends_at + timedelta(minutes=1))

    assert sorted(
        AttendanceChange.objects.values_list(
            "attendance__enrollment", "old_status", "new_status", "changed_by", "reason"
        )
    ) == [
        (there.pk, "", "present", organizer.pk, "sheet"),
        (away.pk, "", "absent", None, "closed"),
        (on_leave.pk, "", "leave", None, "closed"),
    ]


# Essays: returns and extensions keep who ----------------------------------------------------


def test_essay_return_and_extension_keep_who_and_what(client, organizer, program):
    enrollment = factories.enrollment(program)
    essay = essays.essay_for(enrollment=enrollment)
    essays.essay_save(essay=essay, title="心得", body=ESSAY, revision=1, base=0)
    essays.essay_submit(essay=essay)
    client.force_login(organizer)
    url = f"/discussions/programs/CZ2023/essays/{enrollment.pk}/"
    until = timezone.localtime() + timedelta(days=2)

    client.post(f"{url}return/", {"comment": "请结合本所实际"})
    client.post(f"{url}extend/", {"until": until.strftime("%Y-%m-%d %H:%M")})

    rows = list(Essay.history.filter(id=essay.pk).order_by("history_date", "history_id"))
    returned, extended = rows[-2:]
    assert (returned.status, returned.returned_comment, returned.history_user) == (
        "returned",
        "请结合本所实际",
        organizer,
    )
    assert (extended.extended_until.replace(second=0, microsecond=0), extended.history_user) == (
        until.replace(second=0, microsecond=0),
        organizer,
    )


# The history on the trainee's page ------------------------------------------------------------


def every_kind_of_change(program, organizer, enrollment, count):
    """`count` changes of each kind to the trainee's record (and to no one else's): group
    moves, attendance taps, paper scores and essay reviews."""
    one, two = program.groups.order_by("number")
    for n in range(count):
        enrollment_move(enrollment=enrollment, group=two if n % 2 else one, user=organizer)
        lecture = activity(program, start="08:00", end="08:30", title=f"第{n}讲")
        rollcall.attendance_set(
            activity=lecture, enrollment=enrollment, status="absent", user=organizer
        )
        written = exam(program, mode=Exam.Mode.PAPER, title=f"测验{n}")
        paper.paper_scores_set(exam=written, scores={enrollment.pk: Decimal(80)}, user=organizer)
    essay = essays.essay_for(enrollment=enrollment)
    essays.essay_save(essay=essay, title="心得", body=ESSAY, revision=1, base=0)
    essays.essay_submit(essay=essay)
    for _ in range(count):
        essays.essay_review(essay=essay, reviewer=organizer, grade="A", comment="好")


def test_history_shows_the_programs_organizer_every_kind_of_change(client, organizer, program):
    enrollment = factories.enrollment(program)
    every_kind_of_change(program, organizer, enrollment, 1)
    enrollment_set_status(enrollment=enrollment, status="withdrawn", user=organizer)

    text = history_text(page(client, organizer, program, enrollment))

    assert "状态：在训 → 退训" in text
    assert "分组：— → 第1组" in text
    assert "成绩：— → 80" in text
    assert "测验0" in text
    assert "状态：— → 缺勤" in text
    assert "第0讲" in text
    assert "点名表" in text
    assert "等次：优秀" in text
    assert "心得体会" in text
    assert "教务张" in text
    assert text.index("退训") < text.index("第1组")  # newest first


def test_history_masks_phones_unless_the_reader_is_an_organizer(client, organizer, program):
    row = rosters.rows(1)[0]
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx([row]))
    row[7] = "13800001234"
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx([row]))
    enrollment = Enrollment.objects.get()
    leader = factories.user("leadership")

    as_leader = history_text(page(client, leader, program, enrollment))
    as_organizer = history_text(page(client, organizer, program, enrollment))

    assert "手机号：139****0001 → 138****1234" in as_leader
    assert "13900000001" not in as_leader and "13800001234" not in as_leader
    assert "手机号：13900000001 → 13800001234" in as_organizer


def test_history_is_404_to_an_organizer_of_another_program_and_to_the_trainee(
    client, organizer, program
):
    enrollment = factories.enrollment(program)
    stranger = factories.user("organizer")
    factories.program(organizers=[stranger])

    assert page(client, stranger, program, enrollment).status_code == 404
    assert page(client, enrollment.trainee.user, program, enrollment).status_code == 404


def test_history_query_count_is_the_same_with_1_and_30_changes(
    client, organizer, program, django_assert_num_queries
):
    few, many = factories.enrollment(program), factories.enrollment(program)
    every_kind_of_change(program, organizer, few, 1)
    every_kind_of_change(program, organizer, many, 30)
    page(client, organizer, program, few)  # the session and the translations, once

    with django_assert_num_queries(40, exact=False) as small:
        short = page(client, organizer, program, few)
    with django_assert_num_queries(len(small.captured_queries)):
        long = page(client, organizer, program, many)

    assert len(long.context["history"]) > 4 * 30 > len(short.context["history"])
