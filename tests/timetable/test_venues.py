"""Venues belong to a program: the activity form offers only the program's, refuses another's,
and the migration gives each existing venue to the programs that used it."""

from datetime import date, datetime, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import RestrictedError

from sessions.models import Activity, Venue
from tests import factories
from tests.timetable.factories import activity

URL = "/timetable/programs/ZK2026/activities/new/"


@pytest.fixture
def program(organizer):
    return factories.program(organizers=[organizer], code="ZK2026")


def lecture_post(program, **fields):
    return {
        "kind": "lecture",
        "title": "执法规范化",
        "day": program.start_date.isoformat(),
        "start": "08:30",
        "end": "10:00",
        **fields,
    }


@pytest.mark.django_db
def test_activity_form_offers_only_the_programs_venues(client, organizer, program):
    ours = Venue.objects.create(program=program, name="报告厅")
    changzhou = factories.program(code="CZ2026")
    theirs = Venue.objects.create(program=changzhou, name="常州报告厅")
    client.force_login(organizer)

    response = client.get(URL)

    assert list(response.context["form"].fields["venue"].queryset) == [ours]
    assert f'value="{theirs.pk}"' not in response.content.decode()


@pytest.mark.django_db
def test_activity_form_refuses_another_programs_venue(client, organizer, program):
    changzhou = factories.program(code="CZ2026", start_date=program.start_date)
    theirs = Venue.objects.create(program=changzhou, name="报告厅")
    client.force_login(organizer)

    response = client.post(URL, lecture_post(program, venue=theirs.pk))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["venue"]
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_a_venue_typed_in_is_the_programs_own(client, organizer, program):
    changzhou = factories.program(code="CZ2026")
    Venue.objects.create(program=changzhou, name="报告厅")
    client.force_login(organizer)

    client.post(URL, lecture_post(program, new_venue="报告厅"))

    assert Activity.objects.get().venue.program == program
    assert Venue.objects.filter(name="报告厅").count() == 2


@pytest.mark.django_db
def test_editing_keeps_the_activitys_own_venue(client, organizer, program):
    lecture = activity(program, venue="报告厅")
    client.force_login(organizer)

    response = client.post(
        f"/timetable/programs/ZK2026/activities/{lecture.pk}/edit/",
        lecture_post(program, venue=lecture.venue.pk, title="改题"),
    )

    assert response.status_code == 302
    lecture.refresh_from_db()
    assert (lecture.title, lecture.venue.name) == ("改题", "报告厅")


@pytest.mark.django_db
def test_a_program_is_deleted_with_its_venues_but_a_venue_in_use_is_kept(program):
    lecture = activity(program, venue="报告厅")

    with pytest.raises(RestrictedError):
        lecture.venue.delete()
    program.delete()

    assert (Venue.objects.count(), Activity.objects.count()) == (0, 0)


# --- the migration ------------------------------------------------------------------------

BEFORE = [("timetable", "0004_venue_program")]
AFTER = [("timetable", "0006_venue_unique_per_program")]
AT_NINE = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def state_at(targets):
    """Migrate the test database to `targets`; the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor._create_project_state(with_applied_migrations=True).apps


@pytest.fixture
def back_to_the_head():
    """Whatever the test asserts, the next test finds the database at the latest migrations."""
    yield
    state_at(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_gives_each_venue_to_the_programs_that_use_it(back_to_the_head):
    apps = state_at(BEFORE)
    Program = apps.get_model("trainees", "Program")
    OldVenue, OldActivity = (
        apps.get_model("timetable", "Venue"),
        apps.get_model("timetable", "Activity"),
    )
    zhoukou, changzhou = (
        Program.objects.create(
            code=code, title=code, start_date=date(2026, 3, 2), end_date=date(2026, 3, 6)
        )
        for code in ("ZK2026", "CZ2026")
    )
    hall = OldVenue.objects.create(name="报告厅", capacity=300)
    room = OldVenue.objects.create(name="第一研讨室")
    OldVenue.objects.create(name="靶场")  # used by nobody
    for program, venue in ((zhoukou, hall), (changzhou, hall), (changzhou, room)):
        OldActivity.objects.create(
            program=program,
            kind="lecture",
            title=f"{program.code}{venue.name}",
            venue=venue,
            starts_at=AT_NINE,
            ends_at=AT_NINE.replace(hour=2),
        )

    state_at(AFTER)

    assert sorted(
        (v.name, v.program.code if v.program else None, v.capacity)
        for v in Venue.objects.select_related("program")
    ) == [
        ("报告厅", "CZ2026", 300),
        ("报告厅", "ZK2026", 300),
        ("第一研讨室", "CZ2026", None),
        ("靶场", None, None),
    ]
    assert all(a.venue.program_id == a.program_id for a in Activity.objects.select_related("venue"))
    assert Venue.objects.get(pk=hall.pk).program.code == "ZK2026"  # the first keeps the row

    state_at(BEFORE)  # and back: one 报告厅 again, used by both

    assert sorted(OldVenue.objects.values_list("name", "program")) == [
        ("报告厅", None),
        ("第一研讨室", None),
        ("靶场", None),
    ]
    assert OldActivity.objects.filter(venue=hall).count() == 2
