from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from sessions.models import Activity, ActivityChange, Attendance, CalendarFeed, LeaveRequest
from sessions.services import timetable
from sessions.versions import timetable_version_raise
from tests import factories
from tests.timetable.factories import activity, at, speaker
from trainees.sessions import user_cache_key

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def program(organizer):
    today = timezone.localdate()
    program = factories.program(
        organizers=[organizer],
        code="CZ2023",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        daily_routine="06:30 起床\n22:00 就寝",
    )
    for number in range(1, 6):
        factories.group(program, number=number)
    return program


@pytest.fixture
def published(program):
    """`program` with its timetable published: trainees see it."""
    return timetable.timetable_publish(program=program)


def trainee_in(program, group_number=None, **fields):
    trainee = factories.trainee(**fields)
    group = program.groups.get(number=group_number) if group_number else None
    factories.enrollment(program, trainee, group=group)
    return trainee


def evening_discussions(program, day):
    for number in range(1, 6):
        activity(
            program,
            day=day,
            start="19:00",
            end="21:00",
            kind="discussion",
            title=f"第{number}组讨论",
            group=program.groups.get(number=number),
            venue=f"第{number}研讨室",
        )


def test_my_day_of_group_3_shows_group_3_discussion_and_not_group_1(client, program, published):
    today = timezone.localdate()
    activity(program, day=today, start="08:30", end="10:00", title="聚焦派出所主防", venue="报告厅")
    evening_discussions(program, today)
    trainee = trainee_in(program, 3)
    client.force_login(trainee.user)

    response = client.get("/timetable/my-day/")

    titles = [a.title for a in response.context["days"][0]["activities"]]
    assert titles == ["聚焦派出所主防", "第3组讨论"]
    page = response.content.decode()
    assert "第3研讨室" in page and "第1研讨室" not in page


def test_my_day_highlights_the_next_activity(client, program, published, monkeypatch):
    today = timezone.localdate()
    activity(program, day=today, start="08:00", end="09:00", title="已结束")
    activity(program, day=today, start="14:00", end="15:00", title="稍后")
    client.force_login(trainee_in(program, 1).user)
    monkeypatch.setattr(timezone, "now", lambda: at(today, "12:00"))  # whenever the run is

    response = client.get("/timetable/my-day/")

    assert response.context["days"][0]["next"].title == "稍后"
    assert 'data-countdown="' in response.content.decode()


@pytest.mark.parametrize("sizes", [((10, 10), (60, 200))])
def test_week_and_my_day_query_counts_do_not_grow(
    client, organizer, program, published, sizes, django_assert_max_num_queries
):
    (few_activities, few_trainees), (many_activities, many_trainees) = sizes
    trainee = trainee_in(program, 1)
    enrollment = trainee.enrollments.get()
    lecturer = speaker()

    def fill(activities, trainees):
        for n in range(activities - Activity.objects.count()):
            day = program.start_date + timedelta(days=n % 3)
            start = at(day, "06:00") + timedelta(minutes=15 * (n // 3))
            created = Activity.objects.create(
                program=program,
                kind="lecture",
                title=f"课{n}",
                starts_at=start,
                ends_at=start + timedelta(minutes=10),
                group=program.groups.get(number=1) if n % 2 else None,
            )
            created.speakers.set([lecturer])
            # The trainee's own state on every card: checked in, late, on leave.
            if n % 3 != 2:
                Attendance.objects.create(
                    activity=created,
                    enrollment=enrollment,
                    status="present" if n % 3 == 0 else "late",
                    minutes_late=n % 3 * 5,
                    checked_in_at=start,
                )
            else:
                LeaveRequest.objects.create(
                    enrollment=enrollment, starts_at=start, ends_at=start + timedelta(minutes=5)
                )
        for _ in range(trainees - program.enrollments.count()):
            trainee_in(program, 2, with_login=False)

    def counts():
        result = []
        for user, url in [
            (organizer, "/timetable/programs/CZ2023/week/"),
            (trainee.user, "/timetable/my-day/"),
            (trainee.user, "/timetable/programs/CZ2023/mine/"),
        ]:
            client.force_login(user)
            with django_assert_max_num_queries(40) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured.captured_queries))
        return result

    fill(few_activities, few_trainees)
    counts()  # the first visit makes the calendar feeds' tokens
    timetable_version_raise(program_id=program.pk)
    small_cold = counts()  # the first visit after a change reads the group's timetable
    small = counts()  # the next ones take it from the cache
    fill(many_activities, many_trainees)

    assert (counts(), counts()) == (small_cold, small)
    # Reading the group's timetable is three queries (with the version), once per change
    # for my day and the whole timetable together; the whole timetable's materials are read
    # once per change too, when its page is rendered for the group (trainees.pages).
    assert small[1:] == [small_cold[1] - 3, small_cold[2] - 1]


