"""Word files for the leadership: the compilation of reflection essays (学习心得体会汇编) and the
starred ideas of the discussion groups (金点子汇编), built with python-docx.

Their fixed words are Chinese and not translated: these are official documents of a Chinese
bureau, laid out by Chinese conventions (sizes by 字号, first lines indented two characters), in
whatever language the organizer's browser speaks. For the same reason the values that Django
translates (an essay's grade) are rendered in Chinese.
"""

import io
import itertools
import re

from django.utils import timezone, translation
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LANGUAGE = "zh-hans"

# 宋体 and 黑体 by their English names, which Word and WPS know as well as the Chinese ones:
# LibreOffice, where they are missing (Linux), substitutes a serif Noto CJK for "SimSun" and a
# sans for "SimHei", but the same sans for "宋体" and "黑体".
BODY_FONT = "SimSun"  # 宋体
HEADING_FONT = "SimHei"  # 黑体
LATIN_FONT = "Times New Roman"

# 字号: Chinese type sizes by name.
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_SMALL_4 = Pt(12)  # 小四

# A4, with the margins of GB/T 9704 (党政机关公文格式).
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

BODY_STYLE = "Body Text First Indent"  # Word's built-in 正文首行缩进
TOC_STYLE = "toc 1"  # Word's built-in 目录 1, which Word uses when it rebuilds the TOC
ESSAY_FALLBACK_TITLE = "学习心得体会"
SEPARATOR = " · "

