"""The discipline export with old data: a trainee and a unit whose names hold a control
character, a group named like a formula. It answers, and writes them as plain text."""

import pytest

from sessions.models import Attendance
from tests import factories
from tests.hostile_text import FORMULA, formula_cells, store, text_cells
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db


def test_the_discipline_export_answers_with_text_cells_whatever_the_names_hold(
    client, organizer, program
):
    unit = store(factories.unit(), name="某\x01派出所")
    trainee = store(factories.trainee(with_login=False, unit=unit), name="张\x01三")
    group = store(factories.group(program, 1), name=FORMULA)
    enrollment = factories.enrollment(program, trainee, group=group)
    past = activity(program, day=program.start_date, start="08:30", end="10:00")
    Attendance.objects.create(activity=past, enrollment=enrollment, status="late", minutes_late=6)
    client.force_login(organizer)

    response = client.get(f"/timetable/programs/{program.code}/discipline/?format=xlsx")

    assert response.status_code == 200
    assert text_cells(response.content, "张三") == ["s"]
    assert text_cells(response.content, "某派出所") == ["s", "s"]  # the trainee's, the unit's
    assert text_cells(response.content, FORMULA) == ["s", "s"]  # the trainee's, the group's
    assert formula_cells(response.content) == []
