import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exams.models import Answer, Attempt, Exam, Question
from exams.services import attempts as attempts_services
from exams.services import grading as grading_services
from exams.services import paper as paper_services
from tests import factories
from tests.exams.factories import exam, question, right_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(organizer):
    return factories.program(organizers=[organizer], code="ZK2013")


@pytest.fixture
def sitting(program):
    """Trainee A has started an exam of three questions; trainee B is in the same class."""
    questions = [question(), question(), question(Question.Kind.SHORT_ANSWER, points=10)]
    paper = exam(program, questions)
    a = factories.enrollment(program)
    b = factories.enrollment(program)
    attempt = attempts_services.attempt_start(exam=paper, enrollment=a)
    return attempt, questions, a.trainee.user, b.trainee.user


def answer(client, attempt, question_, **fields):
    return client.post(
        f"/exams/attempts/{attempt.pk}/answer/",
        {"question": question_.pk, "revision": fields.pop("revision", 1), **fields},
    )


def test_answer_save_view_saves_and_acknowledges(client, sitting):
    attempt, questions, a, _b = sitting
    client.force_login(a)

    response = answer(client, attempt, questions[0], choice=right_choices(questions[0]))

    assert (response.status_code, response.json()) == (
        200,
        {"saved": [questions[0].pk], "stale": [], "refused": {}},
    )
    assert Answer.objects.get(attempt=attempt, question=questions[0]).choices == right_choices(
        questions[0]
    )


def test_answer_save_view_after_the_deadline_is_409(client, sitting):
    attempt, questions, a, _b = sitting
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    client.force_login(a)

    response = answer(client, attempt, questions[0], choice=right_choices(questions[0]))

    assert response.status_code == 409
    assert response.json() == {"error": "考试时间已到，不再接收作答。", "closed": True}