# Characters that XML 1.0 forbids; text pasted from other programs sometimes carries them
# (a vertical tab from Word), and python-docx would refuse the whole document for one.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Children of w:settings that must come after w:updateFields (the schema fixes the order).
SETTINGS_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
)
# Children of w:sectPr that must come after w:pgNumType.
SECTION_AFTER_PAGE_NUMBERS = (
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def essays_docx(*, program, essays, title):
    """The compilation of reflection essays (学习心得体会汇编) as the bytes of a .docx: a cover,
    a table of contents, then each essay on a new page, the pages numbered from the first essay.

    `essays` come with `enrollment__trainee__unit` and `enrollment__group` selected.
    """
    essays = list(essays)
    with translation.override(LANGUAGE):
        document = _new_document(title)
        _add_cover(document, program, title, count=len(essays))
        _add_toc(
            document,
            [
                (f"{_essay_title(essay)} — {_clean(essay.enrollment.trainee.name)}", _bookmark(n))
                for n, essay in enumerate(essays)
            ],
        )
        if essays:
            # The cover and the contents are not numbered; the essays are, from 1, so that
            # Word's page numbers in the contents match the numbers printed on the pages.
            section = document.add_section(WD_SECTION.NEW_PAGE)
            _add_page_numbers(section, restart=True)
        for n, essay in enumerate(essays):
            _add_essay(document, essay, bookmark_id=n)
        return _to_bytes(document)


def ideas_docx(*, program, ideas, title):
    """The starred ideas (金点子) of all discussion groups as the bytes of a .docx: a title,
    then for each group a heading and its ideas, numbered, each with its author.

    `ideas` come ordered by group number, with `record__group`, `record__activity` and
    `author__trainee__unit` selected.
    """
    ideas = list(ideas)
    with translation.override(LANGUAGE):
        document = _new_document(title)
        _add_page_numbers(document.sections[0])
        _add_title(document, title)
        _add_centered(document, _date_span(program.start_date, program.end_date))
        _add_centered(document, f"共{len(ideas)}条").paragraph_format.space_after = Pt(12)
        for group, group_ideas in itertools.groupby(ideas, key=lambda idea: idea.record.group):
            group_ideas = list(group_ideas)
            document.add_paragraph(
                _group_heading(group, group_ideas[0].record.activity), style="Heading 1"
            )
            for number, idea in enumerate(group_ideas, start=1):
                paragraph = document.add_paragraph(f"{number}. {_clean(idea.text)}", BODY_STYLE)
                if idea.author is not None:
                    trainee = idea.author.trainee
                    paragraph.add_run(f"（{_clean(trainee.name)}，{_clean(trainee.unit.name)}）")
        if not ideas:
            _add_centered(document, "暂无金点子。")
        return _to_bytes(document)


# Page and fonts


def _new_document(title):
    """An empty A4 document with the page and fonts of a Chinese official document (宋体 小四
    text, 黑体 headings, GB/T 9704 margins), shared by both files."""
    document = Document()
    styles = document.styles

    # The defaults of python-docx's template name theme fonts, which beat explicit ones, and a
    # Japanese East Asian language: LibreOffice then draws a sans for SimSun, with the Japanese
    # forms of characters such as 骨 and 直.
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(defaults, BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    document.settings.element.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    _set_style_font(normal, BODY_FONT, SIZE_SMALL_4)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.5

    title_style = styles["Title"]
    _set_style_font(title_style, HEADING_FONT, SIZE_2)
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_style.paragraph_format.space_after = Pt(12)
    title_style.paragraph_format.line_spacing = 1.5
    # The template underlines the title and spaces its letters, which pushes the last
    # character of a 20-character title (the width of the text at 二号) onto a line of its own.
    _remove(title_style.element.pPr, "w:pBdr")
    _remove(title_style.element.rPr, "w:spacing", "w:kern")

    heading = styles["Heading 1"]
    _set_style_font(heading, HEADING_FONT, SIZE_3)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(12)

    toc_heading = styles["TOC Heading"]  # based on Heading 1, outside the TOC itself
    toc_heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    body = styles.add_style(BODY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # 首行缩进两字符: Word reads firstLineChars, which follows the font size; firstLine is
    # the same indent in points for programs that do not.
    body.paragraph_format.first_line_indent = SIZE_SMALL_4 * 2
    body.element.pPr.get_or_add_ind().set(qn("w:firstLineChars"), "200")

    toc = styles.add_style(TOC_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    toc.base_style = normal
    # A dotted leader to the page numbers that Word writes when it rebuilds the contents.
    toc.paragraph_format.tab_stops.add_tab_stop(
        TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )

    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)

    properties = document.core_properties
    properties.title = _clean(title)[:255]  # the most a core property may hold
    properties.author = properties.comments = ""  # the template says "python-docx"
    properties.created = properties.modified = timezone.now()
    return document


def _set_style_font(style, east_asian_font, size):
    """Give a style its East Asian font and size, plain black: the template's headings are
    bold and blue, and bold 黑体 is smeared."""
    _set_fonts(style.element.get_or_add_rPr(), east_asian_font)
    style.font.size = size
    style.font.bold = False
    style.font.color.rgb = None


def _set_fonts(run_properties, east_asian_font):
    """Name the fonts of a w:rPr explicitly, dropping the theme fonts that would override them."""
    fonts = run_properties.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(script), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian_font)


def _add_page_numbers(section, restart=False):
    """Put the page number in the section's footer, between dashes ("— 1 —") in 四号 as GB/T
    9704 has it, though centered on every page; `restart` numbers this section from 1."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    paragraph._p.append(_field_char("begin"))
    paragraph._p.append(_instruction(" PAGE "))
    paragraph._p.append(_field_char("separate"))
    paragraph.add_run("1")  # shown until the application computes the field
    paragraph._p.append(_field_char("end"))
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = SIZE_4
    if restart:
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:start"), "1")
        section._sectPr.insert_element_before(numbering, *SECTION_AFTER_PAGE_NUMBERS)


def _remove(parent, *tags):
    """Remove the children of these tags from an element."""
    for tag in tags:
        for child in parent.findall(qn(tag)):
            parent.remove(child)


def _to_bytes(document):
    """The saved .docx."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Parts of the documents


def _add_title(document, title):
    """The document's title; a space in it starts a new line ("培训班 学习心得体会汇编")."""
    paragraph = document.add_paragraph(style="Title")
    for number, line in enumerate(_clean(title).split()):
        if number:
            paragraph.add_run().add_break(WD_BREAK.LINE)
        paragraph.add_run(line)
    return paragraph


def _add_centered(document, text):
    """A centered line of text."""
    paragraph = document.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _add_cover(document, program, title, count):
    """The cover: the title in the upper third, the dates and the number of essays below."""
    _add_title(document, title).paragraph_format.space_before = Cm(5)
    dates = _add_centered(document, _date_span(program.start_date, program.end_date))
    dates.paragraph_format.space_before = Cm(6)
    dates.runs[0].font.size = SIZE_3
    _add_centered(document, f"共收录心得体会{count}篇").runs[0].font.size = SIZE_3


def _add_toc(document, entries):
    """The table of contents (目录) on a new page: a Word TOC field over the Heading 1
    paragraphs, whose shown result is filled in here with one entry per (text, bookmark).

    python-docx cannot lay out pages, so the entries filled in here are links to the headings'
    bookmarks, without page numbers, and the settings ask Word to rebuild the field (with page
    numbers, from the headings) when it opens the file. They carry no PAGEREF: LibreOffice
    shows a PAGEREF's stored result as it is, and an empty one is a dotted line to nothing.
    """
    heading = document.add_paragraph("目录", style="TOC Heading")
    heading.paragraph_format.page_break_before = True

    first = document.add_paragraph(style=TOC_STYLE)
    # dirty: the shown result is stale, which asks Word to rebuild it a second way.
    first._p.append(_field_char("begin", dirty=True))
    first._p.append(_instruction(' TOC \\o "1-1" \\h \\z \\u '))
    first._p.append(_field_char("separate"))
    paragraph = first
    for number, (text, bookmark) in enumerate(entries):
        if number:
            paragraph = document.add_paragraph(style=TOC_STYLE)
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), bookmark)
        link.set(qn("w:history"), "1")
        link.append(_text_run(text))
        paragraph._p.append(link)
    paragraph._p.append(_field_char("end"))

    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.insert_element_before(update, *SETTINGS_AFTER_UPDATE_FIELDS)


