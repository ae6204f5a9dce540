"""Approving leave tells the organizer what it covers: activities recorded as leave now, and
those whose roll call, not taken yet, will record it ("0 activities marked" read as if the leave
covered nothing). Messages are checked in English, the msgids, so that the test does not depend
on the translation being merged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Attendance, LeaveRequest
from sessions.services import leave as leave_services
from sessions.services import rollcall
from tests import factories
from tests.timetable.factories import activity, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(organizer):
    today = timezone.localdate()
    return factories.program(
        organizers=[organizer],
        code="ZK2021",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=3),
    )


@pytest.fixture
def enrollment(program):
    return factories.enrollment(program, factories.trainee(with_login=False))


def ask(enrollment, starts_at, ends_at):
    return LeaveRequest.objects.create(
        enrollment=enrollment, starts_at=starts_at, ends_at=ends_at, reason="家中有事"
    )


def approve(client, organizer, leave):
    """Approve through the leave list as the organizer does, in English; the message shown."""
    client.force_login(organizer)
    page = client.post(
        f"/timetable/programs/ZK2021/leave/{leave.pk}/",
        {"decision": "approve"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    return [str(message) for message in page.context["messages"]]


def test_approving_leave_over_begun_activities_says_they_are_marked(
    client, organizer, program, enrollment
):
    yesterday = program.start_date
    morning = activity(program, day=yesterday, start="08:30", end="10:00")
    afternoon = activity(program, day=yesterday, start="14:30", end="16:00")
    rollcall.activity_close(activity=morning)  # closed: absent, until the leave is approved
    leave = ask(enrollment, at(yesterday, "08:00"), at(yesterday, "17:00"))

    shown = approve(client, organizer, leave)

    assert shown == ["Leave approved: it covers 2 activities, marked as leave."]
    assert sorted(Attendance.objects.values_list("activity_id", "status")) == [
        (morning.pk, "leave"),
        (afternoon.pk, "leave"),
    ]


def test_approving_leave_over_activities_to_come_says_roll_call_will_mark_them(
    client, organizer, program, enrollment
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    for start, end in (("08:30", "10:00"), ("10:15", "11:45"), ("14:30", "16:00")):
        activity(program, day=tomorrow, start=start, end=end)
    activity(program, day=tomorrow, start="19:00", end="20:30")  # after the leave ends
    leave = ask(enrollment, at(tomorrow, "08:00"), at(tomorrow, "17:00"))

    shown = approve(client, organizer, leave)

    day = f"{tomorrow:%m-%d}"
    assert shown == [
        f"Leave approved ({day} 08:00–17:00); the 3 activities within it will be marked "
        "as leave at roll call."
    ]
    assert Attendance.objects.count() == 0  # nothing is written before roll call


def test_approving_leave_over_nothing_yet_says_so(client, organizer, program, enrollment):
    tomorrow = timezone.localdate() + timedelta(days=1)
    leave = ask(enrollment, at(tomorrow, "08:00"), at(tomorrow + timedelta(days=1), "12:00"))

    shown = approve(client, organizer, leave)

    day, next_day = f"{tomorrow:%m-%d}", f"{tomorrow + timedelta(days=1):%m-%d}"
    assert shown == [
        f"Leave approved ({day} 08:00–{next_day} 12:00); no activity falls within it yet."
    ]


def test_coverage_counts_marked_later_and_attended_apart(organizer, program, enrollment):
    yesterday, tomorrow = program.start_date, timezone.localdate() + timedelta(days=1)
    came = activity(program, day=yesterday, start="08:30", end="10:00")
    activity(program, day=yesterday, start="14:30", end="16:00")
    activity(program, day=tomorrow, start="08:30", end="10:00")
    Attendance.objects.create(activity=came, enrollment=enrollment, status="present")
    leave = ask(enrollment, at(yesterday, "08:00"), at(tomorrow, "12:00"))

    _leave, coverage = leave_services.leave_decide(leave=leave, approve=True, user=organizer)

    assert (coverage.marked, coverage.later, coverage.attended) == (1, 1, 1)
    assert Attendance.objects.get(activity=came).status == "present"


def test_approving_leave_with_marked_later_and_attended_says_each(
    client, organizer, program, enrollment
):
    yesterday, tomorrow = program.start_date, timezone.localdate() + timedelta(days=1)
    came = activity(program, day=yesterday, start="08:30", end="10:00")
    activity(program, day=yesterday, start="14:30", end="16:00")
    activity(program, day=tomorrow, start="08:30", end="10:00")
    activity(program, day=tomorrow, start="10:15", end="11:45")
    Attendance.objects.create(activity=came, enrollment=enrollment, status="present")
    leave = ask(enrollment, at(yesterday, "08:00"), at(tomorrow, "12:00"))

    shown = approve(client, organizer, leave)

    period = f"{yesterday:%m-%d} 08:00–{tomorrow:%m-%d} 12:00"
    assert shown == [
        f"Leave approved ({period}): it covers 3 activities; 1 marked as leave, the other 2 "
        "will be marked at roll call. The trainee attended 1 other activity within it: its "
        "record stays."
    ]
