from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import translation

from sessions.models import Attendance, AttendanceChange, LeaveRequest
from sessions.selectors import rollcall as rollcall_selectors
from sessions.services import leave as leave_services
from sessions.services import rollcall
from sessions.services.rollcall import CheckInRefused, check_in, code_for, step_of
from tests import factories
from tests.timetable.factories import activity, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    program = factories.program(code="ZK2013", late_grace_minutes=5)
    for number in (1, 2):
        factories.group(program, number=number)
    return program


@pytest.fixture
def lecture(program):
    return activity(program, start="08:30", end="10:00", title="专题辅导")


@pytest.fixture
def trainee(program):
    trainee = factories.trainee()
    factories.enrollment(program, trainee, group=program.groups.get(number=1))
    return trainee


def start_of(lecture):
    return lecture.starts_at


def code_at(lecture, moment):
    return code_for(lecture, step_of(moment))


def attempt(lecture, trainee, moment, code=None, device="phone-a"):
    return check_in(
        code=code or code_at(lecture, moment), user=trainee.user, device=device, now=moment
    )


def test_check_in_11_minutes_before_the_start_is_refused(lecture, trainee):
    moment = start_of(lecture) - timedelta(minutes=11)

    with pytest.raises(CheckInRefused, match="08:20 开始签到"):
        attempt(lecture, trainee, moment)


def test_check_in_10_minutes_before_the_start_is_present(lecture, trainee):
    record = attempt(lecture, trainee, start_of(lecture) - timedelta(minutes=10))

    assert (record.status, record.minutes_late) == ("present", 0)


def test_check_in_within_the_grace_is_present(lecture, trainee):
    record = attempt(lecture, trainee, start_of(lecture) + timedelta(minutes=5))

    assert (record.status, record.minutes_late) == ("present", 0)


def test_check_in_after_start_plus_grace_is_late_with_minutes(lecture, trainee):
    record = attempt(lecture, trainee, start_of(lecture) + timedelta(minutes=6))

    assert (record.status, record.minutes_late) == ("late", 6)


def test_check_in_after_the_end_is_refused(lecture, trainee):
    with pytest.raises(CheckInRefused, match="已结束"):
        attempt(lecture, trainee, lecture.ends_at + timedelta(minutes=1))


def test_rotated_out_code_is_refused_after_the_grace(lecture, trainee):
    step_start = start_of(lecture) - timedelta(minutes=5)  # 08:25:00, a step boundary
    later = step_start + timedelta(seconds=15)  # past the 10 seconds of grace
    previous = code_at(lecture, step_start - timedelta(seconds=1))

    with pytest.raises(CheckInRefused, match="签到码已过期"):
        attempt(lecture, trainee, later, code=previous)


def test_previous_code_counts_for_a_few_seconds(lecture, trainee):
    step_start = start_of(lecture) - timedelta(minutes=5)  # 08:25:00, a step boundary
    previous = code_at(lecture, step_start - timedelta(seconds=1))

    record = attempt(lecture, trainee, step_start + timedelta(seconds=5), code=previous)

    assert record.status == "present"


def test_another_activitys_code_is_refused(program, lecture, trainee):
    other = activity(
        program,
        start="08:30",
        end="10:00",
        title="分组讨论",
        venue="二室",
        group=program.groups.get(number=2),
    )
    moment = start_of(lecture)

    with pytest.raises(CheckInRefused, match="第2组"):
        attempt(lecture, trainee, moment, code=code_at(other, moment))


def test_second_check_in_gets_a_clear_message_and_two_devices_are_flagged(lecture, trainee):
    moment = start_of(lecture)
    attempt(lecture, trainee, moment, device="phone-a")

    with pytest.raises(CheckInRefused, match="已签到"):
        attempt(lecture, trainee, moment + timedelta(seconds=20), device="phone-b")

    record = Attendance.objects.get()
    assert record.flagged == "一分钟内从两台设备签到"


def test_closing_twice_gives_the_same_result(program, lecture, trainee):
    late_one = factories.trainee()
    factories.enrollment(program, late_one)
    attempt(lecture, trainee, start_of(lecture))
    after = lecture.ends_at + timedelta(minutes=1)

    first = rollcall.activity_close(activity=lecture, now=after)
    snapshot = sorted(Attendance.objects.values_list("enrollment_id", "status"))
    second = rollcall.activity_close(activity=lecture, now=after)

    assert (first, second) == (1, 0)
    assert sorted(Attendance.objects.values_list("enrollment_id", "status")) == snapshot
    assert Attendance.objects.get(enrollment__trainee=late_one).status == "absent"


def test_approved_leave_never_becomes_absent(program, lecture, trainee):
    manager = factories.user("organizer")
    leave = leave_services.leave_request(
        enrollment=trainee.enrollments.get(),
        starts_at=at(program.start_date, "08:00"),
        ends_at=at(program.start_date, "12:00"),
        reason="家中有事",
    )
    leave_services.leave_decide(leave=leave, approve=True, user=manager)

    rollcall.activity_close(activity=lecture, now=lecture.ends_at + timedelta(minutes=1))

    assert Attendance.objects.get().status == "leave"


