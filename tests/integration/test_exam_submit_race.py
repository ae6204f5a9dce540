"""Handing in an exam while another tab does the same, or while an autosave is in flight
(PostgreSQL), through the views as the browser calls them."""

import time

import pytest

from exams.models import Attempt, ScoreChange
from exams.services import attempts
from tests import factories
from tests.exams.factories import exam, question, right_choices, wrong_choice
from tests.integration.races import at_once, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def a_sitting(code):
    """(attempt, its one question, the trainee): the trainee has answered it wrongly."""
    program = factories.program(code=code)
    single = question()
    paper = exam(program, [single])
    enrollment = factories.enrollment(program)
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    user = enrollment.trainee.user
    attempts.answer_save(
        attempt_id=attempt.pk,
        user=user,
        question_id=single.pk,
        choices=wrong_choice(single),
        revision=1,
    )
    return attempt, single, user


def hand_in(client, attempt, single):
    """The exam page's hand-in: the form carries the answer it shows (revision 1)."""
    return client.post(
        f"/exams/attempts/{attempt.pk}/submit/",
        {f"q{single.pk}": wrong_choice(single), f"r{single.pk}": 1},
    )


def test_two_concurrent_submissions_make_one():
    attempt, single, user = a_sitting("RACE")
    attempts.answer_save(
        attempt_id=attempt.pk,
        user=user,
        question_id=single.pk,
        choices=right_choices(single),
        revision=2,
    )

    outcomes = at_once(
        lambda: attempts.attempt_submit(attempt=attempt)[1],
        lambda: attempts.attempt_submit(attempt=attempt)[1],
    )

    assert sorted(outcomes) == [False, True]
    assert Attempt.objects.get(pk=attempt.pk).score == 3
    assert ScoreChange.objects.filter(attempt=attempt).count() == 1


# The hand-in's head start: from none (the save usually first) to past its end (the save
# refused), through the moments when the two overlap.
@pytest.mark.parametrize("head_start", [0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.3])
def test_an_autosave_racing_the_hand_in_is_graded_or_refused_with_409(head_start):
    """One tab autosaves the right answer as another hands in: the save lands before the
    hand-in seals the answers and is graded (200, saved), or finds them sealed and is refused
    (409): never acknowledged and then not counted."""
    attempt, single, user = a_sitting("RACE")
    phone, laptop = signed_in(user), signed_in(user)

    def autosave():
        time.sleep(head_start)
        return phone.post(
            f"/exams/attempts/{attempt.pk}/answer/",
            {"question": single.pk, "revision": 2, "choice": right_choices(single)},
        )

    saved, handed_in = at_once(autosave, lambda: hand_in(laptop, attempt, single))

    attempt.refresh_from_db()
    answer = attempt.answers.get()
    assert handed_in.status_code == 302 and attempt.submitted_at is not None
    if saved.status_code == 200:
        assert saved.json() == {"saved": [single.pk], "stale": [], "refused": {}}
        assert (answer.choices, attempt.score) == (right_choices(single), 3)
    else:
        assert (saved.status_code, saved.json()) == (
            409,
            {"error": "This exam is handed in: it takes no more answers.", "closed": True},
        )
        assert (answer.choices, attempt.score) == (wrong_choice(single), 0)
