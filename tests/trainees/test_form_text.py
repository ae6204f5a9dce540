"""What a form posts is stored without control characters: no person types them, an .xlsx
cannot hold them, and they hide what a name really is. Line breaks and tabs of a textarea
stay. The admin's forms likewise."""

import pytest

from tests import factories
from trainees.models import Group, Program, Unit

pytestmark = pytest.mark.django_db


def test_a_group_posted_with_control_characters_is_stored_without_them(client, organizer, program):
    factories.group(program, 1)
    client.force_login(organizer)

    response = client.post(
        f"/trainees/programs/{program.code}/groups/1/edit/",
        {"name": "组\x01名", "host_name": "于\x00贵平", "host_title": "局长\x7f", "topic": "-"},
    )

    assert response.status_code == 302
    group = Group.objects.get()
    assert (group.name, group.host_name, group.host_title, group.topic) == (
        "组名",
        "于贵平",
        "局长",
        "-",
    )


def test_a_textarea_keeps_its_line_breaks_and_tabs(client, organizer):
    client.force_login(organizer)

    response = client.post(
        "/trainees/programs/new/",
        {
            "title": "周口市\x0b派出所所长培训班",
            "code": "ZK2013",
            "start_date": "2013-03-26",
            "end_date": "2013-03-30",
            "venue": "=周口人民警察培训学校",
            "daily_routine": "06:30\t起床\r\n22:00\x1b 就寝",
            "essay_min_chars": "2000",
        },
    )

    assert response.status_code == 302
    program = Program.objects.get()
    assert (program.title, program.venue, program.daily_routine) == (
        "周口市派出所所长培训班",
        "=周口人民警察培训学校",  # a formula only in a spreadsheet: the exports write it as text
        "06:30\t起床\r\n22:00 就寝",
    )


def test_the_admin_stores_a_unit_without_control_characters(client):
    client.force_login(factories.user(is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/trainees/unit/add/", {"name": "某\x01派出所", "kind": Unit.Kind.STATION}
    )

    assert response.status_code == 302
    assert Unit.objects.get().name == "某派出所"


def test_a_search_is_made_without_control_characters(client, organizer, program):
    factories.enrollment(program, factories.trainee(with_login=False, name="张三"))
    client.force_login(organizer)

    response = client.get(f"/trainees/programs/{program.code}/roster/", {"q": "张\x00三"})

    assert [enrollment.trainee.name for enrollment in response.context["page"]] == ["张三"]
