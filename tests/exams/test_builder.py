"""The exam builder (组卷): the whole bank on the page, filtered by category and keyword, the
running total of what is ticked, and the server's check of what is sent."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams.models import ExamQuestion, Question
from tests import factories
from tests.exams.factories import exam, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(organizer):
    return factories.program(organizers=[organizer], code="ZK2014")


def builder_url(paper):
    return f"/exams/programs/ZK2014/{paper.pk}/questions/"


def items(page):
    """{question id: (shown, ticked)} of the picker's boxes."""
    found = {}
    for item in re.findall(r'<div class="form-check small pick-item".*?</div>', page, re.S):
        pk = int(re.search(r'name="question" value="(\d+)"', item).group(1))
        opening = item.split(">", 1)[0]
        found[pk] = (" hidden" not in opening, " checked" in item)
    return found


def bank(count, categories=("法律法规", "执法规范化", "群众工作", "队伍管理")):
    return [
        question(category=categories[n % len(categories)], text=f"第{n}题 关于派出所工作")
        for n in range(count)
    ]


def test_builder_filters_by_category_and_keyword_and_keeps_the_other_ticks(
    client, organizer, program
):
    law = question(category="法律法规", text="《人民警察法》规定的职责")
    law_other = question(category="法律法规", text="治安管理处罚的程序")
    community = question(category="群众工作", text="社区警务的职责")
    paper = exam(program, [community])
    client.force_login(organizer)

    page = client.get(builder_url(paper), {"category": "法律法规", "q": "职责"}).content.decode()

    assert items(page) == {
        law.pk: (True, False),
        law_other.pk: (False, False),
        community.pk: (False, True),  # hidden by the filter, still ticked, still sent
    }
    assert 'id="pick-category"' in page
    assert 'id="pick-keyword"' in page
    assert 'id="pick-select-shown"' in page
    assert "js/exam_builder.js" in page


def test_builder_filters_the_questions_of_no_category(client, organizer, program):
    plain = question(category="", text="无分类的题")
    sorted_ = question(category="法律法规", text="有分类的题")
    paper = exam(program)
    client.force_login(organizer)

    page = client.get(builder_url(paper), {"category": "-"}).content.decode()

    assert items(page) == {plain.pk: (True, False), sorted_.pk: (False, False)}


def test_builder_shows_how_many_questions_and_points_are_ticked(client, organizer, program):
    chosen = [question(points=Decimal(3)), question(points=Decimal("2.5"))]
    question(points=Decimal(10))
    paper = exam(program, chosen)
    client.force_login(organizer)

    page = client.get(builder_url(paper)).content.decode()

    total = re.search(r'<span id="pick-total"[^>]*>', page).group(0)
    assert 'data-count="2"' in total
    assert 'data-points="5.5"' in total
    assert 'data-points="2.5"' in page  # each box carries its points, unlocalized, for the JS


def test_pick_saves_the_ticked_questions_in_the_banks_order(client, organizer, program):
    questions = bank(6)
    paper = exam(program)
    client.force_login(organizer)
    ticked = [questions[4], questions[1], questions[3]]

    response = client.post(
        builder_url(paper), {"action": "pick", "question": [q.pk for q in ticked]}
    )

    assert response.status_code == 302
    saved = list(paper.exam_questions.order_by("order").values_list("question_id", flat=True))
    assert saved == [q.pk for q in Question.objects.filter(pk__in=saved)]  # category, id
    assert sorted(saved) == sorted(q.pk for q in ticked)


def test_pick_refuses_a_question_id_that_is_not_in_the_bank(client, organizer, program):
    kept = question()
    offered = question()
    paper = exam(program, [kept])
    gone = question()
    gone_pk = gone.pk
    gone.delete()  # deleted meanwhile, or forged: the bank is shared, so "foreign" is "absent"
    client.force_login(organizer)

    response = client.post(
        builder_url(paper), {"action": "pick", "question": [offered.pk, gone_pk]}
    )

    assert response.status_code == 200  # the page again, with the refusal
    assert list(paper.exam_questions.values_list("question_id", flat=True)) == [kept.pk]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_pick_refuses_an_id_that_is_not_a_number(client, organizer, program):
    kept = question()
    offered = question()
    paper = exam(program, [kept])
    client.force_login(organizer)

    client.post(builder_url(paper), {"action": "pick", "question": [offered.pk, "1 OR 1=1"]})

    assert list(paper.exam_questions.values_list("question_id", flat=True)) == [kept.pk]
    assert ExamQuestion.objects.count() == 1


def test_builder_query_count_is_the_same_at_20_and_200_questions(
    client, organizer, program, django_assert_num_queries
):
    questions = bank(20)
    paper = exam(program, questions[:10])
    exam(program, questions[10:], title="结业考试")  # another exam to copy from
    client.force_login(organizer)
    client.get(builder_url(paper))  # the first request of a session pays for its caches
    with CaptureQueriesContext(connection) as small:
        client.get(builder_url(paper))
    more = bank(180)
    ExamQuestion.objects.bulk_create(
        ExamQuestion(exam=paper, question=q, order=100 + n, points=q.points)
        for n, q in enumerate(more[:90])
    )

    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(builder_url(paper)).content.decode()

    assert len(items(page)) == 200
    assert sum(ticked for _shown, ticked in items(page).values()) == 100
