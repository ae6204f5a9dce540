"""The score report and every dashboard table export with old data: a trainee and a unit whose
names hold a control character, a group named like a formula. Each answers, with the names as
plain text cells (the report is mailed to the bureau: a formula there would run in every
reader's spreadsheet program)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.hostile_text import FORMULA, formula_cells, store, text_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_data(program, small_class, units):
    """The small class, with 张伟 stored as 张\\x01伟 in 儒\\x01林派出所 of 金坛\\x01分局, and the
    program and group 1 named like formulas."""
    first = small_class["100001"]
    store(first.trainee, name="张\x01伟")
    store(units["rulin"], name="儒\x01林派出所")
    store(units["jintan"], name="常州市公安局金坛\x01分局")
    store(program, title="=1+2")
    store(first.group, name=FORMULA)
    return small_class


def exports(client, user, name, *args):
    """Every table export of a dashboard page: {table key: response}."""
    client.force_login(user)
    url = reverse(name, args=args)
    page = client.get(url)
    assert page.status_code == 200
    tables = page.context["board"].tables
    return {table.key: client.get(url, {"export": table.key}) for table in tables}


def test_the_score_report_xlsx_answers_with_text_cells(client, organizer, old_data):
    client.force_login(organizer)

    response = client.get("/reports/programs/CZ2023/report/xlsx/")

    assert response.status_code == 200
    assert text_cells(response.content, "张伟") == ["s", "s"]  # the scores, and the best five
    assert "s" in text_cells(response.content, "儒林派出所")
    assert set(text_cells(response.content, FORMULA)) == {"s"}
    assert formula_cells(response.content) == []


def test_every_table_of_the_program_dashboard_exports_with_text_cells(client, organizer, old_data):
    answers = exports(client, organizer, "reports:dashboard-program", "CZ2023")

    assert {key: response.status_code for key, response in answers.items()} == dict.fromkeys(
        answers, 200
    )
    assert text_cells(answers["gains"].content, "张伟") == ["s"]
    assert text_cells(answers["groups"].content, FORMULA) == ["s"]
    assert [key for key, response in answers.items() if formula_cells(response.content)] == []


def test_every_table_of_the_bureau_dashboard_exports_with_text_cells(client, old_data):
    answers = exports(client, factories.user("leadership"), "reports:dashboard")

    assert len(answers) > 3
    assert text_cells(answers["programs"].content, "=1+2") == ["s"]
    assert text_cells(answers["units-gain"].content, "常州市公安局金坛分局") == ["s"]
    assert {key: response.status_code for key, response in answers.items()} == dict.fromkeys(
        answers, 200
    )
    assert [key for key, response in answers.items() if formula_cells(response.content)] == []
