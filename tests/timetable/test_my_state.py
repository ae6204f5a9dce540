"""The trainee sees their own state: on my day's cards (已签到, 迟到, 早退, 缺勤, 请假), the
timetable only once it is published, and a calendar page to subscribe, download or copy."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from icalendar import Calendar

from sessions.models import Attendance, LeaveRequest, Material
from sessions.services import timetable
from tests import factories
from tests.timetable.factories import activity, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(organizer):
    today = timezone.localdate()
    program = factories.program(
        organizers=[organizer],
        code="CZ2023",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    factories.group(program, number=1)
    return program


@pytest.fixture
def published(program):
    return timetable.timetable_publish(program=program)


@pytest.fixture
def enrollment(program):
    return factories.enrollment(program, factories.trainee(), group=program.groups.get(number=1))


def today(program, start, end, title):
    """A whole-class activity of today."""
    return activity(program, day=timezone.localdate(), start=start, end=end, title=title)


def attendance(activity_, enrollment, status, **fields):
    return Attendance.objects.create(
        activity=activity_, enrollment=enrollment, status=status, **fields
    )


def leave(enrollment, activity_, status):
    return LeaveRequest.objects.create(
        enrollment=enrollment,
        starts_at=activity_.starts_at,
        ends_at=activity_.ends_at,
        reason="所里有警情",
        status=status,
    )


def cards(response):
    """{title: [badge states]} of the first program on my day."""
    return {
        activity_.title: [badge.state for badge in activity_.badges]
        for activity_ in response.context["days"][0]["activities"]
    }


def labels(response, title):
    activity_ = next(a for a in response.context["days"][0]["activities"] if a.title == title)
    return [badge.label for badge in activity_.badges]


def test_my_day_cards_say_checked_in_with_the_time_late_left_early_and_absent(
    client, program, published, enrollment
):
    day = timezone.localdate()
    checked_in = today(program, "08:30", "09:00", "签到")
    late = today(program, "09:10", "10:00", "迟到")
    left = today(program, "10:10", "11:00", "早退")
    absent = today(program, "14:00", "15:00", "缺勤")
    today(program, "19:00", "21:00", "未到")
    attendance(checked_in, enrollment, "present", checked_in_at=at(day, "08:27"))
    attendance(late, enrollment, "late", minutes_late=12, checked_in_at=at(day, "09:22"))
    attendance(left, enrollment, "left_early")
    attendance(absent, enrollment, "absent", method="auto")
    client.force_login(enrollment.trainee.user)

    response = client.get("/timetable/my-day/")

    assert cards(response) == {
        "签到": ["checked-in"],
        "迟到": ["late"],
        "早退": ["left-early"],
        "缺勤": ["absent"],
        "未到": [],
    }
    assert "08:27" in labels(response, "签到")[0]
    assert "12" in labels(response, "迟到")[0]
    page = response.content.decode()
    assert page.count('class="badge card-state') == 4
    assert 'data-state="checked-in"' in page


def test_my_day_cards_show_leave_asked_and_approved(client, program, published, enrollment):
    asked = today(program, "08:30", "09:00", "待审批")
    approved = today(program, "09:10", "10:00", "已批准")
    marked = today(program, "10:10", "11:00", "记为请假")
    missed = today(program, "14:00", "15:00", "缺勤后请假")
    refused = today(program, "19:00", "21:00", "未批准")
    leave(enrollment, asked, LeaveRequest.Status.PENDING)
    leave(enrollment, approved, LeaveRequest.Status.APPROVED)
    leave(enrollment, approved, LeaveRequest.Status.PENDING)  # approved wins
    attendance(marked, enrollment, "leave")
    attendance(missed, enrollment, "absent")
    leave(enrollment, missed, LeaveRequest.Status.PENDING)
    leave(enrollment, refused, LeaveRequest.Status.REJECTED)
    client.force_login(enrollment.trainee.user)

    response = client.get("/timetable/my-day/")

    assert cards(response) == {
        "待审批": ["leave-pending"],
        "已批准": ["leave-approved"],
        "记为请假": ["leave-approved"],
        "缺勤后请假": ["absent", "leave-pending"],
        "未批准": [],
    }


def test_a_card_shows_my_state_not_a_classmates(client, program, published, enrollment):
    lecture = today(program, "08:30", "10:00", "专题辅导")
    classmate = factories.enrollment(program, group=program.groups.get(number=1))
    attendance(lecture, classmate, "late", minutes_late=5)
    leave(classmate, lecture, LeaveRequest.Status.PENDING)
    client.force_login(enrollment.trainee.user)

    response = client.get("/timetable/my-day/")

    assert cards(response) == {"专题辅导": []}


def test_the_whole_timetable_shows_leave_on_the_cards_it_covers(
    client, program, published, enrollment
):
    tomorrow = activity(
        program, day=timezone.localdate() + timedelta(days=1), title="所长论坛", start="08:30"
    )
    leave(enrollment, tomorrow, LeaveRequest.Status.PENDING)
    client.force_login(enrollment.trainee.user)

    response = client.get("/timetable/programs/CZ2023/mine/")

    assert re.findall(r'data-state="([a-z-]+)"', response.content.decode()) == ["leave-pending"]


def test_an_unpublished_timetable_is_hidden_from_trainees_and_feeds_until_published(
    client, organizer, program, enrollment
):
    today(program, "08:30", "10:00", "聚焦派出所主防")
    tied = today(program, "14:00", "15:00", "案例解析")
    Material.objects.create(
        program=program, activity=tied, title="案例汇编", file=ContentFile(b"x", "a.pdf")
    )
    personal = timetable.calendar_feed_for(program=program, enrollment=enrollment)
    everyone = timetable.calendar_feed_for(program=program)

    def seen():
        client.force_login(enrollment.trainee.user)
        pages = [client.get("/timetable/my-day/"), client.get("/timetable/programs/CZ2023/mine/")]
        feeds = [
            Calendar.from_ical(client.get(f"/timetable/feeds/{feed.token}.ics").content)
            for feed in (personal, everyone)
        ]
        return (
            [response.status_code for response in pages],
            ["聚焦派出所主防" in response.content.decode() for response in pages],
            ["案例" in response.content.decode() for response in pages],
            ["timetable-unpublished" in response.content.decode() for response in pages],
            [len(feed.walk("VEVENT")) for feed in feeds],
        )

    before = seen()
    client.force_login(organizer)
    week = client.get("/timetable/programs/CZ2023/week/").content.decode()
    timetable.timetable_publish(program=program)
    after = seen()

    assert before == ([200, 200], [False, False], [False, False], [True, True], [0, 0])
    assert "聚焦派出所主防" in week  # the organizers draft it
    assert after == ([200, 200], [True, True], [True, True], [False, False], [2, 2])


def test_calendar_page_offers_subscribe_download_and_copy(client, program, published, enrollment):
    feed = timetable.calendar_feed_for(program=program, enrollment=enrollment)
    client.force_login(enrollment.trainee.user)

    page = client.get("/timetable/programs/CZ2023/mine/").content.decode()
    download = client.get(f"/timetable/feeds/{feed.token}.ics?download=1")
    subscribed = client.get(f"/timetable/feeds/{feed.token}.ics")

    path = f"/timetable/feeds/{feed.token}.ics"
    assert f'id="calendar-subscribe" href="webcal://testserver{path}"' in page
    assert f'id="calendar-download" href="http://testserver{path}?download=1" download' in page
    assert f'id="calendar-address" readonly value="http://testserver{path}"' in page
    assert 'id="calendar-copy"' in page and 'data-copy-target="calendar-address"' in page
    assert '<script src="/static/js/copy.js"></script>' in page
    assert download["Content-Disposition"] == 'attachment; filename="CZ2023.ics"'
    assert subscribed["Content-Disposition"] == 'inline; filename="CZ2023.ics"'
