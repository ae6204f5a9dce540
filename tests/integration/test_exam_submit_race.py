"""Two tabs hand in the same exam at the same moment: one submission, one grading (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from exams.models import Attempt, ScoreChange
from exams.services import attempts
from tests import factories
from tests.exams.factories import exam, question, right_choices

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_submissions_make_one():
    program = factories.program(code="RACE")
    single = question()
    paper = exam(program, [single])
    enrollment = factories.enrollment(program)
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    attempts.answer_save(
        attempt_id=attempt.pk,
        user=enrollment.trainee.user,
        question_id=single.pk,
        choices=right_choices(single),
        revision=1,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def tab():
        try:
            barrier.wait()
            outcomes.append(attempts.attempt_submit(attempt=attempt)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False, True]
    assert Attempt.objects.get(pk=attempt.pk).score == 3
    assert ScoreChange.objects.filter(attempt=attempt).count() == 1


def test_an_autosave_racing_the_submission_is_graded_or_refused():
    """The save either lands before the grading reads the answers, or is refused: never an
    answer stored after the grading that the score does not count."""
    program = factories.program(code="RACE2")
    single = question()
    paper = exam(program, [single])
    enrollment = factories.enrollment(program)
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    barrier = threading.Barrier(2)
    saved = []

    def autosave():
        try:
            barrier.wait()
            saved.append(
                attempts.answer_save(
                    attempt_id=attempt.pk,
                    user=enrollment.trainee.user,
                    question_id=single.pk,
                    choices=right_choices(single),
                    revision=1,
                )
            )
        except attempts.AnswerRefused:
            saved.append(False)
        finally:
            connection.close()

    def submit():
        try:
            barrier.wait()
            attempts.attempt_submit(attempt=attempt)
        finally:
            connection.close()

    threads = [threading.Thread(target=autosave), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    attempt.refresh_from_db()
    answer = attempt.answers.get()
    assert attempt.score == (3 if saved == [True] else 0)
    assert answer.choices == (right_choices(single) if saved == [True] else [])
