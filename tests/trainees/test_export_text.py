"""The roster export with old data: a name and a unit holding a control character, a position
that reads as a formula. It answers, and writes them as plain text."""

import pytest

from tests import factories
from tests.hostile_text import FORMULA, formula_cells, store, text_cells

pytestmark = pytest.mark.django_db


def test_the_roster_export_answers_with_text_cells_whatever_the_names_hold(
    client, organizer, program
):
    unit = store(factories.unit(), name="某\x01派出所")
    trainee = factories.trainee(with_login=False, unit=unit)
    store(trainee, name="张\x01三", position=FORMULA)
    factories.enrollment(program, trainee, group=factories.group(program, 1, name=FORMULA))
    client.force_login(organizer)

    response = client.get("/trainees/programs/CZ2023/roster/export/")

    assert response.status_code == 200
    assert text_cells(response.content, "张三") == ["s"]
    assert text_cells(response.content, "某派出所") == ["s"]
    assert text_cells(response.content, FORMULA) == ["s"]
    assert formula_cells(response.content) == []
