from decimal import Decimal

import pytest

from demo import data
from exams.models import Choice, Exam, Question
from exams.services import attempts, bank, paper
from tests import factories, rosters
from tests.exams.factories import exam, question

pytestmark = pytest.mark.django_db

HEADER = bank.HEADERS
SINGLE = [
    "单选",
    "法律法规",
    "治安管理处罚的种类不包括？",
    "警告",
    "罚款",
    "责令停产停业",
    "行政拘留",
    "",
    "",
    "C",
    "3",
    "第十条",
]
MULTIPLE = [
    "多选",
    "群众工作",
    "“枫桥经验”的要点有？",
    "依靠群众",
    "就地化解",
    "矛盾上交",
    "",
    "",
    "",
    "AB",
    "4",
    "",
]
TRUE_FALSE = [
    "判断",
    "队伍管理",
    "民警非工作时间遇紧急情况应当履行职责。",
    *[""] * 6,
    "对",
    "2",
    "",
]
SHORT = [
    "简答",
    "执法规范化",
    "简述执法记录仪的使用要求。",
    *[""] * 6,
    "全过程记录，及时存储。",
    "8",
    "依据视音频记录规定",
]


def import_rows(rows, name="bank.xlsx", dry_run=False):
    content = rosters.xlsx(rows, header=HEADER, title=None)
    return bank.bank_import(name=name, content=content, dry_run=dry_run)


def test_bank_import_creates_each_kind_with_its_answer():
    result = import_rows([SINGLE, MULTIPLE, TRUE_FALSE, SHORT])

    assert result.errors == []
    single = Question.objects.get(kind="single")
    assert [(c.text, c.is_correct) for c in single.choices.all()] == [
        ("警告", False),
        ("罚款", False),
        ("责令停产停业", True),
        ("行政拘留", False),
    ]
    multiple = Question.objects.get(kind="multiple")
    assert [c.is_correct for c in multiple.choices.all()] == [True, True, False]
    true_false = Question.objects.get(kind="true_false")
    assert [(c.text, c.is_correct) for c in true_false.choices.all()] == [
        ("正确", True),
        ("错误", False),
    ]
    short = Question.objects.get(kind="short_answer")
    assert (short.points, short.explanation) == (
        Decimal(8),
        "参考答案：全过程记录，及时存储。\n依据视音频记录规定",
    )


def test_bank_export_imports_back_unchanged():
    import_rows([SINGLE, MULTIPLE, TRUE_FALSE, SHORT])

    exported = bank.bank_export(Question.objects.order_by("pk"))
    again = bank.bank_import(name="export.xlsx", content=exported)

    assert again.errors == []
    assert [row.action for row in again.rows] == ["unchanged"] * 4
    assert Question.objects.count() == 4


def test_bank_import_reports_each_bad_row_and_writes_nothing():
    rows = [
        SINGLE,
        ["单选", "法律法规", "无答案的题", "甲", "乙", "", "", "", "", "E", "3", ""],
        ["填空", "法律法规", "未知题型", "", "", "", "", "", "", "甲", "2", ""],
        ["判断", "队伍管理", "判断题答案错误", "", "", "", "", "", "", "也许", "2", ""],
        ["多选", "群众工作", "只有一个答案的多选", "甲", "乙", "丙", "", "", "", "A", "4", ""],
        ["单选", "法律法规", "分值错误", "甲", "乙", "", "", "", "", "A", "-1", ""],
        SINGLE,
    ]

    result = import_rows(rows)

    assert [str(error) for error in result.errors] == [
        "第 3 行，答案：答案选项为空。",
        "第 4 行，题型：未知的题型“填空”。",
        "第 5 行，答案：判断题的答案为“对”或“错”。",
        "第 6 行，答案：多选题至少有两个正确答案。",
        "第 7 行，分值：分值须为大于 0 的数，最多一位小数。",
        "第 8 行，题干：与第 2 行是同一道题。",
    ]
    assert not Question.objects.exists()


def test_bank_import_refuses_to_change_an_answered_question():
    import_rows([SINGLE])
    program = factories.program()
    paper = exam(program, Question.objects.all())
    attempts.attempt_start(exam=paper, enrollment=factories.enrollment(program))
    changed = [*SINGLE[:9], "B", *SINGLE[10:]]

    result = import_rows([changed])

    assert [str(error) for error in result.errors] == [
        "第 2 行，题干：已有学员在考试中答过此题，不能再修改。"
    ]
    assert Choice.objects.get(question__kind="single", is_correct=True).text == "责令停产停业"