def test_ics_carries_shanghai_times_venue_speakers_and_a_stable_uid(client, program, published):
    lecture = activity(
        program,
        start="14:30",
        end="17:00",
        title="从督察角度审视派出所工作",
        venue="报告厅",
        speakers=[speaker()],
    )
    trainee = trainee_in(program, 2)
    feed = timetable.calendar_feed_for(program=program, enrollment=trainee.enrollments.get())

    first = Calendar.from_ical(client.get(f"/timetable/feeds/{feed.token}.ics").content)
    lecture.title = "从督察角度审视派出所工作（调整）"
    lecture.save()
    second = Calendar.from_ical(client.get(f"/timetable/feeds/{feed.token}.ics").content)

    [event] = first.walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.tzinfo.key if hasattr(start.tzinfo, "key") else str(start.tzinfo)) in {
        "Asia/Shanghai"
    }
    assert start == at(program.start_date, "14:30")
    assert (start.hour, start.minute) == (14, 30)
    assert event.decoded("dtend").astimezone(SHANGHAI).hour == 17
    assert str(event["location"]) == "报告厅"
    assert "常州市公安局督察支队支队长 吕平洋" in str(event["description"])
    assert "专题辅导" in str(event["description"])
    [edited] = second.walk("VEVENT")
    assert str(edited["uid"]) == str(event["uid"]) == f"activity-{lecture.pk}@jingxun"
    assert str(edited["summary"]) == "从督察角度审视派出所工作（调整）"


def test_personal_feed_holds_only_the_trainees_activities(client, program, published):
    evening_discussions(program, program.start_date)
    trainee = trainee_in(program, 4)
    feed = timetable.calendar_feed_for(program=program, enrollment=trainee.enrollments.get())
    program_feed = timetable.calendar_feed_for(program=program)

    mine = Calendar.from_ical(client.get(f"/timetable/feeds/{feed.token}.ics").content)
    everyone = Calendar.from_ical(client.get(f"/timetable/feeds/{program_feed.token}.ics").content)

    assert [str(e["summary"]) for e in mine.walk("VEVENT")] == ["第4组讨论"]
    assert len(everyone.walk("VEVENT")) == 5


def test_revoked_feed_token_stops_working(client, program):
    trainee = trainee_in(program, 1)
    client.force_login(trainee.user)
    client.get("/timetable/programs/CZ2023/mine/")
    old = CalendarFeed.objects.get().token

    client.post("/timetable/programs/CZ2023/mine/feed/revoke/")
    client.logout()

    new = CalendarFeed.objects.get().token
    assert new != old and len(new) >= 40
    assert client.get(f"/timetable/feeds/{old}.ics").status_code == 404
    assert client.get(f"/timetable/feeds/{new}.ics").status_code == 200


