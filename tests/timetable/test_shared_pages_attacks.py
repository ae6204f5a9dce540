"""Attacks on the pages rendered once per group (trainees.pages): what one trainee could see of
another's, a stale page after a change, markup through a hole or a marker, and a filled page
that differs from a plain render. A test that passes documents an attack that fails."""

import difflib
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from sessions.models import CalendarFeed, LeaveRequest
from sessions.services import timetable
from tests import factories
from tests.timetable import test_shared_pages as shared
from tests.timetable.factories import activity, speaker
from tests.timetable.test_shared_pages import MY_DAY, WHOLE, page, states
from trainees import pages

pytestmark = pytest.mark.django_db

# The fixtures of the pages' own tests: a program of today with group 1, its two lectures
# (one over, one to come, published), and two trainees of group 1.
program, lectures, first, second = shared.program, shared.lectures, shared.first, shared.second

SQLITE_ONLY = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL refuses a NUL in text"
)


def tokens_out(html):
    html = re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', html)
    return re.sub(r'"X-CSRFToken": "[A-Za-z0-9]{64}"', '"X-CSRFToken": "TOKEN"', html)


def same(filled, plain):
    """Assert the two pages are equal, showing the lines that differ."""
    diff = difflib.unified_diff(plain.splitlines(), filled.splitlines(), "plain", "filled", n=0)
    assert filled == plain, "\n".join(repr(line) for line in diff)


def filled_and_plain(enrollment, url, settings, warm_with=None):
    """The page filled from the group's shared page (rendered first for `warm_with`, else
    for `enrollment`), and the plain render, CSRF tokens taken out."""
    pages.SHARED.clear()
    page(warm_with or enrollment, url)
    filled = page(enrollment, url)[1]
    settings.SHARED_PAGES = False
    try:
        plain = page(enrollment, url)[1]
    finally:
        settings.SHARED_PAGES = True
    return tokens_out(filled), tokens_out(plain)


# What one trainee could see of another's ---------------------------------------------------


def test_nothing_of_the_first_reader_is_left_on_the_second_readers_page(first, second, lectures):
    _ended, later = lectures
    first.trainee.unit.name = "甲派出所"
    first.trainee.unit.save()
    LeaveRequest.objects.create(
        enrollment=first,
        starts_at=later.starts_at,
        ends_at=later.ends_at,
        status=LeaveRequest.Status.PENDING,
        reason="家中有事",
    )
    for url in (MY_DAY, WHOLE):
        _client1, mine = page(first, url)
        _client2, theirs = page(second, url)
        for leaked in ("张", "甲派出所", "leave-pending", "家中有事"):
            assert leaked not in theirs, (url, leaked)
        tokens1 = set(re.findall(r"[A-Za-z0-9]{64}", mine))
        assert tokens1 and not tokens1 & set(re.findall(r"[A-Za-z0-9]{64}", theirs))
    feeds = {f.enrollment_id: f.token for f in CalendarFeed.objects.all()}
    _c, theirs = page(second, WHOLE)
    assert feeds[second.pk] in theirs and feeds[first.pk] not in theirs


def test_a_trainee_in_two_running_programs_and_one_in_one(first, second, lectures, program):
    other = factories.program(
        code="ZK2023", start_date=program.start_date, end_date=program.end_date
    )
    activity(other, day=timezone.localdate(), start="23:00", end="23:30", title="第二个班的课")
    timetable.timetable_publish(program=other)
    factories.enrollment(other, first.trainee)

    _c, both = page(first)
    _c, one = page(second)

    assert "第二个班的课" in both and "第二个班的课" not in one
    assert "张" not in one and "李四" in one


def test_a_trainee_without_a_group_does_not_get_the_groups_page(first, program):
    grouped = activity(program, day=timezone.localdate(), title="一组的讨论", group=first.group)
    timetable.timetable_publish(program=program)
    loner = factories.enrollment(program, factories.trainee(name="王五"))
    page(first)

    _c, html = page(loner)

    assert grouped.title in page(first)[1] and grouped.title not in html