def _add_essay(document, essay, bookmark_id):
    """One essay, on a new page: its title as a bookmarked Heading 1, the author line, then the
    body, one paragraph a line."""
    heading = document.add_paragraph(style="Heading 1")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_before = Pt(0)
    # The first essay opens a new section, which starts a page already.
    if bookmark_id:
        heading.paragraph_format.page_break_before = True
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), _bookmark(bookmark_id))
    heading._p.append(start)
    heading.add_run(_essay_title(essay))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    heading._p.append(end)

    _add_centered(document, _essay_byline(essay)).paragraph_format.space_after = Pt(12)

    for line in _clean(essay.body).splitlines():
        # strip() also drops the full-width spaces (　　) that writers type to indent: the
        # style indents every paragraph already.
        if line.strip():
            document.add_paragraph(line.strip(), style=BODY_STYLE)


def _bookmark(n):
    """The bookmark on the heading of the n-th essay (from 0). Names that start with "_" are
    hidden from Word's list of bookmarks, like those Word makes for its own contents."""
    return f"_TocEssay{n + 1}"


def _essay_title(essay):
    """The essay's title, or the generic one when the writer left it blank."""
    return _clean(essay.title).strip() or ESSAY_FALLBACK_TITLE


def _essay_byline(essay):
    """姓名 · 单位 · 第N组, then the grade and 优秀心得 once reviewed."""
    enrollment = essay.enrollment
    parts = [_clean(enrollment.trainee.name), _clean(enrollment.trainee.unit.name)]
    if enrollment.group is not None:
        parts.append(f"第{enrollment.group.number}组")
    if essay.grade:
        parts.append(f"等次：{essay.get_grade_display()}")
    if essay.excellent:
        # Not "优秀" alone: that is also the name of grade A.
        parts.append("优秀心得")
    return SEPARATOR.join(parts)


def _group_heading(group, activity):
    """第N组 · 主持人 name title · topic; a group without a topic of its own is shown with the
    title of the discussion its ideas come from."""
    parts = [f"第{group.number}组"]
    host = " ".join(_clean(part) for part in (group.host_name, group.host_title) if part)
    if host:
        parts.append(f"主持人 {host}")
    topic = _clean(group.topic or activity.title)
    if topic:
        parts.append(topic)
    return SEPARATOR.join(parts)


def _date_span(start, end):
    """2023年1月2日至4日, 2023年1月30日至2月1日, 2023年12月30日至2024年1月1日."""
    first = f"{start.year}年{start.month}月{start.day}日"
    if start == end:
        return first
    if (start.year, start.month) == (end.year, end.month):
        return f"{first}至{end.day}日"
    if start.year == end.year:
        return f"{first}至{end.month}月{end.day}日"
    return f"{first}至{end.year}年{end.month}月{end.day}日"


# WordprocessingML elements python-docx has no API for


def _field_char(kind, dirty=False):
    """A run holding a field character: begin, separate or end."""
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def _instruction(code):
    """A run holding a field's instruction, e.g. " PAGE "."""
    run = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = code
    run.append(text)
    return run


def _text_run(text):
    """A bare run of text, for places (a hyperlink) that python-docx cannot add runs to."""
    run = OxmlElement("w:r")
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    run.append(element)
    return run


def _clean(text):
    """The text without the characters XML forbids."""
    return XML_INVALID.sub("", text or "")