def test_organizer_adds_an_activity_in_the_browser(client, organizer, program):
    client.force_login(organizer)

    response = client.post(
        "/timetable/programs/CZ2023/activities/new/",
        {
            "kind": "lecture",
            "title": "基层执法规范化建设",
            "day": program.end_date.isoformat(),
            "start": "15:00",
            "end": "15:55",
            "new_venue": "报告厅",
            "new_speaker_name": "张蕾",
            "new_speaker_title": "支队长",
            "new_speaker_organization": "常州市公安局法制支队",
        },
    )

    assert response.status_code == 302
    created = Activity.objects.get()
    assert (created.venue.name, [s.name for s in created.speakers.all()]) == ("报告厅", ["张蕾"])
    assert created.starts_at == at(program.end_date, "15:00")


def test_activity_form_shows_the_clash_and_saves_nothing(client, organizer, program):
    activity(program, start="08:30", end="11:30", title="所长论坛", venue="报告厅")
    client.force_login(organizer)

    response = client.post(
        "/timetable/programs/CZ2023/activities/new/",
        {
            "kind": "lecture",
            "title": "撞车",
            "day": program.start_date.isoformat(),
            "start": "10:00",
            "end": "11:00",
            "new_venue": "报告厅",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "场地“报告厅”此时已被“所长论坛”" in page
    assert Activity.objects.count() == 1


def test_activity_form_warns_outside_the_routine_but_saves(client, organizer, program):
    client.force_login(organizer)

    response = client.post(
        "/timetable/programs/CZ2023/activities/new/",
        {
            "kind": "drill",
            "title": "晨练",
            "day": program.start_date.isoformat(),
            "start": "06:00",
            "end": "06:40",
        },
        follow=True,
    )

    assert "晨练开始时间早于起床时间（06:30）。" in response.content.decode()
    assert Activity.objects.count() == 1


def test_copy_an_activity_keeps_its_details(client, organizer, program):
    lecture = activity(program, start="08:30", end="10:00", venue="报告厅", speakers=[speaker()])
    client.force_login(organizer)

    form = client.get(f"/timetable/programs/CZ2023/activities/new/?copy={lecture.pk}")
    response = client.post(
        "/timetable/programs/CZ2023/activities/new/",
        {
            "kind": "lecture",
            "title": lecture.title,
            "day": program.end_date.isoformat(),
            "start": "08:30",
            "end": "10:00",
            "venue": lecture.venue.pk,
            "speakers": [speaker().pk],
        },
    )

    assert form.context["form"].initial["speakers"] == [speaker()]
    assert response.status_code == 302
    assert Activity.objects.count() == 2


def test_changes_after_publication_are_recorded_and_mailed(
    client, organizer, program, django_capture_on_commit_callbacks
):
    lecture = activity(program, start="08:30", end="10:00", title="聚焦派出所主防", venue="报告厅")
    trainee_in(program, 1, email="gong@example.cn")
    trainee_in(program, 2)  # no email address: not mailed
    timetable.timetable_publish(program=program)
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/timetable/programs/CZ2023/activities/{lecture.pk}/edit/",
            {
                "kind": "lecture",
                "title": "聚焦派出所主防",
                "day": program.start_date.isoformat(),
                "start": "09:00",
                "end": "10:30",
                "venue": lecture.venue.pk,
            },
        )

    change = ActivityChange.objects.get()
    assert change.summary.startswith("聚焦派出所主防：")
    assert "09:00–10:30" in change.summary and "（原为 " in change.summary
    assert [m.to for m in mail.outbox] == [["gong@example.cn"]]
    assert mail.outbox[0].subject.startswith("日程变更：")
    assert change.notified_at is not None or ActivityChange.objects.get().notified_at


def test_changes_before_publication_are_not_announced(client, organizer, program):
    lecture = activity(program, start="08:30", end="10:00")
    client.force_login(organizer)

    client.post(f"/timetable/programs/CZ2023/activities/{lecture.pk}/delete/")

    assert ActivityChange.objects.count() == 0
    assert Activity.objects.count() == 0


def test_notification_task_runs_once(program):
    trainee_in(program, 1, email="gong@example.cn")
    timetable.timetable_publish(program=program)
    lecture = activity(program, start="08:30", end="10:00")
    change = timetable.record_change(
        program=program, activity=lecture, kind="changed", summary="x", user=None
    )
    from sessions.tasks import notify_timetable_change

    first, second = notify_timetable_change(change.pk), notify_timetable_change(change.pk)

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/timetable/programs/CZ2023/week/",
        "/timetable/programs/CZ2023/week/print/",
        "/timetable/programs/CZ2023/activities/new/",
    ],
)
def test_trainee_gets_404_on_organizer_timetable_pages(client, program, url):
    client.force_login(trainee_in(program, 1).user)

    assert client.get(url).status_code == 404