def test_an_organizer_who_is_also_a_trainee_has_their_own_navbar(first, second, lectures):
    first.trainee.user.groups.add(
        *factories.user("organizer").groups.all()  # the organizer's auth group
    )
    _c, trainee_page = page(second)
    _c, organizer_page = page(first)
    _c, trainee_again = page(second)

    assert 'data-nav="programs"' in organizer_page
    assert 'data-nav="programs"' not in trainee_page + trainee_again


def test_a_program_code_made_of_sql_is_not_found(first, lectures):
    client = Client()
    client.force_login(first.trainee.user)
    for code in ("CZ2023' OR '1'='1", "x' UNION SELECT 1 --", "CZ2023%27--"):
        assert client.get(f"/timetable/programs/{code}/mine/").status_code == 404


# A stale page after a change -----------------------------------------------------------------


def test_a_group_move_shows_the_new_groups_timetable_at_once(first, program):
    two = factories.group(program, number=2)
    activity(program, day=timezone.localdate(), title="一组的讨论", group=first.group)
    activity(program, day=timezone.localdate(), title="二组的讨论", group=two)
    timetable.timetable_publish(program=program)
    assert "一组的讨论" in page(first)[1]

    first.group = two
    first.save()

    html = page(first)[1]
    assert "二组的讨论" in html and "一组的讨论" not in html


def test_renames_and_leave_show_at_once(first, lectures, program):
    _ended, later = lectures
    page(first)
    page(first, WHOLE)
    first.trainee.name = "张改名"
    first.trainee.save()
    first.trainee.unit.name = "改名派出所"
    first.trainee.unit.save()
    first.group.name = "改名组"
    first.group.save()
    LeaveRequest.objects.create(
        enrollment=first,
        starts_at=later.starts_at,
        ends_at=later.ends_at,
        status=LeaveRequest.Status.APPROVED,
    )
    day = page(first)[1]
    whole = page(first, WHOLE)[1]
    assert "张改名" in day and "改名派出所" in day and "改名组" in day
    assert "leave-approved" in states(day) and "leave-approved" in states(whole)
    assert "改名组" in whole


def test_publication_and_a_change_show_at_once(first, program):
    today = timezone.localdate()
    lecture = activity(program, day=today, start="23:00", end="23:30", title="新课")
    assert "新课" not in page(first)[1]
    timetable.timetable_publish(program=program)
    assert "新课" in page(first)[1]
    lecture.title = "改过的课"
    lecture.save()
    assert "改过的课" in page(first)[1] and "改过的课" in page(first, WHOLE)[1]


def test_a_deleted_speaker_leaves_the_timetable_at_once(first, program):
    gone = speaker(name="将被删除的授课人")
    activity(program, day=timezone.localdate(), title="有授课人的课", speakers=[gone])
    timetable.timetable_publish(program=program)
    assert "将被删除的授课人" in page(first, WHOLE)[1]

    gone.delete()  # what the admin's delete does: no m2m_changed, no version raised

    assert "将被删除的授课人" not in page(first, WHOLE)[1]


def test_the_language_switch_shows_the_page_in_the_new_language(first, lectures):
    client, chinese = page(first)
    client.post("/i18n/setlang/", {"language": "en", "next": MY_DAY, "csrfmiddlewaretoken": ""})
    client.cookies["django_language"] = "en"
    english = client.get(MY_DAY).content.decode()
    assert 'lang="en"' in english and 'lang="zh-hans"' in chinese
    assert "My day" in english


def test_the_day_parameter_names_its_own_page(first, lectures, program):
    yesterday = program.start_date
    activity(program, day=yesterday, start="09:00", end="10:00", title="昨天的课")
    client, today_page = page(first)
    other = client.get(MY_DAY, {"day": yesterday.isoformat()}).content.decode()
    assert "昨天的课" in other and "昨天的课" not in today_page
    assert "昨天的课" not in client.get(MY_DAY).content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_at_the_end_of_the_calendar_is_not_a_server_error(first, lectures, day):
    client = Client(raise_request_exception=False)
    client.force_login(first.trainee.user)
    assert client.get(MY_DAY, {"day": day}).status_code in (200, 404)


# Markup or markers through a hole --------------------------------------------------------------


