"""The roll-call sheet at a course's size: one section per group with its counts, leave shown
before anything is marked, the search box, and what "mark all remaining present" asks."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions.models import Activity, Attendance, LeaveRequest
from sessions.selectors import rollcall as rollcall_selectors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(organizer):
    today = timezone.localdate()
    program = factories.program(
        organizers=[organizer],
        code="ZK2020",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=3),
    )
    for number in range(1, 9):
        factories.group(program, number=number)
    return program


@pytest.fixture
def lecture(program):
    """A lecture of the whole class that starts in five minutes: roll call not taken yet."""
    start = timezone.now() + timedelta(minutes=5)
    return Activity.objects.create(
        program=program,
        kind="lecture",
        title="执法规范化建设",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


def enroll(program, count, start=0):
    """`count` trainees spread over the program's 8 groups, police IDs in order."""
    groups = list(program.groups.order_by("number"))
    return [
        factories.enrollment(
            program,
            factories.trainee(police_id=f"{500000 + n}", name=f"学员{n}", with_login=False),
            group=groups[n % len(groups)],
        )
        for n in range(start, start + count)
    ]


def leave(enrollment, activity, status):
    return LeaveRequest.objects.create(
        enrollment=enrollment,
        starts_at=activity.starts_at - timedelta(hours=1),
        ends_at=activity.ends_at,
        reason="家中有事",
        status=status,
    )


def sheet_url(activity):
    return f"/timetable/programs/ZK2020/roll-call/{activity.pk}/"


def row_of(page, enrollment):
    """The <tr> of one trainee on the sheet's HTML."""
    match = re.search(rf'<tr id="row-{enrollment.pk}"[^>]*>.*?</tr>', page, re.S)
    assert match, f"no row for enrollment {enrollment.pk}"
    return match.group(0)


def test_sheet_has_one_section_per_group_in_order_with_its_counts(
    client, organizer, program, lecture
):
    enrollments = enroll(program, 16)  # two per group
    ungrouped = factories.enrollment(program, factories.trainee(with_login=False))
    first, second = enrollments[0], enrollments[8]  # both in group 1
    Attendance.objects.create(activity=lecture, enrollment=first, status="late", minutes_late=3)
    leave(second, lecture, LeaveRequest.Status.APPROVED)
    client.force_login(organizer)

    page = client.get(sheet_url(lecture)).content.decode()

    ids = re.findall(r'<section class="rollcall-group[^"]*" id="([^"]+)"', page)
    assert ids == [f"rollcall-group-{n}" for n in range(1, 9)] + ["rollcall-group-none"]
    group_1 = page[page.index('id="rollcall-group-1"') : page.index('id="rollcall-group-2"')]
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', group_1))
    assert counts == {"attended": "1", "expected": "2", "leave": "1", "unmarked": "0"}
    assert f'id="row-{ungrouped.pk}"' in page[page.index('id="rollcall-group-none"') :]


def test_sheet_shows_approved_and_pending_leave_before_marking_and_writes_nothing(
    client, organizer, program, lecture
):
    approved, pending, rejected, plain = enroll(program, 4)
    leave(approved, lecture, LeaveRequest.Status.APPROVED)
    leave(pending, lecture, LeaveRequest.Status.PENDING)
    leave(rejected, lecture, LeaveRequest.Status.REJECTED)
    client.force_login(organizer)

    page = client.get(sheet_url(lecture)).content.decode()

    assert 'data-leave="approved"' in row_of(page, approved)
    assert "rollcall-preselected" in row_of(page, approved)  # 请假 stands ready, dashed
    assert 'data-leave="pending"' in row_of(page, pending)
    assert "rollcall-preselected" not in row_of(page, pending)
    assert 'data-leave=""' in row_of(page, rejected)
    assert 'data-leave=""' in row_of(page, plain)
    assert Attendance.objects.count() == 0


def test_counts_take_approved_leave_as_leave_before_it_is_recorded(program, lecture):
    ahead, recorded, pending, present, _unmarked = enroll(program, 5)
    leave(ahead, lecture, LeaveRequest.Status.APPROVED)
    leave(recorded, lecture, LeaveRequest.Status.APPROVED)
    Attendance.objects.create(activity=lecture, enrollment=recorded, status="leave")
    leave(pending, lecture, LeaveRequest.Status.PENDING)
    Attendance.objects.create(activity=lecture, enrollment=present, status="present")

    counts = rollcall_selectors.counts(lecture)

    assert (counts.expected, counts.attended, counts.leave, counts.on_leave, counts.unmarked) == (
        5,
        1,
        1,
        2,
        2,
    )


def test_a_tap_on_a_trainee_with_approved_leave_keeps_the_badge(
    client, organizer, program, lecture
):
    (enrollment,) = enroll(program, 1)
    leave(enrollment, lecture, LeaveRequest.Status.APPROVED)
    client.force_login(organizer)

    row = client.post(
        f"{sheet_url(lecture)}mark/{enrollment.pk}/", {"status": "present"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'data-status="present"' in row
    assert 'data-leave="approved"' in row
    assert "rollcall-preselected" not in row


def test_mark_all_remaining_present_asks_with_how_many_it_will_mark(
    client, organizer, program, lecture
):
    enrollments = enroll(program, 20)
    for enrollment in enrollments[:2]:
        leave(enrollment, lecture, LeaveRequest.Status.APPROVED)
    leave(enrollments[2], lecture, LeaveRequest.Status.PENDING)  # pending: marked present
    Attendance.objects.create(activity=lecture, enrollment=enrollments[3], status="absent")
    client.force_login(organizer)

    page = client.get(sheet_url(lecture)).content.decode()

    form = re.search(r'<form[^>]*id="rollcall-all-present"[^>]*>', page).group(0)
    question = re.search(r'data-confirm="([^"]*)"', form).group(1)
    assert [int(n) for n in re.findall(r"\d+", question)] == [17, 2]
    assert "js/confirm.js" in page


def test_sheet_has_the_search_box_and_its_script(client, organizer, program, lecture):
    enroll(program, 3)
    client.force_login(organizer)

    page = client.get(sheet_url(lecture)).content.decode()

    assert 'id="rollcall-search"' in page
    assert "js/rollcall.js" in page
    assert 'data-search="学员0 500000"' in page
    assert "<script>" not in page  # the Content-Security-Policy forbids inline scripts


def test_sheet_query_count_is_the_same_at_20_and_220_trainees_in_8_groups(
    client, organizer, program, lecture, django_assert_num_queries
):
    def some_marked_and_some_on_leave(enrollments):
        for enrollment in enrollments[::5]:
            Attendance.objects.create(activity=lecture, enrollment=enrollment, status="present")
        for enrollment in enrollments[1::7]:
            leave(enrollment, lecture, LeaveRequest.Status.APPROVED)
        for enrollment in enrollments[2::9]:
            leave(enrollment, lecture, LeaveRequest.Status.PENDING)

    client.force_login(organizer)
    some_marked_and_some_on_leave(enroll(program, 20))
    client.get(sheet_url(lecture))  # the first request of a session pays for its caches
    with CaptureQueriesContext(connection) as small:
        client.get(sheet_url(lecture))
    some_marked_and_some_on_leave(enroll(program, 200, start=20))

    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(sheet_url(lecture))

    assert page.content.decode().count('class="rollcall-row"') == 220
