"""Two tabs of one trainee answer the evaluation of the same lecture at the same moment
(PostgreSQL): one answer is saved, the other is told "already evaluated" (the receipt's unique
constraint), and exactly one Evaluation is kept. A thread that crashed fails the test."""

import pytest

from completion.models import Evaluation, EvaluationReceipt, EvaluationScore
from completion.services import evaluation as services
from tests.completion.evaluations import attended, running_program, yesterdays_lecture
from tests.integration.races import at_once, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def a_lecture_and_a_trainee_who_attended_it():
    lecture = yesterdays_lecture(running_program(code="RACE"))
    return lecture, attended(lecture)[0]


@pytest.mark.parametrize("repeat", range(5))
def test_two_answers_at_once_save_one_and_tell_the_other_already_evaluated(repeat):
    lecture, enrollment = a_lecture_and_a_trainee_who_attended_it()
    items = services.evaluation_items_for(program=lecture.program)

    def submit(score, comment):
        def call():
            try:
                services.evaluation_submit(
                    activity=lecture,
                    enrollment=enrollment,
                    scores={item.pk: score for item in items},
                    comment=comment,
                )
            except services.EvaluationRefused as refused:
                return "already evaluated" if refused.already else str(refused)
            return "saved"

        return call

    outcomes = at_once(submit(5, "甲窗口"), submit(2, "乙窗口"))

    assert sorted(outcomes) == ["already evaluated", "saved"]
    evaluation = Evaluation.objects.get()
    saved_first = outcomes[0] == "saved"
    assert evaluation.comment == ("甲窗口" if saved_first else "乙窗口")
    assert set(EvaluationScore.objects.values_list("score", flat=True)) == {5 if saved_first else 2}
    assert EvaluationReceipt.objects.filter(activity=lecture, enrollment=enrollment).count() == 1


def test_two_tabs_posting_the_form_at_once_are_told_saved_and_already_evaluated():
    lecture, enrollment = a_lecture_and_a_trainee_who_attended_it()
    items = services.evaluation_items_for(program=lecture.program)
    form = {f"item_{item.pk}": 4 for item in items} | {"comment": "两个窗口"}
    user = enrollment.trainee.user
    phone, laptop = signed_in(user), signed_in(user)

    saved = "Thank you: your evaluation is saved, without your name."
    already = "You have already evaluated this activity."

    def post(browser):
        # What the tab shows after the redirect (response.context is no good here: the test
        # client collects every thread's rendered templates).
        def call():
            response = browser.post(f"/completion/evaluations/{lecture.pk}/", form, follow=True)
            page = response.content.decode()
            return [message for message in (saved, already) if message in page]

        return call

    told = at_once(post(phone), post(laptop))

    assert sorted(told) == [[saved], [already]]
    assert Evaluation.objects.count() == 1
    assert EvaluationScore.objects.count() == len(items)
