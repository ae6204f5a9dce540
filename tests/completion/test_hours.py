"""Study hours (学时): a worked example whose figures are worked out by hand, and what counts.

The program's day (study hour 45 minutes, the default; activities of 2 January 2023):
  08:00–08:20  opening ceremony   (ceremony: not a counted kind)
  08:30–10:00  lecture            90 minutes
  10:15–12:15  case study        120 minutes

  甲 present at both:                     90 + 120        = 210 min → 210 / 45 = 4.666… → 4.7
  乙 15 minutes late to the lecture:      (90 − 15) + 120 = 195 min → 195 / 45 = 4.333… → 4.3
     (per activity it would be 1.7 + 2.7 = 4.4: the minutes are summed first, then divided)
  丙 left the case study at 11:40:        90 + (11:40 − 10:15 = 85) = 175 min → 3.888… → 3.9
  丁 on approved leave for the lecture:   0 + 120         = 120 min → 120 / 45 = 2.666… → 2.7
  戊 absent from both:                    0                         → 0.0
  Everyone present at the ceremony, which earns nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from completion.models import ProgramClosing
from completion.selectors.hours import attended_hours, program_hours
from completion.services.closing import program_close
from sessions.models import Activity, Attendance
from sessions.services.leave import leave_decide, leave_request
from sessions.services.rollcall import attendance_set
from tests import factories
from tests.timetable.factories import activity, at

pytestmark = pytest.mark.django_db

DAY = date(2023, 1, 2)
Status = Attendance.Status


@pytest.fixture
def day(program, organizer):
    """The worked example: {name: enrollment}."""
    ceremony = activity(program, DAY, "08:00", "08:20", kind=Activity.Kind.CEREMONY)
    lecture = activity(program, DAY, "08:30", "10:00", kind=Activity.Kind.LECTURE)
    case = activity(program, DAY, "10:15", "12:15", kind=Activity.Kind.CASE_STUDY)
    people = {
        name: factories.enrollment(program, factories.trainee(name=name))
        for name in ("甲", "乙", "丙", "丁", "戊")
    }

    def mark(name, where, status, **fields):
        attendance_set(
            activity=where, enrollment=people[name], status=status, user=organizer, **fields
        )

    for name in people:
        mark(name, ceremony, Status.PRESENT)
    mark("甲", lecture, Status.PRESENT)
    mark("甲", case, Status.PRESENT)
    mark("乙", lecture, Status.LATE, minutes_late=15)
    mark("乙", case, Status.PRESENT)
    mark("丙", lecture, Status.PRESENT)
    mark("丙", case, Status.LEFT_EARLY, left_at=at(DAY, "11:40"))
    leave_decide(
        leave=leave_request(
            enrollment=people["丁"],
            starts_at=at(DAY, "08:30"),
            ends_at=at(DAY, "10:00"),
            reason="家中有事",
        ),
        approve=True,
        user=organizer,
    )
    mark("丁", case, Status.PRESENT)
    mark("戊", lecture, Status.ABSENT)
    mark("戊", case, Status.ABSENT)
    return people


def by_name(hours, people):
    return {name: hours[enrollment.pk] for name, enrollment in people.items()}


def test_hours_of_the_worked_example_equal_the_figures_worked_out_by_hand(program, day):
    assert Attendance.objects.get(enrollment=day["丁"], activity__kind="lecture").status == (
        Status.LEAVE
    )

    hours = program_hours(program)

    assert by_name(hours, day) == {
        "甲": Decimal("4.7"),
        "乙": Decimal("4.3"),
        "丙": Decimal("3.9"),
        "丁": Decimal("2.7"),
        "戊": Decimal("0.0"),
    }


def test_hours_follow_the_programs_study_hour_and_counted_kinds(program, day):
    # A 50-minute study hour, the lecture alone counted:
    # 甲 90 / 50 = 1.8; 乙 75 / 50 = 1.5; 丙 90 / 50 = 1.8; 丁 0; 戊 0.
    ProgramClosing.objects.create(program=program, hour_minutes=50, counted_kinds=["lecture"])

    hours = program_hours(program)

    assert by_name(hours, day) == {
        "甲": Decimal("1.8"),
        "乙": Decimal("1.5"),
        "丙": Decimal("1.8"),
        "丁": Decimal("0.0"),
        "戊": Decimal("0.0"),
    }


def test_hours_left_early_without_a_recorded_time_earn_half(program, organizer):
    lecture = activity(program, DAY, "08:30", "10:00")
    enrollment = factories.enrollment(program)
    attendance_set(
        activity=lecture, enrollment=enrollment, status=Status.LEFT_EARLY, user=organizer
    )
    Attendance.objects.filter(enrollment=enrollment).update(left_at=None)

    # 90 / 2 = 45 minutes: one study hour.
    assert program_hours(program) == {enrollment.pk: Decimal("1.0")}


def test_hours_of_another_groups_activity_do_not_count(program, organizer):
    one, two = factories.group(program, 1), factories.group(program, 2)
    theirs = activity(program, DAY, "08:30", "10:00", kind=Activity.Kind.DISCUSSION, group=two)
    mine = activity(program, DAY, "10:15", "11:00", kind=Activity.Kind.DISCUSSION, group=one)
    enrollment = factories.enrollment(program, group=one)
    for where in (theirs, mine):
        attendance_set(activity=where, enrollment=enrollment, status=Status.PRESENT, user=organizer)

    assert program_hours(program) == {enrollment.pk: Decimal("1.0")}  # 45 minutes of group 1


def test_hours_count_activities_that_have_ended_only(program, organizer):
    lecture = activity(program, DAY, "08:30", "10:00")
    enrollment = factories.enrollment(program)
    attendance_set(activity=lecture, enrollment=enrollment, status=Status.PRESENT, user=organizer)

    assert program_hours(program, now=at(DAY, "09:00")) == {enrollment.pk: Decimal("0.0")}
    assert program_hours(program, now=at(DAY, "10:00")) == {enrollment.pk: Decimal("2.0")}


def test_hours_after_the_close_are_those_frozen(program, organizer, day):
    program_close(program=program, user=organizer)
    Attendance.objects.filter(enrollment=day["戊"]).update(status=Status.PRESENT)

    assert attended_hours(program)[day["戊"].pk] == Decimal("4.7")  # the roll call, changed
    assert program_hours(program)[day["戊"].pk] == Decimal("0.0")  # what was frozen


def test_hours_cost_the_same_queries_for_a_bigger_class(
    program, organizer, django_assert_num_queries
):
    lecture = activity(program, DAY, "08:30", "10:00")

    def grow(count):
        for _n in range(count):
            enrollment = factories.enrollment(program)
            attendance_set(
                activity=lecture, enrollment=enrollment, status=Status.PRESENT, user=organizer
            )

    grow(2)
    with django_assert_num_queries(3) as small:  # the rules, the trainees, their records
        program_hours(program)
    grow(20)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(program_hours(program)) == 22


# --- where the hours are shown: the roster (a column), the trainee's day ---------------------


def test_roster_shows_each_trainees_hours(client, program, organizer, day):
    client.force_login(organizer)

    response = client.get(reverse("trainees:roster", args=[program.code]))

    page = response.content.decode()
    assert 'data-figure="hours"' in page
    shown = {e.trainee.name: e.figures for e in response.context["page"]}
    assert shown == {
        "甲": [Decimal("4.7")],
        "乙": [Decimal("4.3")],
        "丙": [Decimal("3.9")],
        "丁": [Decimal("2.7")],
        "戊": [Decimal("0.0")],
    }


def test_roster_queries_do_not_grow_with_the_hours(
    client, program, organizer, django_assert_max_num_queries
):
    lecture = activity(program, DAY, "08:30", "10:00")

    def grow(count):
        for _n in range(count):
            enrollment = factories.enrollment(program)
            attendance_set(
                activity=lecture, enrollment=enrollment, status=Status.LATE, user=organizer
            )

    client.force_login(organizer)
    grow(2)
    client.get(reverse("trainees:roster", args=[program.code]))  # the process's caches
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("trainees:roster", args=[program.code]))
    grow(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("trainees:roster", args=[program.code]))
    assert len(response.context["page"].object_list) == 22


def test_my_day_shows_my_hours_so_far(client, organizer):
    today = timezone.localdate()
    running = factories.program(
        organizers=[organizer], start_date=today - timedelta(days=1), end_date=today
    )
    lecture = activity(running, today - timedelta(days=1), "08:30", "10:00")
    me, other = factories.enrollment(running), factories.enrollment(running)
    attendance_set(activity=lecture, enrollment=me, status=Status.LATE, minutes_late=15, user=None)
    attendance_set(activity=lecture, enrollment=other, status=Status.PRESENT, user=None)
    client.force_login(me.trainee.user)

    response = client.get(reverse("timetable:my-day"))

    # (90 − 15) / 45 = 1.666… → 1.7, mine, not the other's 2.0
    assert '<span class="me-3" data-figure="hours">学时 <strong>1.7</strong></span>' in (
        response.content.decode()
    )


def test_the_hours_of_some_trainees_are_theirs_of_the_whole_class_in_one_query(
    program, day, django_assert_num_queries
):
    everyone = program_hours(program)
    some = [day["乙"].pk, day["丙"].pk]

    with django_assert_num_queries(1):  # the rules with their records (a trainee's every day)
        hours = program_hours(program, enrollment_ids=some)

    assert hours == {pk: everyone[pk] for pk in some}
    assert hours[day["乙"].pk] == Decimal("4.3")


@pytest.mark.parametrize(
    "rules",
    [{}, {"hour_minutes": 50, "counted_kinds": ["lecture"]}, {"counted_kinds": ["ceremony"]}],
    ids=["defaults", "the lecture alone, 50 minutes", "the ceremony alone"],
)
def test_some_trainees_hours_follow_the_rules_read_with_their_records(program, day, rules):
    """The query that reads the rules with the records reads the records of every kind: the
    kinds that count are picked from them afterwards, by the rules it read."""
    if rules:
        ProgramClosing.objects.create(program=program, **rules)
    everyone = program_hours(program)

    for name, enrollment in day.items():
        assert program_hours(program, enrollment_ids=[enrollment.pk]) == {
            enrollment.pk: everyone[enrollment.pk]
        }, name
    assert program_hours(program, enrollment_ids=[]) == {}


def test_some_trainees_hours_after_the_close_are_those_frozen(
    program, organizer, day, django_assert_num_queries
):
    program_close(program=program, user=organizer)
    Attendance.objects.filter(enrollment=day["戊"]).update(status=Status.PRESENT)

    with django_assert_num_queries(2):  # the rules (no record once closed), the Completions
        hours = program_hours(program, enrollment_ids=[day["戊"].pk, day["甲"].pk])

    assert hours == {day["戊"].pk: Decimal("0.0"), day["甲"].pk: Decimal("4.7")}