def test_answer_save_view_after_the_hand_in_is_409_and_says_so(client, sitting):
    attempt, questions, a, _b = sitting
    client.force_login(a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the msgid (its translation is pending)
    client.post(f"/exams/attempts/{attempt.pk}/submit/")

    response = answer(client, attempt, questions[0], choice=right_choices(questions[0]))

    assert (response.status_code, response.json()) == (
        409,
        {"error": "This exam is handed in: it takes no more answers.", "closed": True},
    )
    assert Answer.objects.get(attempt=attempt, question=questions[0]).choices == []


def test_answer_save_view_takes_a_batch_and_says_what_became_of_each(client, sitting):
    attempt, (first, second, essay), a, _b = sitting
    client.force_login(a)
    answer(client, attempt, second, choice=right_choices(second), revision=500)
    batch = [
        {"question": first.pk, "revision": 400, "choices": right_choices(first)},
        {"question": second.pk, "revision": 300, "choices": []},  # older than the stored one
        {"question": essay.pk, "revision": 400, "choices": right_choices(first)},
    ]

    response = client.post(f"/exams/attempts/{attempt.pk}/answer/", {"answers": json.dumps(batch)})

    assert response.json() == {
        "saved": [first.pk],
        "stale": [second.pk],
        "refused": {str(essay.pk): "该选项不属于这道题。"},
    }
    stored = dict(attempt.answers.values_list("question_id", "choices"))
    assert stored == {
        first.pk: right_choices(first),
        second.pk: right_choices(second),
        essay.pk: [],
    }


def test_answer_save_view_refuses_garbage_with_400(client, sitting):
    attempt, _questions, a, _b = sitting
    client.force_login(a)

    response = client.post(f"/exams/attempts/{attempt.pk}/answer/", {"answers": "{not json"})

    assert (response.status_code, response.json()) == (400, {"error": "答案不完整。"})


@pytest.mark.parametrize("number", [10**29, -1, "9" * 5000], ids=["30 digits", "-1", "5000 digits"])
@pytest.mark.parametrize("field", ["question", "revision", "choice"])
def test_answer_save_view_answers_a_number_out_of_range_without_a_500(
    client, sitting, field, number
):
    """A forged question, revision or option out of the database's range (or int()'s) is
    refused or ignored, never a server error; nothing is stored."""
    attempt, questions, a, _b = sitting
    client.force_login(a)
    client.raise_request_exception = False
    fields = {"choice": right_choices(questions[0]), field: number}
    answer_ = {"question": questions[0].pk, "revision": 1, "choices": fields["choice"]}
    answer_[field if field != "choice" else "choices"] = fields[field]
    if field == "choice":
        answer_["choices"] = [number]

    one = answer(client, attempt, questions[0], **fields)
    batch = client.post(f"/exams/attempts/{attempt.pk}/answer/", {"answers": json.dumps([answer_])})

    assert {one.status_code, batch.status_code} <= {200, 400}
    assert not one.json().get("saved") and not batch.json().get("saved")


def test_another_trainees_attempt_is_404_everywhere(client, sitting):
    attempt, questions, _a, b = sitting
    client.force_login(b)
    base = f"/exams/attempts/{attempt.pk}/"

    assert client.get(base).status_code == 404
    assert client.get(base + "result/").status_code == 404
    assert (
        answer(client, attempt, questions[0], choice=right_choices(questions[0])).status_code == 404
    )
    assert client.post(base + "submit/").status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is None


def test_unreleased_result_is_404_and_released_is_shown(client, sitting):
    attempt, _questions, a, _b = sitting
    attempts_services.attempt_submit(attempt=attempt)
    client.force_login(a)

    unreleased = client.get(f"/exams/attempts/{attempt.pk}/result/")
    grading_services.exam_release(exam=attempt.exam, released=True)
    released = client.get(f"/exams/attempts/{attempt.pk}/result/")

    assert unreleased.status_code == 404
    assert released.status_code == 200


def test_submit_without_javascript_saves_the_forms_answers(client, sitting):
    attempt, (first, _second, essay), a, _b = sitting
    client.force_login(a)

    response = client.post(
        f"/exams/attempts/{attempt.pk}/submit/",
        {f"q{first.pk}": right_choices(first), f"t{essay.pk}": "依靠群众"},
    )

    attempt.refresh_from_db()
    assert response.status_code == 302
    assert (attempt.score, attempt.status) == (Decimal(3), Attempt.Status.SUBMITTED)
    assert attempt.answers.get(question=essay).text == "依靠群众"
    assert client.get(f"/exams/attempts/{attempt.pk}/").status_code == 200  # the handed-in page


def test_exam_page_has_a_navigator_of_answered_and_unanswered_questions(client, sitting):
    attempt, (first, second, essay), a, _b = sitting
    client.force_login(a)
    answer(client, attempt, first, choice=right_choices(first))
    answer(client, attempt, essay, text="  ")  # blank is not an answer

    response = client.get(f"/exams/attempts/{attempt.pk}/")

    page = response.content.decode()
    numbers = {item.question.pk: item.number for item in response.context["items"]}
    navigator = re.findall(
        r'<a class="exam-nav-item (answered|unanswered)" href="#question-(\d+)"\s+'
        r'data-nav-question="(\d+)">(\d+)</a>',
        page,
    )
    assert sorted(navigator, key=lambda link: int(link[1])) == sorted(
        [
            ("answered", str(numbers[first.pk]), str(first.pk), str(numbers[first.pk])),
            ("unanswered", str(numbers[second.pk]), str(second.pk), str(numbers[second.pk])),
            ("unanswered", str(numbers[essay.pk]), str(essay.pk), str(numbers[essay.pk])),
        ],
        key=lambda link: int(link[1]),
    )
    for number in numbers.values():
        assert f'id="question-{number}"' in page  # where each link jumps
    assert '<b id="exam-nav-answered">1</b>/3' in page
    assert '<b id="exam-nav-unanswered">2</b>' in page
    # The hand-in confirmation counts the unanswered (js/exam.js fills in __count__).
    assert 'data-confirm-unanswered="' in page and "__count__" in page
    assert 'id="handin-confirm"' in page and 'id="handin-confirm-submit"' in page
    assert '<script src="/static/js/exam.js"></script>' in page


def test_start_from_my_exams_lands_on_the_paper(client, program):
    paper = exam(program, [question()])
    enrollment = factories.enrollment(program)
    client.force_login(enrollment.trainee.user)

    listing = client.get("/exams/mine/")
    response = client.post(f"/exams/{paper.pk}/start/", follow=True)

    assert "开始" in listing.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/exams/attempts/{paper.attempts.get().pk}/"


def test_organizer_pages_closed_to_trainees_others_and_leadership_changes(client, sitting):
    attempt, questions, a, _b = sitting
    exam_url = f"/exams/programs/ZK2013/{attempt.exam.pk}/"
    grading = f"{exam_url}grading/{questions[2].pk}/"
    client.force_login(a)
    assert client.get(exam_url + "results/").status_code == 404
    assert client.get("/exams/bank/").status_code == 403
    client.force_login(factories.user("organizer"))  # of no program
    assert client.get(exam_url).status_code == 404
    client.force_login(factories.user("leadership"))
    assert client.get(exam_url + "results/").status_code == 200
    assert client.get(grading).status_code == 403


def test_grading_view_saves_points_or_explains_without_saving(client, organizer, sitting):
    attempt, questions, _a, _b = sitting
    attempt, _ = attempts_services.attempt_submit(attempt=attempt)
    essay = attempt.answers.get(question=questions[2])
    url = f"/exams/programs/ZK2013/{attempt.exam.pk}/grading/{questions[2].pk}/"
    client.force_login(organizer)

    bad = client.post(url, {f"points_{essay.pk}": "12"})
    good = client.post(url, {f"points_{essay.pk}": "7.5"})

    assert "得分须在 0 到 10 之间" in bad.content.decode()
    assert good.status_code == 302
    essay.refresh_from_db()
    assert (essay.points_awarded, essay.graded_by) == (Decimal("7.5"), organizer)


def test_paper_scores_grid_saves_all_or_nothing(client, organizer, program):
    paper = exam(program, mode=Exam.Mode.PAPER)
    a, b = factories.enrollment(program), factories.enrollment(program)
    url = f"/exams/programs/ZK2013/{paper.pk}/scores/"
    client.force_login(organizer)

    bad = client.post(url, {f"score_{a.pk}": "88", f"score_{b.pk}": "八十"})
    assert paper.attempts.count() == 0
    good = client.post(url, {f"score_{a.pk}": "88", f"score_{b.pk}": ""})

    assert "“八十”不是数字" in bad.content.decode()
    assert good.status_code == 302
    assert dict(paper.attempts.values_list("enrollment_id", "score")) == {a.pk: Decimal(88)}


# Query counts: the same at 10 and 200 trainees, and at 10 and 50 questions.


def class_sits(paper, program, count, questions):
    """`count` trainees who have handed in `paper`, written in bulk (reads are measured)."""
    now = timezone.now()
    enrollments = [
        factories.enrollment(program, factories.trainee(with_login=False)) for _ in range(count)
    ]
    attempts = Attempt.objects.bulk_create(
        Attempt(
            exam=paper,
            enrollment=e,
            started_at=now,
            deadline=now,
            submitted_at=now,
            score=Decimal(n % 100),
            status=Attempt.Status.GRADED,
        )
        for n, e in enumerate(enrollments)
    )
    Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            question=q,
            choices=right_choices(q)[:1],
            text="答",
            points_awarded=Decimal(1),
        )
        for attempt in attempts
        for q in questions
    )


