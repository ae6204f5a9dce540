"""The imports' reader within its caps (issue 17, finding 2): a file of a few KB that claims a
million rows, or a file that holds two million, is refused with a message naming the cap, and
reading it takes little memory, whatever the file's <dimension> says.

Peak memory is tracemalloc's peak of the Python allocations during the read (the reader's
buffers, expat's and zlib's included); bench/spreadsheet_bomb.py prints the process's.
"""

import io
import secrets
import tracemalloc

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests import hostile_spreadsheets as hostile
from tests import rosters
from trainees.forms import MAX_SPREADSHEET_BYTES
from trainees.roster import read_roster
from trainees.services.roster import roster_import
from trainees.spreadsheets import SpreadsheetFileError, read_rows

PEAK_MB = 200  # issue 17: the read of any of these files stays under it
NO_HEADER = "No header row found: the roster needs the columns 姓名, 警号 and 单位."
TOO_MANY_ROWS = "The file has more than 20,000 rows: split it into files of at most 20,000 rows."


def read_measured(name, content):
    """The roster reader's outcome (the table, or the refusal's message in English) and the
    peak of the memory allocated while it read, in MB."""
    tracemalloc.start()
    try:
        with translation.override("en"):
            outcome = read_roster(name, content)
    except SpreadsheetFileError as error:
        outcome = str(error)
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return outcome, peak


def refusal(name, content):
    with translation.override("en"), pytest.raises(SpreadsheetFileError) as refused:
        read_roster(name, content)
    return str(refused.value)


@pytest.fixture(scope="module")
def two_million_rows_xlsx():
    return hostile.many_rows(2_000_000)


@pytest.fixture(scope="module")
def two_million_rows_csv():
    return hostile.csv_many_rows(2_000_000)


# --- what the file claims -----------------------------------------------------------------


def test_dimension_bomb_is_read_in_little_memory_and_refused_for_its_missing_header():
    bomb = hostile.dimension_bomb()

    outcome, peak = read_measured("bomb.xlsx", bomb)

    assert len(bomb) < 2_000
    assert outcome == NO_HEADER
    assert peak < PEAK_MB


def test_dimension_bomb_under_a_header_gives_its_one_row_with_the_number_excel_shows():
    table, peak = read_measured("bomb.xlsx", hostile.dimension_bomb(header=True))

    assert [(row.number, row.values["name"]) for row in table.rows] == [(1_048_576, "x")]
    assert peak < PEAK_MB


def test_five_rows_under_a_million_empty_formatted_rows_read_as_five_rows():
    content = hostile.empty_formatted_rows(5, 1_000_000)

    table = read_roster("roster.xlsx", content)

    assert [row.number for row in table.rows] == [2, 3, 4, 5, 6]
    assert table.rows[0].values == {
        "name": "张2",
        "police_id": "410002",
        "unit": "溧阳市公安局竹箦派出所",
    }


# --- what the file holds --------------------------------------------------------------------


def test_two_million_rows_xlsx_is_refused_before_it_is_unpacked(two_million_rows_xlsx):
    outcome, peak = read_measured("rows.xlsx", two_million_rows_xlsx)

    assert outcome == (
        "The .xlsx file unpacks to more than 50 MB: keep only the rows and columns to import, "
        "or save it as .csv."
    )
    assert peak < PEAK_MB


def test_two_million_rows_xlsx_stops_at_the_row_cap(settings, two_million_rows_xlsx):
    settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 2**30  # past the size cap, the row cap holds

    outcome, peak = read_measured("rows.xlsx", two_million_rows_xlsx)

    assert outcome == TOO_MANY_ROWS
    assert peak < PEAK_MB


def test_two_million_rows_csv_stops_at_the_row_cap(two_million_rows_csv):
    outcome, peak = read_measured("rows.csv", two_million_rows_csv)

    assert outcome == TOO_MANY_ROWS
    assert peak < PEAK_MB


def test_csv_line_of_a_million_fields_is_refused_at_the_column_cap():
    line = hostile.csv_wide_line(1_000_000)

    outcome, peak = read_measured("wide.csv", line)

    assert len(line) < MAX_SPREADSHEET_BYTES
    assert outcome == "The file has more than 60 columns: keep only the columns to import."
    assert peak < PEAK_MB


def test_csv_line_of_only_commas_is_an_empty_row():
    content = hostile.csv_wide_line(1_000_000, field=b"") + rosters.csv_bytes(rosters.rows(1))

    table = read_roster("roster.csv", content)

    assert [row.number for row in table.rows] == [3]


def test_caps_come_from_the_settings(settings):
    settings.SPREADSHEET_MAX_ROWS = 3
    three_rows = rosters.csv_bytes(rosters.rows(3))  # and the header: four rows

    assert refusal("roster.csv", three_rows) == (
        "The file has more than 3 rows: split it into files of at most 3 rows."
    )
    assert refusal("roster.xlsx", rosters.xlsx(rosters.rows(3), title="")) == (
        "The file has more than 3 rows: split it into files of at most 3 rows."
    )
    settings.SPREADSHEET_MAX_ROWS, settings.SPREADSHEET_MAX_COLUMNS = 20_000, 5
    assert refusal("roster.csv", three_rows) == (
        "The file has more than 5 columns: keep only the columns to import."
    )


