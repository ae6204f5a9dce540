"""The Word files for the leadership: the essays' compilation and the groups' starred ideas."""

import io
from datetime import date

import docx
import pytest
from django.utils import timezone, translation
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Pt

from discussions.documents import essays_docx, ideas_docx
from discussions.models import DiscussionRecord, Essay, Grade, Idea
from tests import factories
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db

ESSAYS_TITLE = "常州市公安派出所长素质能力提升专题培训班 学习心得体会汇编"
IDEAS_TITLE = "常州市公安派出所长素质能力提升专题培训班 金点子汇编"
TOC_INSTRUCTION = ' TOC \\o "1-1" \\h \\z \\u '


def essay(enrollment, title, body, **fields):
    """A handed-in essay."""
    return Essay.objects.create(
        enrollment=enrollment,
        title=title,
        body=body,
        status=Essay.Status.SUBMITTED,
        submitted_at=timezone.now(),
        **fields,
    )


def essays_of(program):
    """The essays as the export view reads them."""
    return (
        Essay.objects.filter(enrollment__program=program)
        .select_related("enrollment__trainee__unit", "enrollment__group")
        .order_by("pk")
    )


def starred_ideas_of(program):
    """The starred ideas as the export view reads them, by group."""
    return (
        Idea.objects.filter(record__group__program=program, starred=True)
        .select_related("record__group", "record__activity", "author__trainee__unit")
        .order_by("record__group__number", "pk")
    )


def opened(data):
    return docx.Document(io.BytesIO(data))


def texts(document, style):
    return [p.text for p in document.paragraphs if p.style.name == style]


def from_first_heading(document):
    """The text of every paragraph from the first essay's (or group's) heading on."""
    paragraphs = document.paragraphs
    first = next(n for n, p in enumerate(paragraphs) if p.style.name == "Heading 1")
    return [p.text for p in paragraphs[first:]]


@pytest.fixture
def program():
    return factories.program(
        title="常州市公安派出所长素质能力提升专题培训班",
        start_date=date(2023, 1, 2),
        end_date=date(2023, 1, 4),
    )


@pytest.fixture
def two_essays(program):
    """龚定俊's graded, outstanding essay in group 1; 方圆's untitled one, in no group."""
    first = factories.enrollment(
        program,
        factories.trainee(name="龚定俊", unit=factories.unit("溧阳市公安局竹箦派出所")),
        group=factories.group(program, number=1),
    )
    second = factories.enrollment(
        program,
        factories.trainee(name="方圆", unit=factories.unit("常州市公安局金坛分局儒林派出所")),
    )
    essay(
        first,
        "学深悟透二十大精神 争当新时代合格所长",
        "　　三天培训，收获满满。\n\n一是思想上受到洗礼。\r\n  二是能力上得到提升。  \n",
        grade=Grade.EXCELLENT,
        excellent=True,
    )
    essay(second, "", "用警察的辛苦指数换取群众的幸福指数。")


def test_essays_docx_reads_the_essays_without_a_query_of_its_own(
    program, two_essays, django_assert_num_queries
):
    with django_assert_num_queries(1):
        essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE)


def test_essays_docx_gives_each_essay_its_title_byline_and_lines(program, two_essays):
    document = opened(essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE))

    assert from_first_heading(document) == [
        "学深悟透二十大精神 争当新时代合格所长",
        "龚定俊 · 溧阳市公安局竹箦派出所 · 第1组 · 等次：优秀 · 优秀心得",
        "三天培训，收获满满。",
        "一是思想上受到洗礼。",
        "二是能力上得到提升。",
        "学习心得体会",
        "方圆 · 常州市公安局金坛分局儒林派出所",
        "用警察的辛苦指数换取群众的幸福指数。",
    ]
    assert texts(document, "Heading 1") == ["学深悟透二十大精神 争当新时代合格所长", "学习心得体会"]


def test_essays_docx_indents_the_first_line_of_each_body_paragraph_two_characters(
    program, two_essays
):
    document = opened(essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE))

    body = document.styles["Body Text First Indent"]
    assert texts(document, "Body Text First Indent") == [
        "三天培训，收获满满。",
        "一是思想上受到洗礼。",
        "二是能力上得到提升。",
        "用警察的辛苦指数换取群众的幸福指数。",
    ]
    assert body.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert body.paragraph_format.first_line_indent == Pt(24)