def questions_for(count):
    return [question(text=f"第{n}题") for n in range(count - 1)] + [
        question(Question.Kind.SHORT_ANSWER, text="简答题", points=10)
    ]


@pytest.mark.parametrize("page", ["results/", "grading/", "", "gains"])
def test_organizer_pages_query_count_same_at_10_and_200_trainees(
    client, organizer, program, page, django_assert_max_num_queries
):
    questions = questions_for(10)
    paper = exam(program, questions)
    class_sits(paper, program, 10, questions)
    client.force_login(organizer)
    url = f"/exams/programs/ZK2013/{paper.pk}/{page}"
    if page == "gains":
        url = "/exams/programs/ZK2013/gains/"
    if page == "grading/":
        url += f"{questions[-1].pk}/"
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    class_sits(paper, program, 190, questions)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", ["results/", ""])
def test_organizer_pages_query_count_same_at_10_and_50_questions(
    client, organizer, program, page, django_assert_max_num_queries
):
    client.force_login(organizer)
    few, many = questions_for(10), questions_for(50)
    small_exam, large_exam = exam(program, few), exam(program, many)
    class_sits(small_exam, program, 5, few)
    class_sits(large_exam, program, 5, many)
    with django_assert_max_num_queries(40) as small:
        client.get(f"/exams/programs/ZK2013/{small_exam.pk}/{page}")

    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"/exams/programs/ZK2013/{large_exam.pk}/{page}")


