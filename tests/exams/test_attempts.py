from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exams.models import Answer, Attempt, Question, ScoreChange
from exams.selectors import attempts as attempts_selectors
from exams.services import attempts
from exams.services import questions as questions_services
from tests import factories
from tests.exams.factories import exam, question, right_choices, wrong_choice

pytestmark = pytest.mark.django_db


@pytest.fixture
def sitting():
    """A trainee who has started a 60-minute exam of three questions."""
    program = factories.program()
    enrollment = factories.enrollment(program)
    questions = [
        question(),
        question(Question.Kind.MULTIPLE, right=(0, 2), points=Decimal(4)),
        question(Question.Kind.TRUE_FALSE, right=(1,), points=Decimal(2)),
    ]
    started = timezone.now()
    paper = exam(program, questions, now=started)
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment, now=started)
    return attempt, questions, enrollment.trainee.user


def save(attempt, user, question_, choices, revision=1, now=None):
    return attempts.answer_save(
        attempt_id=attempt.pk,
        user=user,
        question_id=question_.pk,
        choices=choices,
        revision=revision,
        now=now,
    )


def test_attempt_deadline_is_start_plus_duration_capped_by_close():
    program = factories.program()
    now = timezone.now()
    paper = exam(program, [question()], now=now, closes_at=now + timedelta(minutes=20))
    early = attempts.attempt_start(exam=paper, enrollment=factories.enrollment(program), now=now)
    assert early.deadline == now + timedelta(minutes=20)
    assert early.answers.count() == 1


def test_answer_at_the_deadline_saved_one_second_after_refused(sitting):
    attempt, questions, user = sitting

    assert save(attempt, user, questions[0], right_choices(questions[0]), now=attempt.deadline)
    with pytest.raises(attempts.AnswerRefused) as refusal:
        save(
            attempt,
            user,
            questions[0],
            wrong_choice(questions[0]),
            revision=2,
            now=attempt.deadline + timedelta(seconds=1),
        )

    assert refusal.value.closed is True
    stored = Answer.objects.get(attempt=attempt, question=questions[0])
    assert stored.choices == right_choices(questions[0])


def test_answer_older_revision_never_overwrites_a_newer_one(sitting):
    attempt, questions, user = sitting
    assert save(attempt, user, questions[0], right_choices(questions[0]), revision=200)

    stale = save(attempt, user, questions[0], wrong_choice(questions[0]), revision=100)

    assert stale is False
    assert Answer.objects.get(attempt=attempt, question=questions[0]).choices == right_choices(
        questions[0]
    )


def test_answer_to_another_trainees_attempt_refused_as_missing(sitting):
    attempt, questions, _user = sitting
    stranger = factories.trainee().user

    with pytest.raises(attempts.AnswerRefused) as refusal:
        save(attempt, stranger, questions[0], right_choices(questions[0]))

    assert refusal.value.missing is True


def test_answer_with_an_option_of_another_question_refused(sitting):
    attempt, questions, user = sitting

    with pytest.raises(attempts.AnswerRefused):
        save(attempt, user, questions[0], right_choices(questions[1]))
    with pytest.raises(attempts.AnswerRefused):
        save(attempt, user, questions[2], [c.pk for c in questions[2].choices.all()])


def test_attempt_submit_twice_makes_one_submission(sitting):
    attempt, questions, user = sitting
    save(attempt, user, questions[0], right_choices(questions[0]))

    first, submitted = attempts.attempt_submit(attempt=attempt)
    second, again = attempts.attempt_submit(attempt=attempt)

    assert (submitted, again) == (True, False)
    assert second.submitted_at == first.submitted_at
    assert ScoreChange.objects.filter(attempt=attempt).count() == 1


def test_attempt_submit_grades_objective_answers(sitting):
    attempt, (single, multiple, true_false), user = sitting
    save(attempt, user, single, right_choices(single))
    save(attempt, user, multiple, right_choices(multiple)[:1])  # half known: no points
    save(attempt, user, true_false, right_choices(true_false))

    graded, _submitted = attempts.attempt_submit(attempt=attempt)

    assert graded.status == Attempt.Status.GRADED
    assert graded.score == Decimal(5)
    points = dict(graded.answers.values_list("question_id", "points_awarded"))
    assert points == {single.pk: Decimal(3), multiple.pk: Decimal(0), true_false.pk: Decimal(2)}


def test_partial_credit_gives_the_share_of_right_options_without_a_wrong_one():
    program = factories.program()
    enrollment = factories.enrollment(program)
    multiple = question(Question.Kind.MULTIPLE, options="ABCD", right=(0, 1, 2), points=4)
    paper = exam(program, [multiple], partial_credit=True)
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    options = list(multiple.choices.all())
    save(attempt, enrollment.trainee.user, multiple, [options[0].pk, options[1].pk])

    graded, _submitted = attempts.attempt_submit(attempt=attempt)

    assert graded.score == Decimal("2.7")  # 4 × 2/3, to a tenth


def test_short_answer_waits_for_an_organizer():
    program = factories.program()
    enrollment = factories.enrollment(program)
    essay = question(Question.Kind.SHORT_ANSWER, points=10)
    paper = exam(program, [question(), essay])
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    attempts.answer_save(
        attempt_id=attempt.pk,
        user=enrollment.trainee.user,
        question_id=essay.pk,
        text="依靠群众，就地化解矛盾。",
        revision=1,
    )

    submitted, _ = attempts.attempt_submit(attempt=attempt)

    assert submitted.status == Attempt.Status.SUBMITTED
    assert submitted.answers.get(question=essay).text == "依靠群众，就地化解矛盾。"