def test_essays_docx_shows_the_grade_in_chinese_whatever_the_active_language(program, two_essays):
    with translation.override("en"):
        data = essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE)

    assert from_first_heading(opened(data))[1] == (
        "龚定俊 · 溧阳市公安局竹箦派出所 · 第1组 · 等次：优秀 · 优秀心得"
    )


def test_essays_docx_has_a_cover_with_title_dates_and_count(program, two_essays):
    document = opened(essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE))

    assert [p.text for p in document.paragraphs[:3]] == [
        "常州市公安派出所长素质能力提升专题培训班\n学习心得体会汇编",
        "2023年1月2日至4日",
        "共收录心得体会2篇",
    ]
    assert document.paragraphs[0].style.name == "Title"
    assert document.core_properties.title == ESSAYS_TITLE
    assert document.core_properties.author == ""


def test_essays_docx_has_a_toc_field_filled_with_links_to_the_headings(program, two_essays):
    document = opened(essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE))

    instructions = [text.text for text in document.element.body.iter(qn("w:instrText"))]
    entries = [
        (link.fragment, link.text)
        for paragraph in document.paragraphs
        if paragraph.style.name == "toc 1"
        for link in paragraph.hyperlinks
    ]
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    bookmarks = [p._p.find(qn("w:bookmarkStart")).get(qn("w:name")) for p in headings]
    update = document.settings.element.find(qn("w:updateFields"))

    assert texts(document, "TOC Heading") == ["目录"]
    assert instructions == [TOC_INSTRUCTION]
    assert entries == [
        ("_TocEssay1", "学深悟透二十大精神 争当新时代合格所长 — 龚定俊"),
        ("_TocEssay2", "学习心得体会 — 方圆"),
    ]
    assert bookmarks == ["_TocEssay1", "_TocEssay2"]
    assert update.get(qn("w:val")) == "true"


def test_essays_docx_starts_each_essay_on_a_new_numbered_page(program, two_essays):
    document = opened(essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE))

    cover, essays = document.sections
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    footer = essays.footer
    instructions = [text.text for text in footer._element.iter(qn("w:instrText"))]

    # The first essay opens the numbered section; the others break the page themselves.
    assert essays.start_type == WD_SECTION.NEW_PAGE
    assert [p.paragraph_format.page_break_before for p in headings] == [None, True]
    assert cover.footer.is_linked_to_previous  # no footer: the cover is not numbered
    assert not footer.is_linked_to_previous
    assert footer.paragraphs[0].text == "— 1 —"
    assert instructions == [" PAGE "]
    assert essays._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


