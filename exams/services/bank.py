"""The question bank (题库) as a spreadsheet: import, all or nothing with row-numbered errors,
and export in the same format, so an exported file imports back unchanged.

Columns: 题型 kind, 分类 category, 题干 text, A–F the options, 答案 answer (letters such as
"AC", or 对/错 for true or false; the reference answer of a short-answer question), 分值
points, 解析 explanation. A row whose kind and text are already in the bank updates that
question, unless trainees have answered it in an exam: then only an identical row is accepted.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from exams.models import Choice, Question
from exams.permissions import questions_of_others
from trainees import workbooks
from trainees.spreadsheets import (
    FORMULA_STARTS,
    SpreadsheetError,
    SpreadsheetFileError,
    read_table,
)

LETTERS = "ABCDEF"
COLUMNS = {
    "kind": ("题型", "类型", "kind", "type"),
    "category": ("分类", "类别", "category"),
    "text": ("题干", "题目", "question", "text"),
    **{letter.lower(): (letter.lower(), f"选项{letter.lower()}") for letter in LETTERS},
    "answer": ("答案", "正确答案", "answer"),
    "points": ("分值", "分数", "points"),
    "explanation": ("解析", "说明", "explanation"),
}
REQUIRED = ("kind", "text", "answer")
LABELS = {
    "kind": "题型",
    "category": "分类",
    "text": "题干",
    "answer": "答案",
    "explanation": "解析",
}
HEADERS = ["题型", "分类", "题干", *LETTERS, "答案", "分值", "解析"]
KIND_NAMES = {
    Question.Kind.SINGLE: ("单选", "单选题", "单项选择题", "single"),
    Question.Kind.MULTIPLE: ("多选", "多选题", "多项选择题", "multiple"),
    Question.Kind.TRUE_FALSE: ("判断", "判断题", "true_false", "true/false"),
    Question.Kind.SHORT_ANSWER: ("简答", "简答题", "short_answer", "short answer"),
}
KINDS = {name: kind for kind, names in KIND_NAMES.items() for name in names}
TRUE_WORDS = ("对", "正确", "√", "是", "T", "TRUE", "Y")
FALSE_WORDS = ("错", "错误", "×", "否", "F", "FALSE", "N")
TRUE_FALSE_CHOICES = ("正确", "错误")
MAX_LENGTH = {"category": 50, "option": 500}  # as the model's fields
ANSWER_LETTERS = re.compile(r"^[A-F]+$")


@dataclass
class QuestionRow:
    number: int
    kind: str
    category: str
    text: str
    choices: list  # [(text, is_correct)]
    reference: str  # a short answer's reference answer (kept in the explanation)
    points: Decimal
    explanation: str
    action: str = "create"
    question: Question | None = None

    @property
    def kind_label(self):
        return Question.Kind(self.kind).label


@dataclass
class BankImport:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)


def parse_row(row):
    """A QuestionRow from one spreadsheet row, or the list of its errors."""
    values, errors = row.values, []

    def error(column, message):
        errors.append(SpreadsheetError(row.number, column, message))

    for column, text in values.items():
        if column != "points" and text.startswith(FORMULA_STARTS):
            error(LABELS.get(column, column.upper()), _("A cell may not start with =, +, - or @."))
    kind = KINDS.get(values.get("kind", "").lower()) or KINDS.get(values.get("kind", ""))
    if kind is None:
        error("题型", _("Unknown question type “%(kind)s”.") % {"kind": values.get("kind", "")})
    text = values.get("text", "")
    if not text:
        error("题干", _("The question text is missing."))
    category = values.get("category", "")
    if len(category) > MAX_LENGTH["category"]:
        error("分类", _("At most %(max)s characters.") % {"max": MAX_LENGTH["category"]})
    options = [(letter, values.get(letter.lower(), "")) for letter in LETTERS]
    while options and not options[-1][1]:
        options.pop()
    for letter, option in options:
        if len(option) > MAX_LENGTH["option"]:
            error(letter, _("At most %(max)s characters.") % {"max": MAX_LENGTH["option"]})
    if any(not option for _letter, option in options):
        error("A–F", _("The options must be filled from A on, without gaps."))
    answer = values.get("answer", "").strip()
    points_text = values.get("points", "") or "1"
    try:
        points = Decimal(points_text)
        if not (0 < points <= 100) or points != points.quantize(Decimal("0.1")):
            raise InvalidOperation
    except InvalidOperation:
        error("分值", _("Points must be a number above 0 with at most one decimal."))
        points = Decimal(1)
    choices, reference = [], ""
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        letters = answer.upper().replace(",", "").replace("，", "").replace(" ", "")
        if len(options) < 2:
            error("A–F", _("A choice question needs at least two options."))
        if not ANSWER_LETTERS.match(letters):
            error("答案", _("The answer must be option letters, e.g. B or ACD."))
        elif any(LETTERS.index(letter) >= len(options) for letter in letters):
            error("答案", _("The answer names an option that is empty."))
        elif kind == Question.Kind.SINGLE and len(set(letters)) != 1:
            error("答案", _("A single-choice question has exactly one answer."))
        elif kind == Question.Kind.MULTIPLE and len(set(letters)) < 2:
            error("答案", _("A multiple-choice question has at least two answers."))
        choices = [(option, letter in letters) for letter, option in options]
    elif kind == Question.Kind.TRUE_FALSE:
        if options:
            error("A–F", _("A true-or-false question has no options."))
        word = answer.upper()
        if word not in TRUE_WORDS and word not in FALSE_WORDS:
            error("答案", _("The answer of a true-or-false question is 对 or 错."))
        truth = word in TRUE_WORDS
        choices = [(TRUE_FALSE_CHOICES[0], truth), (TRUE_FALSE_CHOICES[1], not truth)]
    elif kind == Question.Kind.SHORT_ANSWER:
        if options:
            error("A–F", _("A short-answer question has no options."))
        reference = answer
    if errors:
        return errors
    return QuestionRow(
        number=row.number,
        kind=kind,
        category=category,
        text=text,
        choices=choices,
        reference=reference,
        points=points,
        explanation=values.get("explanation", ""),
    )


def explanation_of(row):
    """A short answer's reference answer is kept at the head of its explanation."""
    if row.kind != Question.Kind.SHORT_ANSWER:
        return row.explanation
    return "\n".join(part for part in (reference_line(row.reference), row.explanation) if part)