def test_leave_approved_after_closing_turns_absent_into_leave(program, lecture, trainee):
    rollcall.activity_close(activity=lecture, now=lecture.ends_at + timedelta(minutes=1))
    assert Attendance.objects.get().status == "absent"
    leave = leave_services.leave_request(
        enrollment=trainee.enrollments.get(),
        starts_at=at(program.start_date, "08:00"),
        ends_at=at(program.start_date, "12:00"),
        reason="病假",
    )

    leave_services.leave_decide(leave=leave, approve=True, user=factories.user("organizer"))

    assert Attendance.objects.get().status == "leave"
    assert LeaveRequest.objects.get().status == "approved"
    assert list(AttendanceChange.objects.values_list("old_status", "new_status")) == [
        ("absent", "leave"),
        ("", "absent"),
    ]


def test_sheet_taps_are_kept_with_who_and_from_what(program, lecture, trainee):
    organizer = factories.user("organizer")
    enrollment = trainee.enrollments.get()

    rollcall.attendance_set(
        activity=lecture, enrollment=enrollment, status="present", user=organizer
    )
    rollcall.attendance_set(
        activity=lecture, enrollment=enrollment, status="late", user=organizer, minutes_late=12
    )

    assert list(
        AttendanceChange.objects.values_list(
            "old_status", "new_status", "new_minutes_late", "changed_by"
        )
    ) == [("present", "late", 12, organizer.pk), ("", "present", 0, organizer.pk)]


def test_mark_all_remaining_present_and_counts(program, lecture, trainee):
    for _ in range(3):
        factories.enrollment(program, factories.trainee(with_login=False))
    organizer = factories.user("organizer")
    rollcall.attendance_set(
        activity=lecture, enrollment=trainee.enrollments.get(), status="leave", user=organizer
    )

    created = rollcall.mark_remaining_present(activity=lecture, user=organizer)
    counts = rollcall_selectors.counts(lecture)

    assert created == 3
    assert (counts.expected, counts.attended, counts.leave, counts.absent) == (4, 3, 1, 0)


def test_full_width_digits_typed_on_a_phone_are_read(lecture, trainee):
    moment = start_of(lecture)
    code = code_at(lecture, moment).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})

    record = attempt(lecture, trainee, moment, code=code)

    assert record.status == "present"


def test_with_no_grace_45_seconds_after_the_start_is_one_minute_late(program, lecture, trainee):
    program.late_grace_minutes = 0
    program.save()
    lecture.refresh_from_db()

    record = attempt(lecture, trainee, start_of(lecture) + timedelta(seconds=45))

    assert (record.status, record.minutes_late) == ("late", 1)


def test_mark_all_remaining_present_keeps_approved_leave(program, lecture, trainee):
    organizer = factories.user("organizer")
    leave = leave_services.leave_request(
        enrollment=trainee.enrollments.get(),
        starts_at=lecture.starts_at,
        ends_at=lecture.ends_at,
        reason="病假",
    )
    leave_services.leave_decide(leave=leave, approve=True, user=organizer)

    rollcall.mark_remaining_present(activity=lecture, user=organizer)

    assert Attendance.objects.get().status == "leave"


def test_a_leave_is_decided_once(program, lecture, trainee):
    organizer = factories.user("organizer")
    leave = leave_services.leave_request(
        enrollment=trainee.enrollments.get(),
        starts_at=lecture.starts_at,
        ends_at=lecture.ends_at,
        reason="病假",
    )
    leave_services.leave_decide(leave=leave, approve=True, user=organizer)

    with pytest.raises(ValueError, match="已审批"):
        leave_services.leave_decide(leave=leave, approve=False, user=organizer)


def test_marked_absent_then_checked_in_late_becomes_late(program, lecture, trainee):
    rollcall.attendance_set(
        activity=lecture,
        enrollment=trainee.enrollments.get(),
        status="absent",
        user=factories.user("organizer"),
    )

    record = attempt(lecture, trainee, start_of(lecture) + timedelta(minutes=20))

    assert (record.status, record.minutes_late) == ("late", 20)


def test_late_entered_after_the_class_counts_no_more_than_the_class(program, lecture, trainee):
    organizer = factories.user("organizer")
    rollcall.attendance_set(
        activity=lecture, enrollment=trainee.enrollments.get(), status="late", user=organizer
    )

    assert Attendance.objects.get().minutes_late <= 90


