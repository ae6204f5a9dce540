import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from sessions.models import Activity, Attendance, LeaveRequest
from sessions.services.rollcall import code_for, step_of
from tests import factories
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db

# The session, the user, their groups, their activities with their enrollments (one query);
# the attendance and its change (on PostgreSQL one statement, sessions.services.rollcall.
# record_insert), the session's save (each in a savepoint). A right check-in pays no query
# for the throttle of wrong codes (one cache read, tests/timetable/test_attendance.py).
QUERIES_OF_A_RIGHT_CHECK_IN = 10 if connection.vendor == "postgresql" else 11


@pytest.fixture
def program(organizer):
    today = timezone.localdate()
    program = factories.program(
        organizers=[organizer],
        code="ZK2013",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    factories.group(program, number=1)
    return program


@pytest.fixture
def now_lecture(program):
    """An activity that started five minutes ago and lasts an hour."""
    start = timezone.now() - timedelta(minutes=5)
    return Activity.objects.create(
        program=program,
        kind="lecture",
        title="专题辅导",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )


def enroll(program, count):
    return [
        factories.enrollment(program, factories.trainee(with_login=False)) for _ in range(count)
    ]


def test_sheet_tap_is_stored_at_once_and_survives_a_reload(client, organizer, program, now_lecture):
    enrollment = enroll(program, 1)[0]
    client.force_login(organizer)

    tap = client.post(
        f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/mark/{enrollment.pk}/",
        {"status": "late", "minutes_late": "7"},
        HTTP_HX_REQUEST="true",
    )
    reload = client.get(f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/")

    assert 'id="rollcall-counts"' in tap.content.decode()
    assert 'hx-swap-oob="true"' in tap.content.decode()
    assert Attendance.objects.get().minutes_late == 7
    assert "迟到 7′" in reload.content.decode()


def test_sheet_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, program, now_lecture, django_assert_max_num_queries
):
    client.force_login(organizer)
    enroll(program, 10)
    url = f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/"
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    enroll(program, 190)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert response.context["counts"].expected == 200


def test_check_in_screen_shows_the_current_code_and_a_qr(client, organizer, program, now_lecture):
    client.force_login(organizer)

    before = code_for(now_lecture, step_of(timezone.now()))
    response = client.get(f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/screen/")
    after = code_for(now_lecture, step_of(timezone.now()))

    page = response.content.decode()
    assert f"{before[:3]} {before[3:]}" in page or f"{after[:3]} {after[3:]}" in page
    assert "<svg" in page and 'http-equiv="refresh"' in page
    assert "navbar" not in page  # the class sees the code, not the organizer's menu


def test_trainee_checks_in_with_the_typed_code(client, program, now_lecture):
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)
    code = code_for(now_lecture, step_of(timezone.now()))

    response = client.post("/timetable/check-in/", {"code": code}, follow=True)

    assert response.redirect_chain[-1][0] == "/timetable/my-day/"
    assert Attendance.objects.get().status == "late"  # five minutes in, no grace


def test_trainee_gets_a_clear_message_for_a_wrong_code(client, program, now_lecture):
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)

    response = client.post("/timetable/check-in/", {"code": "000000"})

    assert "这不是您当前日程的签到码，请核对屏幕。" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_a_right_check_in_costs_the_same_queries_as_before_the_throttle(
    client, program, now_lecture, django_assert_num_queries
):
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)
    code = code_for(now_lecture, step_of(timezone.now()))

    with django_assert_num_queries(QUERIES_OF_A_RIGHT_CHECK_IN):
        response = client.post("/timetable/check-in/", {"code": code})

    assert response["Location"] == "/timetable/my-day/"


def test_after_ten_wrong_codes_the_check_in_page_makes_the_trainee_wait(
    client, program, now_lecture
):
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)
    for _ in range(10):
        client.post("/timetable/check-in/", {"code": "000000"})
    code = code_for(now_lecture, step_of(timezone.now()))

    waiting = client.post("/timetable/check-in/", {"code": code})

    assert waiting.status_code == 200  # not the redirect of a check-in taken
    assert Attendance.objects.count() == 0


def test_leave_request_and_approval(client, organizer, program):
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)
    start = timezone.localtime() + timedelta(hours=1)
    client.post(
        "/timetable/leave/",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "家中有事",
        },
    )
    leave = LeaveRequest.objects.get()
    client.force_login(organizer)

    client.post(f"/timetable/programs/ZK2013/leave/{leave.pk}/", {"decision": "approve"})

    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == ("approved", organizer)