def reference_line(reference):
    return f"参考答案：{reference}" if reference else ""


def same_as(question, row):
    existing = [(c.text, c.is_correct) for c in question.choices.all()]
    return (
        question.category == row.category
        and question.points == row.points
        and question.explanation == explanation_of(row)
        and existing == row.choices
    )


def others_question():
    """Why a question of another program's paper does not change."""
    return _(
        "This question is in an exam of a program you do not organize: add yours as a new question."
    )


def plan_rows(rows, user=None):
    """Match each row with the bank by (kind, text): create, update or unchanged."""
    result = BankImport()
    seen = {}
    parsed = []
    for row in rows:
        outcome = parse_row(row)
        if isinstance(outcome, list):
            result.errors.extend(outcome)
            continue
        twin = seen.get((outcome.kind, outcome.text))
        if twin:
            result.errors.append(
                SpreadsheetError(
                    row.number, "题干", _("The same question as row %(row)s.") % {"row": twin}
                )
            )
            continue
        seen[(outcome.kind, outcome.text)] = row.number
        parsed.append(outcome)
    existing = {
        (q.kind, q.text): q
        for q in Question.objects.filter(text__in=[r.text for r in parsed]).prefetch_related(
            "choices"
        )
    }
    answered = set(
        Question.objects.filter(pk__in=[q.pk for q in existing.values()], answers__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    others = questions_of_others(user, [q.pk for q in existing.values()])
    for row in parsed:
        question = existing.get((row.kind, row.text))
        if question is not None:
            row.question = question
            row.action = "unchanged" if same_as(question, row) else "update"
            if row.action == "update" and question.pk in others:
                result.errors.append(SpreadsheetError(row.number, "题干", others_question()))
            elif row.action == "update" and question.pk in answered:
                result.errors.append(
                    SpreadsheetError(
                        row.number,
                        "题干",
                        _("Trainees have answered this question in an exam: it cannot change."),
                    )
                )
        result.rows.append(row)
    return result


def bank_import(*, name, content, dry_run=False, user=None):
    """Check every row; unless dry_run or any error, write them all in one transaction. A row
    may not change a question placed in an exam of a program `user` does not organize."""
    try:
        table = read_table(
            name,
            content,
            COLUMNS,
            REQUIRED,
            _("No header row found: the file needs the columns 题型, 题干 and 答案."),
        )
    except SpreadsheetFileError as error:
        return BankImport(errors=[SpreadsheetError(None, "", str(error))])
    if not table.rows:
        return BankImport(errors=[SpreadsheetError(None, "", _("The file has no questions."))])
    result = plan_rows(table.rows, user=user)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for row in result.rows:
            if row.action != "unchanged":
                question_write(row=row, question=row.question)
    return result


class QuestionAnswered(Exception):
    """A question trainees have answered keeps its text, options and points."""


def question_save(*, row, question=None, user=None):
    """Save one question typed in the browser (a new one, or `question` edited). A question
    placed in an exam of a program `user` does not organize is refused: it is that paper's."""
    with transaction.atomic():
        if question is not None:
            question = Question.objects.select_for_update().get(pk=question.pk)
            unchanged = (question.kind, question.text) == (row.kind, row.text) and same_as(
                question, row
            )
            if unchanged:
                return question
            if questions_of_others(user, [question.pk]):
                raise QuestionAnswered(others_question())
            if question.answers.exists():
                raise QuestionAnswered(
                    _("Trainees have answered this question in an exam: it cannot change.")
                )
        return question_write(row=row, question=question)


def question_write(*, row, question=None):
    question = question or Question()
    question.kind, question.text = row.kind, row.text
    question.category, question.points = row.category, row.points
    question.explanation = explanation_of(row)
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, text=text, is_correct=correct) for text, correct in row.choices
    )
    return question