def test_check_out_at_the_end_and_missing_check_out_is_left_early(program, trainee):
    lecture = activity(program, start="14:30", end="16:00", title="签退课", checkout_required=True)
    other = factories.trainee()
    factories.enrollment(program, other)
    attempt(lecture, trainee, start_of(lecture))
    attempt(lecture, other, start_of(lecture))
    end = lecture.ends_at

    check_in(
        code=code_for(lecture, step_of(end + timedelta(minutes=2)), "out"),
        user=trainee.user,
        device="a",
        now=end + timedelta(minutes=2),
        purpose="out",
    )
    rollcall.activity_close(activity=lecture, now=end + timedelta(minutes=20))

    statuses = dict(Attendance.objects.values_list("enrollment__trainee_id", "status"))
    assert statuses == {trainee.pk: "present", other.pk: "left_early"}


NOT_A_CODE = "This code is not the code of a current activity of yours: check the screen."


def wrong_code(lecture, moment):
    """A code that is neither this moment's nor a recent one (which would be "expired")."""
    taken = {code_for(lecture, step_of(moment) + back) for back in range(-11, 3)}
    return next(code for code in (f"{n:06d}" for n in range(100)) if code not in taken)


def refusal(lecture, trainee, moment, code=None):
    """The message of a refused check-in, in English (the msgids)."""
    with translation.override("en"), pytest.raises(CheckInRefused) as refused:
        attempt(lecture, trainee, moment, code=code)
    return str(refused.value)


def test_ten_wrong_codes_make_the_trainee_wait_then_the_right_code_works(
    lecture, trainee, settings
):
    settings.CHECKIN_WRONG_CODES_LIMIT = 10
    settings.CHECKIN_WRONG_CODES_WINDOW = timedelta(minutes=5)
    moment = start_of(lecture) - timedelta(minutes=5)
    wrong = wrong_code(lecture, moment)

    answers = [refusal(lecture, trainee, moment, code=wrong) for _ in range(10)]
    waiting = refusal(lecture, trainee, moment + timedelta(minutes=1))  # even the right code
    record = attempt(lecture, trainee, moment + timedelta(minutes=5, seconds=1))

    assert answers == [NOT_A_CODE] * 9 + ["Too many wrong codes: try again in 5 minutes."]
    assert waiting == "Too many wrong codes: try again in 4 minutes."
    assert record.status == "present"
    assert Attendance.objects.count() == 1


def test_wrong_codes_of_one_trainee_do_not_make_another_wait(program, lecture, trainee):
    neighbour = factories.trainee()
    factories.enrollment(program, neighbour, group=program.groups.get(number=1))
    moment = start_of(lecture)
    for _ in range(30):
        refusal(lecture, neighbour, moment, code=wrong_code(lecture, moment))

    record = attempt(lecture, trainee, moment)

    assert record.status == "present"


def test_expired_codes_are_not_counted_as_wrong(lecture, trainee, settings):
    settings.CHECKIN_WRONG_CODES_LIMIT = 3
    step_start = start_of(lecture) - timedelta(minutes=5)  # 08:25:00, a step boundary
    later = step_start + timedelta(seconds=15)
    previous = code_at(lecture, step_start - timedelta(seconds=1))  # a slow phone's code
    answers = [refusal(lecture, trainee, later, code=previous) for _ in range(5)]

    record = attempt(lecture, trainee, later)

    assert answers == ["This code has expired: type the code on the screen now."] * 5
    assert record.status == "present"


def test_a_right_check_in_reads_the_cache_once_and_writes_nothing(lecture, trainee, monkeypatch):
    calls = []
    backend = caches["default"]
    for name in ("get", "get_many", "set", "add", "incr", "delete", "delete_many", "touch"):
        real = getattr(backend, name)
        monkeypatch.setattr(
            backend, name, lambda *a, _n=name, _real=real, **k: calls.append(_n) or _real(*a, **k)
        )

    attempt(lecture, trainee, start_of(lecture))

    # The throttle reads at most once; the dashboards' summary of the program is marked for a
    # refresh with one cache.add (reports.summaries.programs_mark), and nothing else.
    assert [c for c in calls if c != "add"] in ([], ["get"])
    assert calls.count("add") == 1


def test_a_check_in_keeps_its_record_and_the_change_that_made_it(lecture, trainee):
    """The record and its change, written in one statement on PostgreSQL (record_insert) and
    by the ORM elsewhere: the same rows either way."""
    moment = start_of(lecture) + timedelta(minutes=12)  # late
    attempt(lecture, trainee, moment, device="phone-a")

    record = Attendance.objects.get()
    [change] = record.history.all()
    assert (record.activity, record.enrollment.trainee, record.status) == (lecture, trainee, "late")
    assert record.minutes_late > 0
    assert (record.method, record.device, record.checked_in_at) == ("code", "phone-a", moment)
    assert record.marked_by == trainee.user
    assert (change.old_status, change.new_status, change.reason) == ("", "late", "code")
    assert (change.old_minutes_late, change.new_minutes_late) == (0, record.minutes_late)
    assert change.changed_by == record.marked_by