def test_demo_question_bank_imports_without_errors():
    result = bank.bank_import(
        name=data.QUESTION_BANK.name, content=data.QUESTION_BANK.read_bytes(), dry_run=True
    )

    assert result.errors == []
    first = result.rows[: data.EXAM_QUESTIONS]
    assert sum(row.points for row in first) == Decimal(100)


def paper_exam():
    program = factories.program()
    alice = factories.enrollment(program, factories.trainee("410001", name="张伟"))
    bob = factories.enrollment(program, factories.trainee("410002", name="李娜"))
    factories.enrollment(program, factories.trainee("410003", name="王芳"))
    return exam(program, mode=Exam.Mode.PAPER, full_marks=Decimal(100)), alice, bob


def scores_file(rows):
    return rosters.xlsx(rows, header=["警号", "姓名", "成绩"], title="结业考试成绩")


def test_paper_scores_import_saves_every_score():
    paper_, alice, bob = paper_exam()

    result = paper.scores_import(
        exam=paper_,
        name="scores.xlsx",
        content=scores_file([["410001", "张伟", 86.5], ["410002", "", 72]]),
        user=factories.user("organizer"),
    )

    assert result.errors == []
    assert dict(paper_.attempts.values_list("enrollment_id", "score")) == {
        alice.pk: Decimal("86.5"),
        bob.pk: Decimal(72),
    }


def test_paper_scores_import_reports_rows_and_writes_nothing():
    paper_, _alice, _bob = paper_exam()
    rows = [
        ["410001", "张伟", 86],
        ["499999", "", 70],
        ["410002", "王芳", 70],
        ["410001", "张伟", 90],
        ["410003", "", 101],
    ]

    result = paper.scores_import(
        exam=paper_, name="scores.xlsx", content=scores_file(rows), user=factories.user()
    )

    assert [str(error) for error in result.errors] == [
        "第 4 行，警号：本培训班没有警号为 499999 的学员。",
        "第 5 行，姓名：警号 410002 属于李娜。",
        "第 6 行，警号：与第 3 行的警号相同。",
        "第 7 行，成绩：成绩须在 0 到 100 之间，最多一位小数。",
    ]
    assert not paper_.attempts.exists()


def test_question_form_saves_a_typed_question(client):
    organizer = factories.user("organizer")
    client.force_login(organizer)

    response = client.post(
        "/exams/bank/new/",
        {
            "kind": "single",
            "category": "法律法规",
            "text": "派出所的上级是？",
            "options": "县级公安机关\n乡镇政府",
            "answer": "A",
            "points": "3",
            "explanation": "",
        },
    )

    assert response.status_code == 302
    created = Question.objects.get(text="派出所的上级是？")
    assert [c.is_correct for c in created.choices.all()] == [True, False]


def test_question_form_explains_a_bad_answer(client):
    client.force_login(factories.user("organizer"))
    question(text="已有题")

    response = client.post(
        "/exams/bank/new/",
        {"kind": "single", "text": "新题", "options": "甲\n乙", "answer": "C", "points": "3"},
    )

    assert response.status_code == 200
    assert "答案选项为空。" in response.content.decode()


def test_bank_import_of_an_empty_file_or_one_without_its_columns_writes_nothing():
    empty = bank.bank_import(name="bank.csv", content=b"")
    wrong = bank.bank_import(
        name="bank.csv", content=rosters.csv_bytes([["张伟", "410001"]], header=["姓名", "警号"])
    )

    assert [str(error) for error in empty.errors] == ["文件是空的。"]
    assert [str(error) for error in wrong.errors] == [
        "未找到表头行：文件须包含“题型”“题干”“答案”列。"
    ]
    assert not Question.objects.exists()


def test_bank_import_refuses_values_too_long_for_their_field():
    long_option = [*SINGLE[:3], "甲" * 501, *SINGLE[4:]]
    long_category = [SINGLE[0], "类" * 51, *SINGLE[2:]]

    result = import_rows([long_option, long_category])

    assert [str(error) for error in result.errors] == [
        "第 2 行，A：最多 500 个字符。",
        "第 3 行，分类：最多 50 个字符。",
    ]
    assert not Question.objects.exists()


def test_paper_scores_import_of_an_empty_file_or_wrong_columns_writes_nothing():
    paper_, _alice, _bob = paper_exam()
    user = factories.user()

    empty = paper.scores_import(exam=paper_, name="s.csv", content=b"", user=user)
    wrong = paper.scores_import(
        exam=paper_,
        name="s.xlsx",
        content=rosters.xlsx([["410001", 80]], header=["警号", "备注"], title=None),
        user=user,
    )

    assert [str(error) for error in empty.errors] == ["文件是空的。"]
    assert [str(error) for error in wrong.errors] == ["未找到表头行：文件须包含“警号”“成绩”列。"]
    assert not paper_.attempts.exists()