def test_exam_page_query_count_same_at_10_and_50_questions_and_200_trainees(
    client, program, django_assert_max_num_queries
):
    few, many = questions_for(10), questions_for(50)
    small_exam, large_exam = exam(program, few), exam(program, many)
    trainee = factories.enrollment(program)
    small = attempts_services.attempt_start(exam=small_exam, enrollment=trainee)
    large = attempts_services.attempt_start(exam=large_exam, enrollment=trainee)
    client.force_login(trainee.trainee.user)
    client.get(f"/exams/attempts/{small.pk}/")  # a session's first request writes it once
    with django_assert_max_num_queries(30) as baseline:
        client.get(f"/exams/attempts/{small.pk}/")
    class_sits(large_exam, program, 200, many)

    with django_assert_max_num_queries(len(baseline.captured_queries)) as measured:
        response = client.get(f"/exams/attempts/{large.pk}/")

    assert len(response.context["items"]) == 50
    assert len(measured.captured_queries) == len(baseline.captured_queries)


def test_answer_save_is_a_few_small_queries(client, sitting, django_assert_num_queries):
    attempt, questions, a, _b = sitting
    client.force_login(a)
    right = right_choices(questions[0])
    answer(client, attempt, questions[0], choice=right)  # the answer key is now cached

    # The session, the user and the update: the attempt's owner and the answer key are kept
    # in the process after the first save.
    with django_assert_num_queries(3) as captured:
        response = answer(client, attempt, questions[0], choice=right, revision=2)

    assert response.json()["saved"] == [questions[0].pk]
    statements = [q["sql"].split()[0] for q in captured.captured_queries]
    assert statements == ["SELECT", "SELECT", "UPDATE"]


def test_admin_shows_a_started_exams_questions_read_only(client, sitting):
    attempt, _questions, _a, _b = sitting
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    row = attempt.exam.exam_questions.first()

    page = client.get(f"/admin/exams/examquestion/{row.pk}/change/").content.decode()

    assert 'name="_save"' not in page


def test_paper_grid_does_not_overwrite_a_score_changed_meanwhile(client, organizer, program):
    paper = exam(program, mode=Exam.Mode.PAPER)
    a, b = factories.enrollment(program), factories.enrollment(program)
    url = f"/exams/programs/ZK2013/{paper.pk}/scores/"
    client.force_login(organizer)
    # Loaded when both were empty; meanwhile another organizer imports 90 for b.
    paper_services.paper_scores_set(exam=paper, scores={b.pk: Decimal(90)}, user=organizer)

    response = client.post(
        url,
        {
            f"score_{a.pk}": "85",
            f"was_score_{a.pk}": "",
            f"score_{b.pk}": "70",
            f"was_score_{b.pk}": "",
        },
    )

    assert "在此期间有人修改了这个分数" in response.content.decode()
    assert dict(paper.attempts.values_list("enrollment_id", "score")) == {b.pk: Decimal(90)}


