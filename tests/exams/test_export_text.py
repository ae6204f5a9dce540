"""The question bank's export with old data (a control character in a question, a formula in
an option), and short answers saved without the control characters a JSON autosave can
carry."""

import json

import pytest

from exams.models import Answer, Question
from exams.services import attempts as attempts_services
from tests import factories
from tests.exams.factories import exam, question
from tests.hostile_text import FORMULA, formula_cells, store, text_cells

pytestmark = pytest.mark.django_db


def test_the_bank_export_answers_with_text_cells_whatever_the_questions_hold(client, organizer):
    single = store(question(), text="治安\x01管理", category=FORMULA)
    store(single.choices.first(), text="@SUM(A1:A9)")
    client.force_login(organizer)

    response = client.get("/exams/bank/export/")

    assert response.status_code == 200
    assert text_cells(response.content, "治安管理") == ["s"]
    assert text_cells(response.content, FORMULA) == ["s"]
    assert text_cells(response.content, "@SUM(A1:A9)") == ["s"]
    assert formula_cells(response.content) == []


def test_a_short_answer_is_saved_without_control_characters(client, organizer):
    program = factories.program(organizers=[organizer])
    essay = question(Question.Kind.SHORT_ANSWER, points=10)
    enrollment = factories.enrollment(program)
    attempt = attempts_services.attempt_start(exam=exam(program, [essay]), enrollment=enrollment)
    client.force_login(enrollment.trainee.user)
    batch = [{"question": essay.pk, "revision": 1, "text": "全过程\u0001记录\n及时\u0000存储"}]

    response = client.post(f"/exams/attempts/{attempt.pk}/answer/", {"answers": json.dumps(batch)})

    assert response.json()["saved"] == [essay.pk]
    assert Answer.objects.get(attempt=attempt).text == "全过程记录\n及时存储"
