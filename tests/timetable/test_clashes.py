from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sessions.models import Activity, Venue
from sessions.services import timetable
from tests import factories
from tests.timetable.factories import activity, at, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    program = factories.program(
        daily_routine="06:30 起床\n22:00 就寝", title="常州市培训班", code="CZ2023"
    )
    for number in range(1, 6):
        factories.group(program, number=number)
    return program


def new(program, start, end, day=None, **fields):
    day = day or program.start_date
    fields.setdefault("kind", Activity.Kind.LECTURE)
    fields.setdefault("title", "新日程")
    if isinstance(fields.get("venue"), str):
        fields["venue"] = Venue.objects.get_or_create(program=program, name=fields["venue"])[0]
    return Activity(program=program, starts_at=at(day, start), ends_at=at(day, end), **fields)


def errors_of(program, candidate, speakers=()):
    with pytest.raises(ValidationError) as raised:
        timetable.activity_save(activity=candidate, speakers=speakers, user=None)
    return raised.value.messages


def test_clash_venue_used_twice_names_the_other_activity(program):
    group_1, group_2 = program.groups.get(number=1), program.groups.get(number=2)
    activity(program, start="09:00", end="11:00", venue="报告厅", title="开班仪式", group=group_1)

    messages = errors_of(program, new(program, "10:00", "12:00", venue="报告厅", group=group_2))

    assert messages == ["场地“报告厅”此时已被“开班仪式”（01-02 09:00–11:00）占用。"]


def test_venues_of_the_same_name_in_two_programs_do_not_clash(program):
    # Zhoukou's 报告厅 is not Changzhou's: each program has its own venues.
    zhoukou = factories.program(code="ZK2026", start_date=program.start_date)
    activity(zhoukou, start="09:00", end="11:00", venue="报告厅", title="开班仪式")

    candidate = new(program, "10:00", "12:00", venue="报告厅")

    assert timetable.activity_save(activity=candidate, speakers=[], user=None) == []
    assert Venue.objects.filter(name="报告厅").count() == 2


def test_a_venue_of_another_program_is_refused(program):
    zhoukou = factories.program(code="ZK2026", start_date=program.start_date)
    theirs = Venue.objects.create(program=zhoukou, name="报告厅")

    with translation.override("en"):
        messages = errors_of(program, new(program, "10:00", "12:00", venue=theirs))

    assert messages == ["The venue 报告厅 is not one of this program's venues."]


def test_clash_speaker_in_two_places_names_the_other_activity(program):
    lv = speaker()
    group_1, group_2 = program.groups.get(number=1), program.groups.get(number=2)
    activity(
        program,
        start="14:30",
        end="17:00",
        title="从督察角度审视派出所工作",
        speakers=[lv],
        group=group_1,
    )

    messages = errors_of(program, new(program, "16:00", "17:30", group=group_2), speakers=[lv])

    assert messages == ["吕平洋此时正在“从督察角度审视派出所工作”（01-02 14:30–17:00）授课。"]


def test_clash_with_another_programs_activity_names_that_program(program):
    # Speakers are shared: the city bureau's 吕平洋 lectures in Zhoukou's course too.
    lv = speaker()
    activity(program, start="14:30", end="17:00", title="从督察角度审视派出所工作", speakers=[lv])
    zhoukou = factories.program(code="ZK2026", start_date=program.start_date)

    with translation.override("en"):
        messages = errors_of(zhoukou, new(zhoukou, "16:00", "17:30"), speakers=[lv])

    assert messages == [
        "吕平洋 is already speaking at CZ2023's “从督察角度审视派出所工作” (01-02 14:30–17:00)."
    ]


def test_clash_whole_class_against_a_group_activity(program):
    group = program.groups.get(number=2)
    activity(program, start="19:00", end="21:00", title="分组讨论", group=group)

    messages = errors_of(program, new(program, "20:00", "21:30", title="警示教育片"))

    assert messages == ["第2组此时已有“分组讨论”（01-02 19:00–21:00）。"]


def test_clash_group_activity_against_the_whole_class(program):
    activity(program, start="08:30", end="11:30", title="所长论坛")

    messages = errors_of(
        program, new(program, "11:00", "12:00", group=program.groups.get(number=3))
    )

    assert messages == ["第3组此时已有“所长论坛”（01-02 08:30–11:30）。"]


def test_clash_two_activities_of_one_group(program):
    group = program.groups.get(number=1)
    activity(program, start="19:00", end="21:00", title="分组讨论", group=group)

    messages = errors_of(program, new(program, "20:30", "21:30", group=group))

    assert messages == ["第1组此时已有“分组讨论”（01-02 19:00–21:00）。"]


def test_five_group_discussions_at_once_in_five_rooms_are_accepted(program):
    for number in range(1, 6):
        candidate = new(
            program,
            "19:00",
            "21:00",
            kind=Activity.Kind.DISCUSSION,
            group=program.groups.get(number=number),
            venue=f"第{number}研讨室",
        )
        assert timetable.activity_save(activity=candidate, speakers=[], user=None) == []

    assert Activity.objects.filter(program=program).count() == 5


def test_activity_outside_the_program_dates_is_refused(program):
    candidate = new(program, "09:00", "10:00", day=program.end_date + timedelta(days=1))

    assert errors_of(program, candidate) == ["日程不在培训班的日期内（2023-01-02 至 2023-01-04）。"]


def test_activity_before_wake_up_or_after_lights_out_only_warns(program):
    early = new(program, "06:00", "06:45", kind=Activity.Kind.DRILL, title="队列训练")
    late = new(program, "21:30", "22:30", kind=Activity.Kind.FILM, title="警示教育片")

    early_warnings = timetable.activity_save(activity=early, speakers=[], user=None)
    late_warnings = timetable.activity_save(activity=late, speakers=[], user=None)

    assert early_warnings == ["队列训练开始时间早于起床时间（06:30）。"]
    assert late_warnings == ["警示教育片结束时间晚于就寝时间（22:00）。"]
    assert Activity.objects.count() == 2


def test_moving_an_activity_does_not_clash_with_itself(program):
    lecture = activity(program, start="08:30", end="10:00", venue="报告厅")
    lecture.ends_at = at(program.start_date, "10:30")

    assert timetable.activity_save(activity=lecture, speakers=[], user=None) == []


def test_duplicate_a_day_is_all_or_nothing(program):
    second = program.start_date + timedelta(days=1)
    activity(program, start="08:30", end="10:00", venue="报告厅", title="上午课")
    activity(program, start="14:30", end="16:00", venue="报告厅", title="下午课")
    activity(program, day=second, start="15:00", end="16:00", venue="报告厅", title="已有")

    with pytest.raises(ValidationError) as raised:
        timetable.day_duplicate(
            program=program, source=program.start_date, target=second, user=None
        )

    assert raised.value.messages == [
        "场地“报告厅”此时已被“已有”（01-03 15:00–16:00）占用。",
        "全体学员此时已有“已有”（01-03 15:00–16:00）。",
    ]
    assert Activity.objects.filter(starts_at__date=second).count() == 1


def test_duplicate_a_day_copies_every_activity(program):
    third = program.start_date + timedelta(days=2)
    lecture = activity(program, start="08:30", end="10:00", speakers=[speaker()])

    copies, warnings = timetable.day_duplicate(
        program=program, source=program.start_date, target=third, user=None
    )

    assert [(c.title, c.starts_at) for c in copies] == [
        (lecture.title, lecture.starts_at + timedelta(days=2))
    ]
    assert list(copies[0].speakers.all()) == [speaker()]
    assert warnings == []