def test_paper_grid_leaves_untouched_fields_alone(client, organizer, program):
    paper = exam(program, mode=Exam.Mode.PAPER)
    a, b = factories.enrollment(program), factories.enrollment(program)
    paper_services.paper_scores_set(exam=paper, scores={b.pk: Decimal(90)}, user=organizer)
    client.force_login(organizer)
    paper_services.paper_scores_set(exam=paper, scores={b.pk: Decimal(95)}, user=organizer)

    # This page was loaded when b had 90 and did not touch it: b keeps 95.
    client.post(
        f"/exams/programs/ZK2013/{paper.pk}/scores/",
        {
            f"score_{a.pk}": "85",
            f"was_score_{a.pk}": "",
            f"score_{b.pk}": "90",
            f"was_score_{b.pk}": "90",
        },
    )

    assert dict(paper.attempts.values_list("enrollment_id", "score")) == {
        a.pk: Decimal(85),
        b.pk: Decimal(95),
    }


def test_score_grid_refuses_nan(client, organizer, program):
    paper = exam(program, mode=Exam.Mode.PAPER)
    a = factories.enrollment(program)
    client.force_login(organizer)

    response = client.post(f"/exams/programs/ZK2013/{paper.pk}/scores/", {f"score_{a.pk}": "NaN"})

    assert response.status_code == 200
    assert "“NaN”不是数字" in response.content.decode()


def test_grading_a_column_takes_the_same_queries_at_10_and_200_trainees(
    client, organizer, program, django_assert_max_num_queries
):
    client.force_login(organizer)

    def grade_everyone(count):
        questions = questions_for(2)
        paper = exam(program, questions)
        class_sits(paper, program, count, questions)
        essay = questions[-1]
        answers = Answer.objects.filter(attempt__exam=paper, question=essay)
        url = f"/exams/programs/ZK2013/{paper.pk}/grading/{essay.pk}/"
        data = {f"points_{a.pk}": "6" for a in answers} | {
            f"was_points_{a.pk}": "1" for a in answers
        }
        return url, data, paper

    small_url, small_data, _small = grade_everyone(10)
    large_url, large_data, large = grade_everyone(200)
    with django_assert_max_num_queries(40) as small:
        assert client.post(small_url, small_data).status_code == 302

    # One more at most: SQLite writes the 200 score changes in two batches (its limit of
    # parameters a statement); PostgreSQL in one.
    with django_assert_max_num_queries(len(small.captured_queries) + 1):
        assert client.post(large_url, large_data).status_code == 302

    assert set(large.attempts.values_list("score", flat=True)) == {Decimal(7)}


def test_exam_questions_offers_the_organizers_programs_exams_to_copy(client, organizer, program):
    """Last year's exam of the organizer's own program may be copied; another organizer's is
    neither offered nor taken (issue 17)."""
    target = exam(program, title="结业考试")
    last_year = factories.program(organizers=[organizer], code="ZK2012")
    own = exam(last_year, [question()], title="去年的结业考试")
    theirs = exam(factories.program(code="LY2013"), [question()], title="溧阳的结业考试")
    client.force_login(organizer)
    url = f"/exams/programs/{program.code}/{target.pk}/questions/"

    page = client.get(url).content.decode()
    refused = client.post(url, {"action": "copy", "source": theirs.pk})
    copied = client.post(url, {"action": "copy", "source": own.pk})

    assert ("去年的结业考试" in page, "溧阳的结业考试" in page) == (True, False)
    assert (refused.status_code, copied.status_code) == (404, 302)
    assert list(target.exam_questions.values_list("question", flat=True)) == [
        own.exam_questions.get().question_id
    ]
