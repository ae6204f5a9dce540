"""An activity held by every group at once (分组同时进行): one form, one activity per group in
its own room and with its own host and speaker, all or nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from sessions.models import Activity, ActivityChange, Venue
from sessions.services import timetable
from tests import factories
from tests.timetable.factories import ROOMS, activity, at, speaker

pytestmark = pytest.mark.django_db

URL = "/timetable/programs/ZK2026/activities/new/"


def parallel_post(program, rows=None, **fields):
    """The form as the organizer sends it: 分组讨论 on day 1, 19:00–21:00, each group in the
    room of ROOMS typed in as a new venue; `rows` overrides a group's fields by number."""
    data = {
        "kind": "discussion",
        "title": "分组讨论",
        "day": program.start_date.isoformat(),
        "start": "19:00",
        "end": "21:00",
        "parallel": "on",
        **fields,
    }
    for number in range(1, 9):
        row = {"takes_part": "on", "new_venue": ROOMS[number - 1], "host": f"主持人{number}"}
        row.update((rows or {}).get(number, {}))
        data.update({f"group-{number}-{key}": value for key, value in row.items() if value})
    return data


def test_parallel_form_creates_one_activity_per_group_in_its_room(client, organizer, zhoukou):
    lecturer = speaker()
    client.force_login(organizer)

    response = client.post(URL, parallel_post(zhoukou, rows={2: {"speaker": lecturer.pk}}))

    assert response.status_code == 302
    created = list(Activity.objects.order_by("group__number"))
    assert [(a.group.number, a.venue.name, a.host, a.title) for a in created] == [
        (number, ROOMS[number - 1], f"主持人{number}", "分组讨论") for number in range(1, 9)
    ]
    assert {(a.starts_at, a.ends_at, a.kind) for a in created} == {
        (created[0].starts_at, created[0].starts_at + timedelta(hours=2), "discussion")
    }
    assert [list(a.speakers.all()) for a in created][:3] == [[], [lecturer], []]
    assert {a.venue.program_id for a in created} == {zhoukou.pk}


def test_parallel_form_shows_one_row_per_group_with_its_host(client, organizer, zhoukou):
    client.force_login(organizer)

    page = client.get(URL).content.decode()

    for number in range(1, 9):
        assert f'name="group-{number}-venue"' in page
        assert f'name="group-{number}-host" value="主持人{number}"' in page
    assert 'id="id_parallel"' in page


def test_parallel_form_leaves_out_an_unticked_group(client, organizer, zhoukou):
    client.force_login(organizer)

    client.post(URL, parallel_post(zhoukou, rows={8: {"takes_part": ""}}))

    assert sorted(Activity.objects.values_list("group__number", flat=True)) == list(range(1, 8))


def test_a_clash_in_one_room_refuses_every_group_and_names_the_row(client, organizer, zhoukou):
    # Group 8's drill takes 第三研讨室 at 19:30; group 8 has no discussion that evening.
    third_room = Venue.objects.create(program=zhoukou, name="第三研讨室")
    group_8 = zhoukou.groups.get(number=8)
    activity(zhoukou, start="19:30", end="20:30", title="值班", venue=third_room, group=group_8)
    client.force_login(organizer)

    response = client.post(
        URL,
        parallel_post(zhoukou, rows={8: {"takes_part": ""}}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert Activity.objects.count() == 1  # only the one that was there
    message = "Group 3: The venue 第三研讨室 is already used by “值班” (01-02 19:30–20:30)."
    form = response.context["form"]
    assert form.non_field_errors() == [message]
    assert [row.non_field_errors() for row in form.rows if row.errors] == [[message]]
    page = response.content.decode()
    assert '<tr id="group-row-3" class="table-danger">' in page
    assert page.count('class="table-danger"') == 2  # the row, and its messages under it


def test_a_busy_speaker_in_one_row_refuses_all_eight_naming_the_row_and_program(
    client, organizer, zhoukou
):
    # 吕平洋 lectures in Changzhou's course that evening: speakers are shared across programs.
    lecturer = speaker()
    changzhou = factories.program(code="CZ2026", start_date=zhoukou.start_date)
    activity(changzhou, start="19:00", end="20:00", title="督察讲评", speakers=[lecturer])
    client.force_login(organizer)

    response = client.post(
        URL,
        parallel_post(zhoukou, rows={6: {"speaker": lecturer.pk}}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.context["form"].non_field_errors() == [
        "Group 6: 吕平洋 is already speaking at CZ2026's “督察讲评” (01-02 19:00–20:00)."
    ]
    assert Activity.objects.filter(program=zhoukou).count() == 0


def test_two_rows_in_one_room_are_refused_naming_the_second(client, organizer, zhoukou):
    client.force_login(organizer)

    response = client.post(
        URL,
        parallel_post(zhoukou, rows={5: {"new_venue": "第一研讨室"}}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.context["form"].non_field_errors() == [
        "Group 5: The venue 第一研讨室 is also chosen for Group 1."
    ]
    assert Activity.objects.count() == 0
    assert Venue.objects.count() == 0  # the rooms typed in went with the refusal


def test_one_speaker_in_two_rooms_is_refused(zhoukou):
    lecturer = speaker()
    groups = list(zhoukou.groups.order_by("number"))[:2]
    template = Activity(
        program=zhoukou,
        kind="discussion",
        title="分组讨论",
        starts_at=at(zhoukou.start_date, "19:00"),
        ends_at=at(zhoukou.start_date, "21:00"),
    )
    rows = [timetable.GroupRow(group=g, speakers=[lecturer]) for g in groups]

    with pytest.raises(ValidationError) as raised:
        timetable.group_activities_create(activity=template, rows=rows, user=None)

    assert list(raised.value.message_dict) == [2]
    assert Activity.objects.count() == 0


def test_a_row_with_another_programs_venue_is_refused(client, organizer, zhoukou):
    changzhou = factories.program(code="CZ2026", start_date=zhoukou.start_date)
    theirs = Venue.objects.create(program=changzhou, name="报告厅")
    client.force_login(organizer)

    response = client.post(URL, parallel_post(zhoukou, rows={4: {"venue": theirs.pk}}))

    assert response.status_code == 200
    assert list(response.context["form"].rows[3].errors) == ["venue"]
    assert Activity.objects.count() == 0


def test_after_publication_the_parallel_set_is_one_change(client, organizer, zhoukou):
    timetable.timetable_publish(program=zhoukou)
    client.force_login(organizer)

    client.post(URL, parallel_post(zhoukou))

    change = ActivityChange.objects.get()
    assert (change.kind, change.group) == ("added", None)


def test_editing_one_of_the_set_lists_the_others(client, organizer, zhoukou):
    client.force_login(organizer)
    client.post(URL, parallel_post(zhoukou))
    third = Activity.objects.get(group__number=3)

    response = client.get(f"/timetable/programs/ZK2026/activities/{third.pk}/edit/")

    others = response.context["parallel_with"]
    assert [a.group.number for a in others] == [1, 2, 4, 5, 6, 7, 8]
    assert "parallel" not in response.context["form"].fields
