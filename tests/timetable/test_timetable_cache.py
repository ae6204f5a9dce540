"""My day and the whole timetable read the group's timetable from a cache kept under the
program's timetable version (sessions.versions): whatever changes shows at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import LeaveRequest
from sessions.services import leave as leave_services
from sessions.services import timetable
from tests import factories
from tests.timetable.factories import activity, speaker

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
    factories.group(program, number=2)
    return program


@pytest.fixture
def enrollment(program):
    return factories.enrollment(program, factories.trainee(), group=program.groups.get(number=1))


@pytest.fixture
def lecture(program):
    return activity(program, day=timezone.localdate(), start="23:00", end="23:50", title="讲座")


def pages(client, enrollment):
    """(my day, the whole timetable) as the trainee sees them, each read twice: the second
    read is the cached one."""
    client.force_login(enrollment.trainee.user)
    for _ in range(2):
        day = client.get("/timetable/my-day/").content.decode()
        whole = client.get("/timetable/programs/CZ2023/mine/").content.decode()
    return day, whole


def test_publishing_shows_the_timetable_at_once(client, program, enrollment, lecture):
    before = pages(client, enrollment)

    timetable.timetable_publish(program=program)

    assert all("讲座" not in page for page in before)
    assert all("讲座" in page for page in pages(client, enrollment))


def test_a_change_of_an_activity_shows_at_once(client, program, enrollment, lecture, organizer):
    timetable.timetable_publish(program=program)
    pages(client, enrollment)

    lecture.title = "改期后的讲座"
    timetable.activity_save(activity=lecture, speakers=[], user=organizer)

    assert all("改期后的讲座" in page for page in pages(client, enrollment))


def test_a_new_activity_a_removed_one_and_a_group_move_show_at_once(
    client, program, enrollment, lecture, organizer
):
    timetable.timetable_publish(program=program)
    pages(client, enrollment)

    forum = activity(program, day=timezone.localdate(), start="22:00", end="22:30", title="论坛")
    timetable.activity_delete(activity=lecture, user=organizer)
    day, whole = pages(client, enrollment)
    assert f'data-activity="{forum.pk}"' in day
    assert all(f'data-activity="{lecture.pk}"' not in page for page in (day, whole))
    assert "讲座" in day  # the cancellation, among the changes

    forum.group = program.groups.get(number=2)  # another group's now: not this trainee's
    forum.save()
    assert all(f'data-activity="{forum.pk}"' not in page for page in pages(client, enrollment))


def test_a_speaker_venue_or_group_renamed_shows_at_once(client, program, enrollment, lecture):
    timetable.timetable_publish(program=program)
    lecture.speakers.set([speaker(name="张三")])
    pages(client, enrollment)

    someone = speaker(name="张三")
    someone.name = "李四"
    someone.save()
    assert all("李四" in page for page in pages(client, enrollment))

    lecture.speakers.clear()
    assert all("李四" not in page for page in pages(client, enrollment))


def test_leave_approved_shows_on_my_day_at_once(client, program, enrollment, lecture, organizer):
    timetable.timetable_publish(program=program)
    asked = LeaveRequest.objects.create(
        enrollment=enrollment,
        starts_at=lecture.starts_at,
        ends_at=lecture.ends_at,
        reason="所里有警情",
    )
    day, _whole = pages(client, enrollment)
    assert 'data-state="leave-pending"' in day

    leave_services.leave_decide(leave=asked, approve=True, user=organizer)

    assert all('data-state="leave-approved"' in page for page in pages(client, enrollment))


def test_a_group_timetable_read_again_costs_no_query_until_a_change(
    program, enrollment, lecture, django_assert_num_queries
):
    from sessions.selectors.timetable import group_timetable
    from trainees.models import Program

    def read():
        fresh = Program.objects.select_related("timetable_version").get(pk=program.pk)
        return group_timetable(fresh, enrollment.group_id)

    read()
    with django_assert_num_queries(1):  # the program alone
        assert [a.title for a in read().activities] == ["讲座"]
    lecture.title = "新题目"
    lecture.save()
    with django_assert_num_queries(4):  # the program, the activities, speakers, changes
        assert [a.title for a in read().activities] == ["新题目"]


def test_the_cards_come_rendered_in_the_trainees_language(client, program, enrollment, lecture):
    """The card parts every trainee of the group sees alike are rendered when the timetable is
    cached, in each language; a trainee reading in English gets the English ones."""
    from sessions.selectors.timetable import group_timetable

    timetable.timetable_publish(program=program)
    day, _whole = pages(client, enrollment)
    chinese = str(lecture.get_kind_display())
    assert f'<span class="badge text-bg-light">{chinese}</span>' in day  # not escaped

    client.post("/i18n/setlang/", {"language": "en", "next": "/timetable/my-day/"})
    english = client.get("/timetable/my-day/").content.decode()

    assert '<span class="badge text-bg-light">Lecture</span>' in english
    cached = group_timetable(program, enrollment.group_id)
    assert set(cached.cards[lecture.pk]) == {"zh-hans", "en"}