def test_trainee_gets_404_on_the_sheet_and_403_on_marking(client, program, now_lecture):
    trainee = factories.trainee()
    enrollment = factories.enrollment(program, trainee)
    client.force_login(trainee.user)

    assert client.get(f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/").status_code == 404
    marked = client.post(
        f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/mark/{enrollment.pk}/",
        {"status": "present"},
    )
    assert marked.status_code == 404
    assert Attendance.objects.count() == 0


def test_discipline_record_and_its_export(client, organizer, program):
    yesterday = program.start_date
    past = activity(program, day=yesterday, start="08:30", end="10:00")
    late, absent = enroll(program, 2)
    Attendance.objects.create(activity=past, enrollment=late, status="late", minutes_late=6)
    Attendance.objects.create(activity=past, enrollment=absent, status="absent")
    client.force_login(organizer)

    page = client.get("/timetable/programs/ZK2013/discipline/")
    export = client.get("/timetable/programs/ZK2013/discipline/?format=xlsx")

    assert "迟到 1 人次，早退 0 人次，缺勤 1 人次。" in page.content.decode()
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == ["学员", "分组", "单位"]
    assert [c.value for c in workbook["学员"][1]][4:7] == ["应到", "实到", "出勤率"]


def test_discipline_says_nobody_late_when_nobody_was(client, organizer, program):
    past = activity(program, day=program.start_date, start="08:30", end="10:00")
    for enrollment in enroll(program, 3):
        Attendance.objects.create(activity=past, enrollment=enrollment, status="present")
    client.force_login(organizer)

    page = client.get("/timetable/programs/ZK2013/discipline/").content.decode()

    assert "无人迟到，无人早退，无人缺勤。" in page
    assert "出勤率 100.0%。" in page


def test_tap_on_left_early_keeps_the_time_it_happened(client, organizer, program, now_lecture):
    enrollment = enroll(program, 1)[0]
    client.force_login(organizer)
    left = (timezone.localtime(now_lecture.starts_at) + timedelta(minutes=2)).strftime("%H:%M")

    client.post(
        f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/mark/{enrollment.pk}/",
        {"status": "left_early", "left_at": left},
    )

    record = Attendance.objects.get()
    assert record.status == "left_early"
    assert timezone.localtime(record.left_at).strftime("%H:%M") == left


def test_tap_on_late_during_the_class_counts_the_minutes(client, organizer, program, now_lecture):
    enrollment = enroll(program, 1)[0]
    client.force_login(organizer)

    client.post(
        f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/mark/{enrollment.pk}/",
        {"status": "late"},
    )

    assert Attendance.objects.get().minutes_late in (5, 6)


def test_sheet_cannot_mark_a_trainee_the_activity_does_not_expect(
    client, organizer, program, now_lecture
):
    other_group = factories.group(program, number=2)
    now_lecture.group = program.groups.get(number=1)
    now_lecture.save()
    outsider = factories.enrollment(program, factories.trainee(with_login=False), group=other_group)
    client.force_login(organizer)

    response = client.post(
        f"/timetable/programs/ZK2013/roll-call/{now_lecture.pk}/mark/{outsider.pk}/",
        {"status": "present"},
    )

    assert response.status_code == 404
    assert Attendance.objects.count() == 0


def test_a_check_in_keeps_a_digest_of_the_phones_session_not_its_key(client, program, now_lecture):
    """The key of a session signs in whoever holds it: the record keeps a digest (which tells
    two phones apart just as well)."""
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)
    code = code_for(now_lecture, step_of(timezone.now()))

    client.post("/timetable/check-in/", {"code": code})

    record = Attendance.objects.get()
    key = client.session.session_key
    assert record.device and len(record.device) == 32
    assert key not in record.device and record.device not in key


def test_the_upgrade_blanks_the_session_keys_kept_by_recent_check_ins(program, now_lecture):
    from importlib import import_module

    from django.apps import apps

    enrollment = factories.enrollment(program, factories.trainee())
    record = Attendance.objects.create(
        activity=now_lecture,
        enrollment=enrollment,
        status="present",
        checked_in_at=timezone.now(),
        device="a" * 32,
    )
    migration = import_module("sessions.migrations.0008_attendance_device_digest")

    migration.blank_recent_keys(apps, None)

    record.refresh_from_db()
    assert record.device == ""