def answer_text(question, choices):
    if question.kind == Question.Kind.TRUE_FALSE:
        return "对" if choices and choices[0].is_correct else "错"
    if question.kind == Question.Kind.SHORT_ANSWER:
        first = question.explanation.split("\n", 1)[0]
        return first.removeprefix("参考答案：") if first.startswith("参考答案：") else ""
    return "".join(LETTERS[i] for i, c in enumerate(choices) if c.is_correct)


def explanation_text(question):
    if question.kind == Question.Kind.SHORT_ANSWER and question.explanation.startswith(
        "参考答案："
    ):
        return question.explanation.split("\n", 1)[1] if "\n" in question.explanation else ""
    return question.explanation


def bank_rows(questions):
    """The rows of an export, in the import's columns."""
    for question in questions:
        choices = list(question.choices.all())
        options = [] if question.kind == Question.Kind.TRUE_FALSE else [c.text for c in choices]
        options += [""] * (len(LETTERS) - len(options))
        yield [
            KIND_NAMES[question.kind][0],
            question.category,
            question.text,
            *options,
            answer_text(question, choices),
            f"{question.points.normalize():f}",
            explanation_text(question),
        ]


def bank_export(questions):
    """An .xlsx of `questions` that bank_import reads back unchanged."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = workbooks.workbook()
    sheet = workbooks.sheet(book, "题库")
    for column, width in enumerate((8, 12, 60, *[24] * 6, 10, 8, 40), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    workbooks.append(sheet, HEADERS, font=Font(bold=True))
    for row in bank_rows(questions.prefetch_related("choices")):
        workbooks.append(sheet, row)
    return workbooks.content(book)
