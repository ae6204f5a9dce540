"""Hostile spreadsheets, written by hand with zipfile: files of a few KB that claim, or hold,
far more than an import needs (tests/trainees/test_spreadsheet_limits.py and
bench/spreadsheet_bomb.py). The big sheets are streamed into the archive a chunk at a time,
so building one takes no more memory than the reader is allowed."""

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{parts}</Types>'
)
PART_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"
PACKAGE_RELS = (
    f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
HEADER = ("姓名", "警号", "单位")  # the roster's required columns
EXCEL_LAST_ROW = 1_048_576


def xlsx(sheet_data, *, dimension=None, parts=None, prolog="", compresslevel=6):
    """An .xlsx package of one worksheet whose <sheetData> holds `sheet_data`: a str, or an
    iterable of str chunks written as they come. `parts` adds parts by name (sharedStrings.xml,
    styles.xml: in xl/, with their relationships); `prolog` comes before the sheet's root."""
    parts = parts or {}
    relationships = [
        f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    ]
    for number, name in enumerate(parts, start=2):
        kind = name.removesuffix(".xml")
        relationships.append(
            f'<Relationship Id="rId{number}" Type="{OFFICE}/{kind}" Target="{name}"/>'
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as package:
        overrides = "".join(
            f'<Override PartName="/xl/{name}" '
            f'ContentType="{PART_TYPE.format(kind=name.removesuffix(".xml"))}"/>'
            for name in parts
        )
        package.writestr("[Content_Types].xml", CONTENT_TYPES.format(parts=overrides))
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK)
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELATIONSHIPS}">{"".join(relationships)}</Relationships>',
        )
        for name, text in parts.items():
            package.writestr(f"xl/{name}", text)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{prolog}<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in [sheet_data] if isinstance(sheet_data, str) else sheet_data:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def text_cell(reference, text):
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row():
    return (
        '<row r="1">'
        + "".join(text_cell(f"{c}1", t) for c, t in zip("ABC", HEADER, strict=True))
        + "</row>"
    )


def dimension_bomb(header=False):
    """The 1.5 KB file of issue 17: a <dimension> of A1:XFD1048576 (16,384 columns of a million
    rows) and one cell, in the last row; the old reader padded every row to the dimension.
    With `header`, row 1 names the roster's columns, so a reader must go on to the last row."""
    last = f'<row r="{EXCEL_LAST_ROW}">{text_cell(f"A{EXCEL_LAST_ROW}", "x")}</row>'
    return xlsx((header_row() if header else "") + last, dimension="A1:XFD1048576")


def many_rows(count):
    """A header, then `count` rows of one small number each (2,000,000: 110 MB unpacked)."""

    def chunks(batch=20_000):
        yield header_row()
        for start in range(2, count + 2, batch):
            stop = min(start + batch, count + 2)
            yield "".join(
                f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(start, stop)
            )

    return xlsx(chunks(), compresslevel=1)


def empty_formatted_rows(data_rows, empty_rows):
    """A header and `data_rows` rows of the roster, then `empty_rows` formatted rows with no
    value, as Excel writes rows whose height or fill someone set down the sheet."""

    def chunks(batch=20_000):
        yield header_row()
        yield "".join(
            f'<row r="{n}">{text_cell(f"A{n}", f"张{n}")}{text_cell(f"B{n}", 410000 + n)}'
            f"{text_cell(f'C{n}', '溧阳市公安局竹箦派出所')}</row>"
            for n in range(2, data_rows + 2)
        )
        first, last = data_rows + 2, data_rows + 2 + empty_rows
        for start in range(first, last, batch):
            yield "".join(
                f'<row r="{n}" s="1" customFormat="1"/>'
                for n in range(start, min(start + batch, last))
            )

    return xlsx(chunks())


def packed_tight(megabytes):
    """A sheet padded with `megabytes` MB of blanks between its tags: it packs a thousand to one."""
    return xlsx(header_row() + " " * (megabytes * 1024 * 1024))


def csv_many_rows(count):
    """A .csv of a header and `count` rows of a number: 2,000,000 rows in 4 MB."""
    return ",".join(HEADER).encode() + b"\r\n" + b"1\r\n" * count


def csv_wide_line(fields, field=b"1"):
    """A .csv of one line of `fields` fields: 1,000,000 fields of "1" in 2 MB."""
    return field + (b"," + field) * (fields - 1) + b"\r\n"