@pytest.mark.parametrize("build", ["essays", "ideas"])
def test_documents_set_chinese_fonts_and_an_a4_page(program, build):
    if build == "essays":
        data = essays_docx(program=program, essays=[], title=ESSAYS_TITLE)
    else:
        data = ideas_docx(program=program, ideas=[], title=IDEAS_TITLE)
    document = opened(data)
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))

    def east_asian(rpr):
        return rpr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    section = document.sections[0]
    assert east_asian(defaults) == "SimSun"
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert east_asian(styles["Normal"].element.rPr) == "SimSun"
    assert east_asian(styles["Heading 1"].element.rPr) == "SimHei"
    assert east_asian(styles["Title"].element.rPr) == "SimHei"
    assert (styles["Normal"].font.size, styles["Heading 1"].font.size) == (Pt(12), Pt(16))
    assert styles["Title"].font.size == Pt(22)
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [
        round(margin.cm, 1)
        for margin in (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ] == [3.7, 3.5, 2.8, 2.6]


def test_essays_docx_without_essays_is_a_document_with_an_empty_toc(program):
    document = opened(essays_docx(program=program, essays=[], title=ESSAYS_TITLE))

    instructions = [text.text for text in document.element.body.iter(qn("w:instrText"))]
    assert texts(document, "Heading 1") == []
    assert document.paragraphs[2].text == "共收录心得体会0篇"
    assert instructions == [TOC_INSTRUCTION]
    assert len(document.sections) == 1


def test_essays_docx_drops_characters_that_xml_forbids(program):
    enrollment = factories.enrollment(program, factories.trainee(name="邹雨枫"))
    essay(enrollment, "心得\x0b体会", "第一段\x0c。\n第二段\x1f。")

    document = opened(essays_docx(program=program, essays=essays_of(program), title=ESSAYS_TITLE))

    assert texts(document, "Heading 1") == ["心得体会"]
    assert texts(document, "Body Text First Indent") == ["第一段。", "第二段。"]


@pytest.fixture
def ideas(program):
    """Group 1 (with a topic): two ideas, one starred; group 2 (none): one starred idea by
    nobody. Group 2 is made first, so that the ideas come in the order of the groups only."""
    second = factories.group(program, number=2, host_name="吴小龙", host_title="人口管理支队支队长")
    first = factories.group(
        program,
        number=1,
        host_name="于贵平",
        host_title="副市长、市公安局局长",
        topic="聚焦派出所主防，推动高质量发展",
    )
    records = {
        group: DiscussionRecord.objects.create(
            activity=activity(
                program, kind="discussion", title="分组讨论：落实“派出所主防”", group=group
            ),
            group=group,
        )
        for group in (second, first)
    }
    Idea.objects.create(
        record=records[second], text="打破社区界限，重新划分两大防区。", starred=True
    )
    author = factories.enrollment(
        program,
        factories.trainee(name="龚定俊", unit=factories.unit("溧阳市公安局竹箦派出所")),
        group=first,
    )
    for text, starred in [
        ("所领导包干最复杂的社区。", True),
        ("没有被标星的想法。", False),
        ("警力和精力向主防倾斜。", True),
    ]:
        Idea.objects.create(record=records[first], author=author, text=text, starred=starred)


def test_ideas_docx_reads_the_ideas_without_a_query_of_its_own(
    program, ideas, django_assert_num_queries
):
    with django_assert_num_queries(1):
        ideas_docx(program=program, ideas=starred_ideas_of(program), title=IDEAS_TITLE)


def test_ideas_docx_lists_each_group_with_its_numbered_ideas_and_authors(program, ideas):
    document = opened(
        ideas_docx(program=program, ideas=starred_ideas_of(program), title=IDEAS_TITLE)
    )

    assert [p.text for p in document.paragraphs[:3]] == [
        "常州市公安派出所长素质能力提升专题培训班\n金点子汇编",
        "2023年1月2日至4日",
        "共3条",
    ]
    assert from_first_heading(document) == [
        "第1组 · 主持人 于贵平 副市长、市公安局局长 · 聚焦派出所主防，推动高质量发展",
        "1. 所领导包干最复杂的社区。（龚定俊，溧阳市公安局竹箦派出所）",
        "2. 警力和精力向主防倾斜。（龚定俊，溧阳市公安局竹箦派出所）",
        # No topic of its own: the discussion's title; an idea of nobody: no brackets.
        "第2组 · 主持人 吴小龙 人口管理支队支队长 · 分组讨论：落实“派出所主防”",
        "1. 打破社区界限，重新划分两大防区。",
    ]
    assert texts(document, "Heading 1") == [
        "第1组 · 主持人 于贵平 副市长、市公安局局长 · 聚焦派出所主防，推动高质量发展",
        "第2组 · 主持人 吴小龙 人口管理支队支队长 · 分组讨论：落实“派出所主防”",
    ]


def test_ideas_docx_numbers_its_pages(program, ideas):
    document = opened(
        ideas_docx(program=program, ideas=starred_ideas_of(program), title=IDEAS_TITLE)
    )

    footer = document.sections[0].footer
    instructions = [text.text for text in footer._element.iter(qn("w:instrText"))]
    assert footer.paragraphs[0].text == "— 1 —"
    assert instructions == [" PAGE "]


def test_ideas_docx_without_ideas_says_so(program):
    document = opened(ideas_docx(program=program, ideas=[], title=IDEAS_TITLE))

    assert [p.text for p in document.paragraphs] == [
        "常州市公安派出所长素质能力提升专题培训班\n金点子汇编",
        "2023年1月2日至4日",
        "共0条",
        "暂无金点子。",
    ]