def test_empty_formatted_cells_past_the_column_cap_are_ignored_and_a_value_is_refused():
    formatted = hostile.header_row() + '<row r="2"><c r="A2"><v>1</v></c><c r="XFD2" s="1"/></row>'
    valued = hostile.header_row() + '<row r="2"><c r="BI2"><v>1</v></c></row>'  # column 61

    table = read_roster("roster.xlsx", hostile.xlsx(formatted))

    assert [(row.number, row.values["name"]) for row in table.rows] == [(2, "1")]
    assert refusal("roster.xlsx", hostile.xlsx(valued)) == (
        "The file has more than 60 columns: keep only the columns to import."
    )


def test_cell_longer_than_excel_allows_is_refused():
    long_text = "长" * 32_768
    sheet = hostile.header_row() + f'<row r="2">{hostile.text_cell("A2", long_text)}</row>'
    expected = "A cell holds more than 32,767 characters: shorten it."

    assert refusal("roster.xlsx", hostile.xlsx(sheet)) == expected
    assert refusal("roster.csv", rosters.csv_bytes([[1, long_text, "1", "u"]])) == expected


def test_csv_quote_that_never_closes_is_refused():
    content = rosters.csv_bytes([]) + b'1,"' + b"x" * 200_000

    assert refusal("roster.csv", content) == (
        'A cell of the .csv file holds more than 32,767 characters, or a quote (") is not closed.'
    )


# --- the package itself ---------------------------------------------------------------------


def test_packed_tight_xlsx_is_refused_as_a_zip_bomb():
    bomb = hostile.packed_tight(20)

    outcome, peak = read_measured("bomb.xlsx", bomb)

    assert len(bomb) < 50_000
    assert outcome == (
        "The .xlsx file is compressed more than 100 to 1, which no spreadsheet is: it cannot "
        "be imported."
    )
    assert peak < PEAK_MB


def test_xml_entities_are_refused():
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    sheet = hostile.header_row() + f'<row r="2">{hostile.text_cell("A2", "&b;")}</row>'

    assert refusal("roster.xlsx", hostile.xlsx(sheet, prolog=laughs)) == (
        "This is not a readable .xlsx file."
    )


@pytest.mark.parametrize(
    "markup",
    [
        "<!--{noise}-->",  # expat would scan it again with every chunk
        '<row r="2" spans="{noise}"/>',
    ],
)
def test_tag_or_comment_longer_than_any_spreadsheet_has_is_refused(markup):
    noise = secrets.token_hex(600_000)  # 1.2 MB that does not pack tight
    content = hostile.xlsx(hostile.header_row() + markup.format(noise=noise))

    outcome, peak = read_measured("roster.xlsx", content)

    assert outcome == "This is not a readable .xlsx file."
    assert peak < PEAK_MB


# --- the values, as before ------------------------------------------------------------------

SHARED_STRINGS = (
    f'<sst xmlns="{hostile.MAIN}" count="6" uniqueCount="6">'
    "<si><t>姓名</t></si><si><t>警号</t></si><si><t>单位</t></si>"
    '<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space="preserve">三 </t></r></si>'
    '<si><t>溧阳</t><rPh sb="0" eb="2"><t>リツヨウ</t></rPh></si>'
    "<si><t>a_x005F_b</t></si></sst>"
)
STYLES = (
    f'<styleSheet xmlns="{hostile.MAIN}"><numFmts count="1">'
    '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '</numFmts><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="5">'
    '<xf numFmtId="0"/><xf numFmtId="176" applyNumberFormat="1"/><xf numFmtId="20"/>'
    '<xf numFmtId="46"/><xf numFmtId="10"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
EXCEL_SHEET = (
    '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>日期</t></is></c></row>'
    '<row r="3" spans="1:6"><c r="A3" t="s"><v>3</v></c><c r="B3"><v>410001</v></c>'
    '<c r="C3" t="s"><v>4</v></c><c r="D3" s="1"><v>46082</v></c>'
    '<c r="E3" s="2"><v>0.35416666666666669</v></c><c r="F3" s="3"><v>1.25</v></c></row>'
    '<row r="4"><c r="A4" t="str"><f>A3&amp;"!"</f><v>张三 !</v></c>'
    '<c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C4" t="b"><v>1</v></c>'
    '<c r="D4" s="4"><v>0.5</v></c><c r="E4" t="s"><v>5</v></c><c r="F4"><v>1.5E+3</v></c>'
    '<c r="G4" s="1"/></row>'
)


def test_excel_workbook_reads_as_openpyxl_reads_it():
    """Shared strings (rich text, phonetic readings), dates, times and durations by their
    number format, cached formula results, errors, booleans: the values openpyxl gives."""
    content = hostile.xlsx(
        EXCEL_SHEET,
        dimension="A1:G4",
        parts={"sharedStrings.xml": SHARED_STRINGS, "styles.xml": STYLES},
    )
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    expected = []
    for number, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            expected.append((number, cells))
    workbook.close()

    rows = list(read_rows("excel.xlsx", content))

    assert rows == expected
    assert rows[1][1][:2] == ["张三 ", 410001]


def test_import_shows_a_cap_as_it_shows_other_file_errors(two_million_rows_csv):
    program = None  # the file is refused before any row is checked

    with translation.override("en"):
        plan = roster_import(program=program, name="rows.csv", content=two_million_rows_csv)

    assert [str(error) for error in plan.errors] == [TOO_MANY_ROWS]