def test_trainee_of_another_program_gets_404_on_its_timetable(client, program):
    other = factories.program(code="OTHER")
    trainee = factories.trainee()
    factories.enrollment(other, trainee)
    client.force_login(trainee.user)

    assert client.get("/timetable/programs/CZ2023/mine/").status_code == 404


def test_leadership_reads_the_week_but_cannot_edit(client, program):
    lecture = activity(program, start="08:30", end="10:00")
    client.force_login(factories.user("leadership"))

    assert client.get("/timetable/programs/CZ2023/week/").status_code == 200
    assert (
        client.get(f"/timetable/programs/CZ2023/activities/{lecture.pk}/edit/").status_code == 403
    )
    assert client.post("/timetable/programs/CZ2023/publish/").status_code == 403


def test_print_week_lists_every_day(client, organizer, program):
    evening_discussions(program, program.start_date)
    client.force_login(organizer)

    response = client.get("/timetable/programs/CZ2023/week/print/")

    assert len(response.context["days"]) == 3
    assert "print-landscape.css" in response.content.decode()


def test_moving_an_activity_to_another_group_tells_the_whole_class(
    client, organizer, program, django_capture_on_commit_callbacks
):
    discussion = activity(
        program,
        start="19:00",
        end="21:00",
        kind="discussion",
        title="分组讨论",
        group=program.groups.get(number=1),
        venue="第一研讨室",
    )
    trainee_in(program, 1, email="one@example.cn")
    trainee_in(program, 2, email="two@example.cn")
    timetable.timetable_publish(program=program)
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/timetable/programs/CZ2023/activities/{discussion.pk}/edit/",
            {
                "kind": "discussion",
                "title": "分组讨论",
                "day": program.start_date.isoformat(),
                "start": "19:00",
                "end": "21:00",
                "group": program.groups.get(number=2).pk,
                "venue": discussion.venue.pk,
            },
        )

    change = ActivityChange.objects.get()
    assert change.group is None
    assert "第2组" in change.summary and "第1组" in change.summary
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.cn", "two@example.cn"]


def test_a_new_speaker_alone_is_a_recorded_change(program):
    lecture = activity(program, start="08:30", end="10:00", title="聚焦派出所主防")
    timetable.timetable_publish(program=program)

    timetable.activity_save(activity=lecture, speakers=[speaker()], user=None)

    assert "吕平洋" in ActivityChange.objects.get().summary


def test_withdrawn_trainee_loses_timetable_and_calendar(client, program):
    trainee = trainee_in(program, 1)
    enrollment = trainee.enrollments.get()
    feed = timetable.calendar_feed_for(program=program, enrollment=enrollment)
    enrollment.status = "withdrawn"
    enrollment.save()
    client.force_login(trainee.user)

    assert client.get("/timetable/programs/CZ2023/mine/").status_code == 404
    client.logout()
    assert client.get(f"/timetable/feeds/{feed.token}.ics").status_code == 404


def test_week_places_eight_different_group_activities_side_by_side(program):
    from sessions.selectors import timetable as timetable_selectors

    for number in range(6, 9):
        factories.group(program, number=number)
    kinds = ["lecture", "case_study", "experience", "onsite", "discussion", "forum", "film"]
    for number, kind in enumerate([*kinds, "drill"], start=1):
        activity(
            program,
            start="19:00",
            end="21:00",
            kind=kind,  # not one parallel set: each its own block
            title=f"第{number}组",
            group=program.groups.get(number=number),
            venue=f"{number}室",
        )

    [(_day, placed), *_rest] = timetable_selectors.week(program).days

    assert sorted(a.lane for a in placed) == list(range(1, 9))
    assert {a.lanes for a in placed} == {8}