def test_attempt_start_refused_before_opening_and_after_closing():
    program = factories.program()
    enrollment = factories.enrollment(program)
    now = timezone.now()
    paper = exam(program, [question()], now=now)

    with pytest.raises(attempts.AttemptRefused):
        attempts.attempt_start(exam=paper, enrollment=enrollment, now=paper.opens_at - timedelta(1))
    with pytest.raises(attempts.AttemptRefused):
        attempts.attempt_start(exam=paper, enrollment=enrollment, now=paper.closes_at)
    assert not Attempt.objects.exists()


def test_attempt_start_twice_returns_the_same_attempt(sitting):
    attempt, _questions, _user = sitting

    again = attempts.attempt_start(exam=attempt.exam, enrollment=attempt.enrollment)

    assert again.pk == attempt.pk
    assert again.deadline == attempt.deadline


def test_exam_questions_frozen_once_an_attempt_exists(sitting):
    attempt, _questions, _user = sitting

    with pytest.raises(questions_services.ExamFrozen):
        questions_services.exam_questions_set(exam=attempt.exam, questions=[question()])

    assert attempt.exam.exam_questions.count() == 3


def test_attempts_close_expired_hands_in_and_grades(sitting):
    attempt, (single, _multiple, _tf), user = sitting
    save(attempt, user, single, right_choices(single))

    closed = attempts.attempts_close_expired(now=attempt.deadline + timedelta(minutes=1))

    attempt.refresh_from_db()
    assert closed == 1
    assert attempt.submitted_at == attempt.deadline
    assert attempt.score == Decimal(3)


def test_shuffled_order_stable_per_trainee_and_differs_between_trainees():
    program = factories.program()
    questions = [question(text=f"题{n}") for n in range(20)]
    paper = exam(program, questions)
    one = attempts.attempt_start(exam=paper, enrollment=factories.enrollment(program))
    two = attempts.attempt_start(exam=paper, enrollment=factories.enrollment(program))

    def order(attempt):
        return [
            (item.question.pk, [c.pk for c in item.choices])
            for item in attempts_selectors.attempt_paper(attempt)
        ]

    assert order(one) == order(Attempt.objects.get(pk=one.pk))
    assert order(one) != order(two)
    assert sorted(q for q, _c in order(one)) == sorted(q.pk for q in questions)


def test_exam_draw_takes_the_counts_asked_per_category():
    program = factories.program()
    for n in range(5):
        question(category="法律法规", text=f"法{n}")
        question(category="群众工作", text=f"群{n}")
    paper = exam(program)

    questions_services.exam_questions_draw(
        exam=paper, counts={"法律法规": 3, "群众工作": 2}, seed=1
    )

    categories = list(paper.exam_questions.values_list("question__category", flat=True))
    assert sorted(categories) == ["法律法规"] * 3 + ["群众工作"] * 2
    with pytest.raises(questions_services.QuestionsRefused):
        questions_services.exam_questions_draw(exam=paper, counts={"法律法规": 6})


def test_exam_copy_gives_the_same_questions_in_order():
    program = factories.program()
    entry = exam(program, [question(), question(), question()])
    graduation = exam(program, kind="graduation")

    questions_services.exam_questions_copy(exam=graduation, source=entry)

    def questions(e):
        return list(e.exam_questions.order_by("order").values_list("question_id", flat=True))

    assert questions(graduation) == questions(entry)


def test_submit_keeps_a_newer_answer_saved_from_another_phone(sitting):
    attempt, (single, _multiple, _tf), user = sitting
    save(attempt, user, single, right_choices(single), revision=5_000)  # phone B, later

    # Phone A hands in the page it loaded before (revision 1 shown), with a wrong answer.
    given = attempts.GivenAnswer(single.pk, 1, tuple(wrong_choice(single)))
    submitted, _ = attempts.attempt_submit(attempt=attempt, answers=[given])

    assert submitted.answers.get(question=single).choices == right_choices(single)
    assert submitted.score == Decimal(3)


def test_more_time_given_after_the_start_is_honoured(sitting):
    attempt, (single, _multiple, _tf), user = sitting
    save(attempt, user, single, right_choices(single))  # the deadline is now kept in the process
    later = attempt.deadline + timedelta(minutes=20)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=later)

    saved = save(
        attempt, user, single, wrong_choice(single), revision=2, now=later - timedelta(minutes=1)
    )

    assert saved is True


def test_answer_to_a_question_without_its_row_is_refused_not_reported_stale(sitting):
    attempt, (single, _multiple, _tf), user = sitting
    Answer.objects.filter(attempt=attempt, question=single).delete()

    with pytest.raises(attempts.AnswerRefused):
        save(attempt, user, single, right_choices(single))


def test_answer_after_the_hand_in_is_refused_as_closed(sitting):
    attempt, (single, _multiple, _tf), user = sitting
    attempts.attempt_submit(attempt=attempt)

    with pytest.raises(attempts.AnswerRefused) as refusal:
        save(attempt, user, single, right_choices(single), revision=10)

    assert refusal.value.closed is True


def test_an_exam_without_questions_is_not_open_to_the_trainee():
    program = factories.program()
    enrollment = factories.enrollment(program)
    empty = exam(program, title="空试卷")
    full = exam(program, [question()], title="有题试卷")

    rows = {
        e.pk: is_open for e, _attempt, is_open in attempts_selectors.trainee_exams([enrollment])
    }

    assert rows == {empty.pk: False, full.pk: True}
