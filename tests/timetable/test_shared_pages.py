"""My day and the whole timetable are rendered once per group and state of the day
(trainees.pages), each trainee's own values put in at each request: what one trainee sees is
never another's, and the page is the one a plain render gives."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from completion.models import ProgramClosing
from completion.rules import closing_of
from sessions.models import Attendance, LeaveRequest
from sessions.selectors.timetable import current_enrollments, my_enrollment
from sessions.services import timetable
from tests import factories
from tests.timetable.factories import activity
from trainees import pages
from trainees.models import Enrollment

pytestmark = pytest.mark.django_db

MY_DAY, WHOLE = "/timetable/my-day/", "/timetable/programs/CZ2023/mine/"


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
def lectures(program):
    now = timezone.localtime()
    ended = activity(program, day=now.date(), start="00:00", end="00:01", title="已结束的讲座")
    later = activity(program, day=now.date(), start="23:58", end="23:59", title="晚上的讲座")
    timetable.timetable_publish(program=program)
    return ended, later


@pytest.fixture
def first(program):
    trainee = factories.trainee(name="张<b>三</b>")
    return factories.enrollment(program, trainee, group=program.groups.get(number=1))


@pytest.fixture
def second(program):
    trainee = factories.trainee(name="李四")
    return factories.enrollment(program, trainee, group=program.groups.get(number=1))


def page(enrollment, url=MY_DAY):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrollment.trainee.user)
    response = client.get(url)
    assert response.status_code == 200
    return client, response.content.decode()


def states(html):
    return re.findall(r'data-state="([a-z-]+)"', html)


def test_each_trainee_sees_their_own_on_the_page_of_their_group(first, second, lectures):
    ended, later = lectures
    Attendance.objects.create(activity=ended, enrollment=first, status="late", minutes_late=1)
    LeaveRequest.objects.create(
        enrollment=second,
        starts_at=later.starts_at,
        ends_at=later.ends_at,
        status=LeaveRequest.Status.APPROVED,
    )

    _client, mine = page(first)
    client, theirs = page(second)  # from the page the first rendered

    assert "张&lt;b&gt;三&lt;/b&gt;" in mine and "<b>三</b>" not in mine
    assert "李四" in theirs and "三" not in theirs
    assert states(mine) == ["late"] and states(theirs) == ["leave-approved"]
    assert second.trainee.unit.name in theirs
    # Its CSRF token is its own: signing out with it works.
    [token] = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', theirs))
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_page_with_its_values_put_in_is_the_plain_page(first, second, lectures, settings):
    ended, _later = lectures
    Attendance.objects.create(activity=ended, enrollment=first, status="present")
    for url in (MY_DAY, WHOLE):
        page(second, url)  # renders the group's page
        _client, filled = page(first, url)
        settings.SHARED_PAGES = False  # a plain render
        pages.SHARED.clear()
        _client, plain = page(first, url)
        assert not pages.SHARED.pages  # rendered for this request alone
        settings.SHARED_PAGES = True

        def tokens_out(html):
            html = re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', html)
            return re.sub(r'"X-CSRFToken": "[A-Za-z0-9]{64}"', '"X-CSRFToken": "TOKEN"', html)

        assert tokens_out(filled) == tokens_out(plain)
        assert "\x00" not in filled


def test_what_the_page_shows_of_the_program_shows_at_once(first, lectures, program):
    page(first)
    program.title = "改了名的培训班"
    program.save()

    assert "改了名的培训班" in page(first)[1]
    assert "改了名的培训班" in page(first, WHOLE)[1]


def test_a_material_added_shows_on_the_whole_timetable_at_once(first, lectures, program):
    from sessions.models import Material

    page(first, WHOLE)
    Material.objects.create(program=program, title="讲义一", file="materials/a.pdf")

    assert "讲义一" in page(first, WHOLE)[1]


def test_an_organizers_navbar_is_not_a_trainees(first, lectures, organizer, client):
    _client, trainee_page = page(first)
    client.force_login(organizer)
    organizer_page = client.get("/", follow=True).content.decode()

    assert 'data-nav="my-day"' in trainee_page and 'data-nav="my-day"' not in organizer_page
    assert 'data-nav="bank"' in organizer_page and 'data-nav="bank"' not in trainee_page


def fields(instance):
    return model_to_dict(instance, fields=[f.name for f in instance._meta.concrete_fields])


def test_the_rows_read_with_sql_are_the_orms_instances(first, lectures, program):
    ProgramClosing.objects.create(program=program, counted_kinds=["lecture"], hour_minutes=40)
    [enrollment] = current_enrollments(first.trainee.user, timezone.localdate())
    orm = Enrollment.objects.select_related(
        "program__timetable_version", "group", "trainee__unit"
    ).get(pk=first.pk)

    for mine, theirs in [
        (enrollment, orm),
        (enrollment.program, orm.program),
        (enrollment.program.timetable_version, orm.program.timetable_version),
        (enrollment.group, orm.group),
        (enrollment.trainee, orm.trainee),
        (enrollment.trainee.unit, orm.trainee.unit),
    ]:
        assert fields(mine) == fields(theirs)
        assert not mine._state.adding
    assert fields(my_enrollment(first.trainee.user, "CZ2023")) == fields(orm)
    assert my_enrollment(first.trainee.user, "NOPE") is None
    closing = closing_of(program)
    assert closing.counted_kinds == ["lecture"] and closing.hour_minutes == 40


@pytest.mark.usefixtures("lectures")
def test_a_message_is_shown_once_on_the_page_of_the_group(first, second):
    client, _page = page(second)
    client.force_login(first.trainee.user)
    storage = CookieStorage(RequestFactory().get(MY_DAY))
    response = HttpResponse()
    storage.add(25, "已签到：晚上的讲座。")
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value

    shown = client.get(MY_DAY).content.decode()
    again = client.get(MY_DAY).content.decode()

    assert shown.count("已签到：晚上的讲座。") == 1 and "alert-success" in shown
    assert "已签到：晚上的讲座。" not in again
    assert "\x00" not in shown and "\x00" not in again


def test_the_state_read_with_the_enrollment_is_my_states(first, second, program, organizer):
    """my day and the whole timetable read the trainee's records and leave with the
    enrollment (a superset: every record of the day, or of the program, and every leave over
    it); with_records makes of it what it makes of my_state's answer for the activities."""
    from sessions.selectors.timetable import group_timetable, with_records

    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    group = program.groups.get(number=1)
    other = factories.group(program, number=2)
    held = [
        activity(program, day=yesterday, start="08:30", end="10:00", title="昨天的讲座"),
        activity(program, day=today, start="08:30", end="10:00", title="上午的讲座"),
        activity(program, day=today, start="10:15", end="11:45", title="案例"),
        activity(program, day=today, start="14:30", end="16:00", title="下午的讲座"),
        activity(program, day=today, start="19:00", end="21:00", title="讨论", group=group),
    ]
    theirs = activity(program, day=today, start="19:00", end="21:00", title="二组", group=other)
    timetable.timetable_publish(program=program)
    Status = Attendance.Status
    for where, status, late in [
        (held[0], Status.PRESENT, 0),
        (held[1], Status.LATE, 12),
        (held[2], Status.ABSENT, 0),
        (theirs, Status.PRESENT, 0),  # a record of another group's activity
    ]:
        Attendance.objects.create(
            activity=where, enrollment=first, status=status, minutes_late=late
        )
    Attendance.objects.create(activity=held[1], enrollment=second, status=Status.PRESENT)
    at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for starts, ends, status in [
        (at, at + timedelta(hours=2), LeaveRequest.Status.PENDING),  # the case study
        (at + timedelta(hours=4), at + timedelta(hours=7), LeaveRequest.Status.APPROVED),
        (at + timedelta(hours=4), at + timedelta(hours=5), LeaveRequest.Status.REJECTED),
        (at - timedelta(days=1), at - timedelta(hours=20), LeaveRequest.Status.APPROVED),
    ]:
        LeaveRequest.objects.create(
            enrollment=first, starts_at=starts, ends_at=ends, status=status, reason="事"
        )

    def seen(activities):
        return [
            (a.pk, a.my_status, a.my_minutes_late, a.my_leave, [b.state for b in a.badges])
            for a in activities
        ]

    plain = Enrollment.objects.get(pk=first.pk)
    everything = list(group_timetable(program, group.pk).activities)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    todays = [a for a in everything if start <= a.starts_at < end]
    for day, activities in [(today, todays), (yesterday, everything[:1])]:
        [read] = current_enrollments(first.trainee.user, day, state=True)
        assert read.state_read is not None
        assert seen(with_records(fresh(activities), read)) == seen(
            with_records(fresh(activities), plain)
        )
    whole = my_enrollment(first.trainee.user, "CZ2023")
    assert seen(with_records(fresh(everything), whole)) == seen(
        with_records(fresh(everything), plain)
    )
    assert "late" in str(seen(with_records(fresh(everything), whole)))
    assert "leave-pending" in str(seen(with_records(fresh(everything), whole)))
    [nothing] = current_enrollments(second.trainee.user, today - timedelta(days=1), state=True)
    assert nothing.state_read == ({}, [])


def fresh(activities):
    """Copies, as the view gets them: with_records writes the trainee's state on each."""
    from sessions.selectors.timetable import fresh as copy

    return [copy(a) for a in activities]