def test_week_query_count_is_the_same_with_one_and_eight_parallel_groups(
    client, organizer, django_assert_max_num_queries
):
    lecturer = speaker()

    def course(code, groups):
        course = factories.program(organizers=[organizer], code=code)
        for number in range(1, groups + 1):
            group = factories.group(course, number=number, host_name=f"主持人{number}")
            activity(
                course,
                start="19:00",
                end="21:00",
                kind="discussion",
                title="分组讨论",
                group=group,
                venue=f"第{number}研讨室",
                speakers=[lecturer],
            )
        return course

    def count(code):
        client.get(f"/timetable/programs/{code}/week/")  # the first visit makes the feed
        with django_assert_max_num_queries(40) as captured:
            response = client.get(f"/timetable/programs/{code}/week/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    course("ONE", 1)
    course("EIGHT", 8)
    client.force_login(organizer)

    assert count("EIGHT") == count("ONE")


def test_the_first_look_at_the_whole_timetable_makes_the_feed_in_one_statement(
    client, program, published, django_assert_num_queries, settings
):
    """Sessions and accounts from the cache, as in production (CACHE_URL)."""
    settings.SESSION_ENGINE, settings.USER_CACHE_SECONDS = "trainees.sessions", 3600
    activity(program, start="14:30", end="17:00")
    other = Client()
    other.force_login(trainee_in(program, 1).user)
    other.get("/timetable/programs/CZ2023/mine/")  # the group's page rendered
    trainee = trainee_in(program, 1)
    client.force_login(trainee.user)
    cache.delete(user_cache_key(trainee.user.pk))  # the mark of its creation has lapsed
    client.get("/timetable/my-day/")

    with django_assert_num_queries(2):  # the enrollment with its feed and records, the INSERT
        first = client.get("/timetable/programs/CZ2023/mine/")
    with django_assert_num_queries(1):
        again = client.get("/timetable/programs/CZ2023/mine/")

    feed = CalendarFeed.objects.get(enrollment__trainee=trainee)
    assert feed.program == program
    assert feed.token in first.content.decode() and feed.token in again.content.decode()
    assert client.get(f"/timetable/feeds/{feed.token}.ics").status_code == 200


def test_a_feed_made_meanwhile_is_the_one_given(program):
    """Two first looks at once: the second INSERT changes nothing and reads the first's."""
    enrollment = trainee_in(program, 1).enrollments.get()
    made = timetable.calendar_feed_for(program=program, enrollment=enrollment)

    given = timetable.trainee_feed_create(program=program, enrollment=enrollment)

    assert (given.pk, given.token) == (made.pk, made.token)
    assert CalendarFeed.objects.count() == 1


def test_a_feed_made_at_the_first_look_is_a_feed_like_any_other(program):
    enrollment = trainee_in(program, 1).enrollments.get()

    made = timetable.trainee_feed_create(program=program, enrollment=enrollment)

    stored = CalendarFeed.objects.get()
    assert (made.pk, made.token, made.enrollment_id) == (stored.pk, stored.token, enrollment.pk)
    assert abs((stored.created_at - timezone.now()).total_seconds()) < 60
    assert timetable.calendar_feed_revoke(feed=made).token != stored.token


def test_a_feed_made_at_the_first_look_without_returning_is_read_back(program, monkeypatch):
    """A database that cannot return the new row's id (SQLite before 3.35): the INSERT, then
    the feed read."""
    from django.db import connection

    enrollment = trainee_in(program, 1).enrollments.get()
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    timetable.feed_insert_sql.cache_clear()
    try:
        made = timetable.trainee_feed_create(program=program, enrollment=enrollment)
    finally:
        timetable.feed_insert_sql.cache_clear()

    assert (made.pk, made.token) == CalendarFeed.objects.values_list("pk", "token").get()
