from decimal import Decimal

import pytest

from exams.models import Exam, Question, ScoreChange
from exams.selectors import results as results_selectors
from exams.selectors import scores as scores_selectors
from exams.services import attempts, grading
from exams.services import paper as paper_services
from tests import factories
from tests.exams.factories import exam, question, right_choices, wrong_choice

pytestmark = pytest.mark.django_db

# Ten trainees, three one-point questions: 1 = answered right.
PATTERNS = [
    (1, 1, 1),  # T1  3
    (1, 1, 1),  # T2  3
    (1, 0, 0),  # T3  1
    (1, 0, 1),  # T4  2
    (1, 1, 0),  # T5  2
    (0, 1, 0),  # T6  1
    (1, 0, 0),  # T7  1
    (0, 0, 1),  # T8  1
    (0, 1, 0),  # T9  1
    (0, 0, 0),  # T10 0
]


def sit(paper, enrollment, questions, pattern):
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    for question_, right in zip(questions, pattern, strict=True):
        attempts.answer_save(
            attempt_id=attempt.pk,
            user=enrollment.trainee.user,
            question_id=question_.pk,
            choices=right_choices(question_) if right else wrong_choice(question_),
            revision=1,
        )
    return attempts.attempt_submit(attempt=attempt)[0]


@pytest.fixture
def ten():
    program = factories.program()
    questions = [question(points=Decimal(1), text=f"题{n}") for n in range(3)]
    paper = exam(program, questions, pass_mark=Decimal(2))
    for pattern in PATTERNS:  # in order: the attempt ids break ties as the table above
        sit(paper, factories.enrollment(program), questions, pattern)
    return paper


def test_item_analysis_equals_the_hand_computed_example(ten):
    # Ranked by score, then attempt: T1 T2 T4 T5 | T3 T6 T7 T8 T9 T10. 27 % of 10 → 3 each:
    # top T1 T2 T4, bottom T8 T9 T10.
    # Q1 right T1 T2 T3 T4 T5 T7: 6/10; top 3, bottom 0 → (3 − 0)/3 = 1.0
    # Q2 right T1 T2 T5 T6 T9:   5/10; top 2, bottom 1 → (2 − 1)/3 = 0.33
    # Q3 right T1 T2 T4 T8:      4/10; top 3, bottom 1 → (3 − 1)/3 = 0.67
    stats = results_selectors.item_analysis(ten)

    assert [(s.correct, s.difficulty, s.discrimination) for s in stats] == [
        (6, 0.6, 1.0),
        (5, 0.5, 0.33),
        (4, 0.4, 0.67),
    ]


def test_exam_results_mean_median_pass_rate_and_shared_ranks(ten):
    results = results_selectors.exam_results(ten)

    assert (results.sat, results.expected, results.in_progress) == (10, 10, 0)
    assert results.mean == Decimal("1.5")
    assert results.median == Decimal(1)
    assert (results.passed, results.pass_rate) == (4, 40.0)
    assert [row.rank for row in results.rows] == [1, 1, 3, 3, 5, 5, 5, 5, 5, 10]
    assert sum(count for _label, count in results.distribution) == 10
    assert results.distribution[-1] == ("3–3", 2)  # full marks fall in the top band


def test_program_scores_gain_per_trainee_group_and_unit():
    program = factories.program()
    first, second = factories.group(program, 1), factories.group(program, 2)
    station = factories.unit("竹箦派出所")
    a = factories.enrollment(program, factories.trainee(unit=station), group=first)
    b = factories.enrollment(program, factories.trainee(unit=station), group=second)
    entry = exam(program, kind=Exam.Kind.ENTRY, mode=Exam.Mode.PAPER)
    graduation = exam(program, kind=Exam.Kind.GRADUATION, mode=Exam.Mode.PAPER)
    organizer = factories.user("organizer")
    paper_services.paper_scores_set(
        exam=entry, scores={a.pk: Decimal(60), b.pk: Decimal(70)}, user=organizer
    )
    paper_services.paper_scores_set(
        exam=graduation, scores={a.pk: Decimal(80), b.pk: Decimal(75)}, user=organizer
    )

    scores = scores_selectors.program_scores(program)

    assert [(r.entry, r.graduation, r.gain) for r in scores.trainees] == [
        (Decimal(60), Decimal(80), Decimal(20)),
        (Decimal(70), Decimal(75), Decimal(5)),
    ]
    assert [(g.name, g.gain) for g in scores.groups] == [
        (str(first), Decimal(20)),
        (str(second), Decimal(5)),
    ]
    assert [(u.name, u.entry, u.graduation, u.gain) for u in scores.units] == [
        ("竹箦派出所", Decimal(65), Decimal("77.5"), Decimal("12.5"))
    ]


def test_short_answers_grade_totals_and_keeps_who_changed_what():
    program = factories.program()
    enrollment = factories.enrollment(program)
    single, essay = question(), question(Question.Kind.SHORT_ANSWER, points=Decimal(10))
    paper = exam(program, [single, essay])
    attempt = attempts.attempt_start(exam=paper, enrollment=enrollment)
    attempts.answer_save(
        attempt_id=attempt.pk,
        user=enrollment.trainee.user,
        question_id=single.pk,
        choices=right_choices(single),
        revision=1,
    )
    attempt, _ = attempts.attempt_submit(attempt=attempt)
    answer = attempt.answers.get(question=essay)
    organizer = factories.user("organizer")

    grading.short_answers_grade(
        exam=paper, question=essay, points={answer.pk: Decimal(7)}, user=organizer
    )
    grading.short_answers_grade(
        exam=paper, question=essay, points={answer.pk: Decimal("8.5")}, user=organizer
    )

    attempt.refresh_from_db()
    assert (attempt.score, attempt.status) == (Decimal("11.5"), "graded")
    history = list(
        ScoreChange.objects.filter(attempt=attempt).values_list(
            "old_score", "new_score", "changed_by", "reason"
        )
    )
    assert history == [
        (None, Decimal(3), None, "submitted"),
        (Decimal(3), Decimal(10), organizer.pk, "short answer"),
        (Decimal(10), Decimal("11.5"), organizer.pk, "short answer"),
    ]


def test_short_answers_grade_out_of_range_changes_nothing():
    program = factories.program()
    essay = question(Question.Kind.SHORT_ANSWER, points=Decimal(10))
    paper = exam(program, [essay])
    answers = []
    for _ in range(2):
        attempt = attempts.attempt_start(exam=paper, enrollment=factories.enrollment(program))
        attempts.attempt_submit(attempt=attempt)
        answers.append(attempt.answers.get())

    with pytest.raises(grading.ScoreError) as error:
        grading.short_answers_grade(
            exam=paper,
            question=essay,
            points={answers[0].pk: Decimal(5), answers[1].pk: Decimal(11)},
            user=factories.user("organizer"),
        )

    assert "between 0 and 10" in str(error.value) or "0 到 10" in str(error.value)
    assert [
        a.points_awarded for a in paper.attempts.get(pk=answers[0].attempt_id).answers.all()
    ] == [None]