def test_a_query_string_with_markers_or_markup_stays_text(first, second, lectures):
    client, _html = page(first)
    for query in ("x=%00name%00", "x=\x00token\x00", 'x="><script>alert(1)</script>'):
        html = client.get(MY_DAY, QUERY_STRING=query).content.decode()
        assert "<script>alert" not in html and "\x00" not in html
        assert html.count(first.trainee.name.replace("<", "&lt;").replace(">", "&gt;")) == 2


def test_markup_in_every_value_of_a_hole_is_escaped(first, lectures, program):
    first.trainee.name = '"><img src=x onerror=alert(1)>'
    first.trainee.save()
    first.trainee.unit.name = "<script>alert(2)</script>"
    first.trainee.unit.save()
    for url in (MY_DAY, WHOLE):
        html = page(first, url)[1]
        assert "<img src=x" not in html and "<script>alert" not in html


def test_a_name_made_of_markers_is_shown_as_written(first, second, lectures):
    """The name is stored without NUL (the middleware and the imports drop it), but one
    stored before, or written in bulk, is filled in one pass: it is not filled again."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses a NUL in text")
    first.trainee.name = "\x00token\x00\x00messages\x00"
    first.trainee.save()
    page(second)
    html = page(first)[1]
    assert not re.search(r">\s*[A-Za-z0-9]{64}\s*<", html)


@SQLITE_ONLY
@pytest.mark.parametrize("title", ["讲座\x00", "\x00name\x00", "\x00states:1\x00"])
def test_a_title_with_a_nul_stored_before_is_the_plain_pages(
    first, second, program, title, settings
):
    """NUL in text already stored (before the middleware, or written in bulk: versions.py
    names such writes) pairs with the NULs of the markers: the fill then swallows markup."""
    today = timezone.localdate()
    activity(program, day=today, start="23:00", end="23:30", title=title)
    later = activity(program, day=today, start="23:40", end="23:50", title="之后的课")
    timetable.timetable_publish(program=program)
    LeaveRequest.objects.create(
        enrollment=first,
        starts_at=later.starts_at,
        ends_at=later.ends_at,
        status=LeaveRequest.Status.APPROVED,
    )
    filled, plain = filled_and_plain(first, MY_DAY, settings, warm_with=second)
    same(filled, plain)


# The filled page against a plain render ---------------------------------------------------------


def test_a_trainee_without_a_name_is_greeted_as_on_the_plain_page(first, lectures, settings):
    """The greeting's marker (\\x00name\\x00) is the navbar's too: the navbar's value (the
    account's name when the trainee has none) fills both."""
    first.trainee.name = ""
    first.trainee.save()
    filled, plain = filled_and_plain(first, MY_DAY, settings)
    same(filled, plain)


def test_two_programs_a_group_each_and_figures_are_the_plain_page(
    first, second, lectures, program, settings
):
    other = factories.program(
        code="ZK2023", start_date=program.start_date, end_date=program.end_date
    )
    factories.group(other, number=7, name="七组")
    activity(other, day=timezone.localdate(), start="23:00", end="23:30", title="第二个班的课")
    timetable.timetable_publish(program=other)
    factories.enrollment(other, first.trainee, group=other.groups.get())
    for url in (MY_DAY, WHOLE):
        filled, plain = filled_and_plain(first, url, settings)
        same(filled, plain)


def test_no_marker_is_left_on_either_page(first, second, lectures):
    for enrollment in (first, second, first):
        for url in (MY_DAY, WHOLE):
            assert "\x00" not in page(enrollment, url)[1]


def test_another_programs_whole_timetable_is_not_found(first, lectures):
    other = factories.program(code="ZK2099")
    activity(other, title="别的班的课")
    timetable.timetable_publish(program=other)
    client = Client()
    client.force_login(first.trainee.user)
    assert client.get("/timetable/programs/ZK2099/mine/").status_code == 404


def test_a_message_of_the_reader_who_made_the_page_is_not_the_next_readers(first, second, lectures):
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    client = Client()
    client.force_login(first.trainee.user)
    storage = CookieStorage(RequestFactory().get(MY_DAY))
    response = HttpResponse()
    storage.add(25, "张三的私信")
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "张三的私信" in client.get(MY_DAY).content.decode()  # renders the group's page

    assert "张三的私信" not in page(second)[1]
