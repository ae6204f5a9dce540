"""The rows of a spreadsheet file (.xlsx or .csv), read within bounds whatever the file claims:
trainees.spreadsheets finds the header and the columns in them, for all four imports.

An upload of 2 MB can unpack to gigabytes, and an .xlsx can claim a million rows of 16,384
columns. So rows are streamed one at a time and only the cells that hold something are kept;
an .xlsx that unpacks to more than SPREADSHEET_MAX_UNCOMPRESSED_BYTES, or is packed tighter than
a spreadsheet can be, is refused before it is parsed; a file with more than SPREADSHEET_MAX_ROWS
rows or SPREADSHEET_MAX_COLUMNS columns that hold something, or a cell longer than Excel allows,
is refused with a message that names the cap. Empty rows and columns (formatted, or only
claimed by <dimension>) cost no memory and count against no cap: the time they take is bounded
by the unpacked size (up to about 10 s of one core for 50 MB of the densest XML).
"""

import codecs
import csv
import io
import posixpath
import zipfile
from array import array
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for the text of a cell


class SpreadsheetFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, empty, past a cap)."""


def too_many_rows(limit):
    return SpreadsheetFileError(
        _("The file has more than %(limit)s rows: split it into files of at most %(limit)s rows.")
        % {"limit": f"{limit:,}"}
    )


def too_many_columns(limit):
    return SpreadsheetFileError(
        _("The file has more than %(limit)s columns: keep only the columns to import.")
        % {"limit": f"{limit:,}"}
    )


def cell_too_long():
    return SpreadsheetFileError(
        _("A cell holds more than %(limit)s characters: shorten it.")
        % {"limit": f"{MAX_CELL_CHARACTERS:,}"}
    )


def read_rows(name, content):
    """The rows of an .xlsx or .csv file that hold something, streamed: (row number, cells),
    with no cells past the last that holds something."""
    suffix = Path(name).suffix.lower()
    if not content:
        raise SpreadsheetFileError(_("The file is empty."))
    if suffix == ".xlsx":
        return read_xlsx(content)
    if suffix == ".csv":
        return read_csv(content)
    if suffix == ".xls":
        raise SpreadsheetFileError(_("Old .xls files cannot be read: save the roster as .xlsx."))
    raise SpreadsheetFileError(_("Only .xlsx and .csv files can be imported."))


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


# --- .csv ---------------------------------------------------------------------------------


def read_csv(content):
    """The rows of a .csv file, read a record at a time from the bytes (no copy as text)."""
    max_rows, max_columns = settings.SPREADSHEET_MAX_ROWS, settings.SPREADSHEET_MAX_COLUMNS
    text = io.TextIOWrapper(io.BytesIO(content), encoding=csv_encoding(content), newline="")
    kept = 0
    try:
        for number, cells in enumerate(csv.reader(text), start=1):
            if len(cells) > max_columns:
                if any(cell.strip() for cell in cells[max_columns:]):
                    raise too_many_columns(max_columns)
                del cells[max_columns:]
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                continue
            if any(len(cell) > MAX_CELL_CHARACTERS for cell in cells):
                raise cell_too_long()
            kept += 1
            if kept > max_rows:
                raise too_many_rows(max_rows)
            yield number, cells
    except csv.Error as error:
        # With the default dialect the one error is a field past csv.field_size_limit() (131,072
        # characters, which bounds the memory of one field): a cell too long, or a quote that
        # never closes. The limit is the process's, so it is left as it is.
        raise SpreadsheetFileError(
            _(
                'A cell of the .csv file holds more than %(limit)s characters, or a quote (") '
                "is not closed."
            )
            % {"limit": f"{MAX_CELL_CHARACTERS:,}"}
        ) from error


def csv_encoding(content):
    """Excel writes "CSV UTF-8" with a BOM, and plain "CSV" in GBK on a Chinese Windows; the
    bytes are checked a piece at a time, so that no second copy of the file is made."""
    view = memoryview(content)
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(view), CHUNK):
                decoder.decode(view[start : start + CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SpreadsheetFileError(_("The .csv file is neither UTF-8 nor GBK text."))


# --- .xlsx --------------------------------------------------------------------------------
# openpyxl's read-only mode is not bounded (openpyxl 3.1.5, measured on sheets of 50 MB unpacked):
# a sheet without <dimension> is parsed whole as the workbook opens, keeping an element per
# row (200 MB); each row's formatting is kept (1,000,000 empty formatted rows: 450 MB); a row's
# cells are a tree until the row ends (one row of 3,000,000 cells: 1.4 GB); the shared strings
# are a list of str, several times their size; and it pads the rows missing between two rows,
# and every row to the widest column. So the first worksheet is read here with expat, an
# event at a time, keeping only the cells that hold something; openpyxl only turns Excel's
# day numbers into dates and times, as its reader does.

CHUNK = 64 * 1024
# A member that unpacks to more than this many times its packed size is a zip bomb: no
# spreadsheet's XML packs that tight (Apache POI's default limit); small members may.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# Bytes that expat holds without having parsed them: one tag, comment or instruction this long
# is no spreadsheet's. expat 2.5 scans such a token again with each chunk (a comment of 40 MB:
# 10 s), and keeps it whole.
MAX_PENDING_BYTES = 1024 * 1024
EXCEL_MAX_COLUMNS = 16_384
MAX_SHEETS = 1_000  # the first worksheet is looked for among the first sheets only
MAX_NUMBER_FORMATS = 65_536  # number format ids past this are read as General
DATE, TIMEDELTA = 1, 2


def unreadable_xlsx():
    return SpreadsheetFileError(_("This is not a readable .xlsx file."))


def read_xlsx(content):
    """The rows of the first worksheet of an .xlsx file that hold something."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except Exception as error:  # zipfile raises several kinds for what is not a zip
        raise unreadable_xlsx() from error
    with archive:
        check_unpacked_size(archive, settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES)
        try:
            yield from Package(archive).first_sheet_rows()
        except SpreadsheetFileError:
            raise
        except Exception as error:  # a damaged part: missing, not XML, not numbers
            raise unreadable_xlsx() from error


def check_unpacked_size(archive, limit):
    """Refuse a zip bomb before a byte is unpacked. The sizes the archive declares are what
    zipfile will ever unpack: it stops a member at its declared size (and then fails its
    checksum), so a member cannot lie its way past this."""
    total = 0
    for member in archive.infolist():
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise SpreadsheetFileError(
                _(
                    "The .xlsx file is compressed more than %(ratio)s to 1, which no "
                    "spreadsheet is: it cannot be imported."
                )
                % {"ratio": MAX_COMPRESSION_RATIO}
            )
    if total > limit:
        raise SpreadsheetFileError(
            _(
                "The .xlsx file unpacks to more than %(limit)s MB: keep only the rows and "
                "columns to import, or save it as .csv."
            )
            % {"limit": f"{limit / (1024 * 1024):,.0f}"}
        )


def parse_part(archive, path, handler):
    """Feed one XML part of the package to `handler` (start, end, characters) through expat,
    a chunk at a time, yielding after each chunk; no part is ever held whole, or as a tree."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.characters
    fed = 0
    with archive.open(path) as part:
        while chunk := part.read(CHUNK):
            parser.Parse(chunk, False)
            fed += len(chunk)
            # Between two calls CurrentByteIndex is where expat stopped: the start of the
            # token it is still waiting to see the end of.
            if fed - parser.CurrentByteIndex > MAX_PENDING_BYTES:
                raise unreadable_xlsx()
            yield
        parser.Parse(b"", True)
    yield


def refuse_doctype(*_args):
    # An .xlsx part has no DTD: refusing one refuses every entity, and their expansion.
    raise unreadable_xlsx()


def local_name(name):
    """An element's name without its namespace (expat gives "namespace}name")."""
    return name[name.rfind("}") + 1 :]


class Handler:
    """Callbacks of parse_part: the elements as expat sees them."""

    def start(self, name, attributes):
        pass

    def end(self, name):
        pass

    def characters(self, data):
        pass


def read_part(archive, path, handler):
    for _chunk in parse_part(archive, path, handler):
        pass
    return handler


def package_path(source, target):
    """A relationship's target as a path in the archive, relative to its source part."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


class Relationships(Handler):
    """A part's relationships (its .rels part) whose id or type (its last word) is wanted:
    {id or type: (type, path in the archive)}, the first of each; the others are not kept."""

    def __init__(self, source, wanted):
        self.source, self.wanted, self.found = source, set(wanted), {}

    def start(self, name, attributes):
        if local_name(name) != "Relationship" or attributes.get("TargetMode") == "External":
            return
        kind = attributes.get("Type", "").rpartition("/")[2]
        for key in (attributes.get("Id"), kind):
            if key in self.wanted and key not in self.found:
                self.found[key] = (kind, package_path(self.source, attributes.get("Target", "")))

    @classmethod
    def of(cls, archive, source, wanted):
        folder, name = posixpath.split(source)
        handler = cls(source, wanted)
        return read_part(archive, posixpath.join(folder, "_rels", f"{name}.rels"), handler).found


class WorkbookPart(Handler):
    """The ids of the workbook's sheets, in order, and its calendar (1900 or 1904)."""

    def __init__(self):
        self.sheet_ids, self.epoch = [], WINDOWS_EPOCH

    def start(self, name, attributes):
        name = local_name(name)
        if name == "sheet" and len(self.sheet_ids) < MAX_SHEETS:
            # r:id: the one attribute in the relationships namespace
            self.sheet_ids.extend(v for k, v in attributes.items() if k.endswith("}id"))
        elif name == "workbookPr" and attributes.get("date1904") in ("1", "true"):
            self.epoch = CALENDAR_MAC_1904


class Styles(Handler):
    """Which cell formats (by index, the `s` of a cell) show a number as a date or a duration."""

    def __init__(self):
        self.custom = {}  # number format id → DATE | TIMEDELTA | 0
        self.formats = bytearray()  # cell format index → DATE | TIMEDELTA | 0
        self.in_cell_formats = False

    def start(self, name, attributes):
        name = local_name(name)
        if name == "numFmt":
            number_format = int(attributes.get("numFmtId", 0))
            if number_format < MAX_NUMBER_FORMATS:
                self.custom[number_format] = date_kind(attributes.get("formatCode"))
        elif name == "cellXfs":
            self.in_cell_formats = True
        elif name == "xf" and self.in_cell_formats:
            number_format = int(attributes.get("numFmtId", 0))
            kind = self.custom.get(number_format)
            if kind is None:
                kind = date_kind(BUILTIN_FORMATS.get(number_format))
            self.formats.append(kind)

    def end(self, name):
        if local_name(name) == "cellXfs":
            self.in_cell_formats = False

    def kind(self, index):
        return self.formats[index] if 0 <= index < len(self.formats) else 0


def date_kind(number_format):
    if not is_date_format(number_format):
        return 0
    return DATE | TIMEDELTA if is_timedelta_format(number_format) else DATE


class SharedStrings(Handler):
    """The workbook's shared strings, as UTF-8 in one bytearray with the end of each: a table of
    a million short strings takes its size in the file, not 50 bytes or more per str."""

    def __init__(self):
        self.data, self.ends = bytearray(), array("Q")
        self.parts, self.length, self.depth_phonetic, self.in_text = None, 0, 0, False

    def start(self, name, attributes):
        name = local_name(name)
        if name == "si":
            self.parts, self.length = [], 0
        elif name == "rPh":  # the reading of East Asian text, not the text
            self.depth_phonetic += 1
        elif name == "t" and self.parts is not None and not self.depth_phonetic:
            self.in_text = True

    def characters(self, data):
        if self.in_text:
            self.length += len(data)
            if self.length > MAX_CELL_CHARACTERS:
                raise cell_too_long()
            self.parts.append(data)

    def end(self, name):
        name = local_name(name)
        if name == "t":
            self.in_text = False
        elif name == "rPh":
            self.depth_phonetic -= 1
        elif name == "si" and self.parts is not None:
            # openpyxl's reader drops the "x005F_" of the escaped underscore the same way.
            self.data += "".join(self.parts).replace("x005F_", "").encode()
            self.ends.append(len(self.data))
            self.parts = None

    def __getitem__(self, index):
        if index < 0:
            raise IndexError(index)
        start = self.ends[index - 1] if index else 0
        return self.data[start : self.ends[index]].decode()


class Package:
    """The parts of an .xlsx package that its first worksheet needs."""

    def __init__(self, archive):
        self.archive = archive

    def first_sheet_rows(self):
        office = Relationships.of(self.archive, "", ["officeDocument"])
        workbook_path = office.get("officeDocument", (None, "xl/workbook.xml"))[1]
        workbook = read_part(self.archive, workbook_path, WorkbookPart())
        targets = Relationships.of(
            self.archive, workbook_path, ["sharedStrings", "styles", *workbook.sheet_ids]
        )
        sheet_paths = [
            targets[sheet_id][1]
            for sheet_id in workbook.sheet_ids
            if targets.get(sheet_id, ("",))[0] == "worksheet"
        ]
        if not sheet_paths:
            raise unreadable_xlsx()
        strings = SharedStrings()
        if "sharedStrings" in targets:
            read_part(self.archive, targets["sharedStrings"][1], strings)
        styles = Styles()
        if "styles" in targets:
            read_part(self.archive, targets["styles"][1], styles)
        sheet = SheetRows(
            strings,
            styles,
            workbook.epoch,
            max_rows=settings.SPREADSHEET_MAX_ROWS,
            max_columns=settings.SPREADSHEET_MAX_COLUMNS,
        )
        for _chunk in parse_part(self.archive, sheet_paths[0], sheet):
            yield from sheet.ready
            sheet.ready.clear()


# Element names of a worksheet, in the transitional and the strict namespaces (and none).
ROW, CELL, VALUE, INLINE, TEXT, PHONETIC = range(6)
SHEET_TAGS = {
    f"{namespace}{name}": tag
    for namespace in (
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main}",
        "http://purl.oclc.org/ooxml/spreadsheetml/main}",
        "",
    )
    for name, tag in (
        ("row", ROW),
        ("c", CELL),
        ("v", VALUE),
        ("is", INLINE),
        ("t", TEXT),
        ("rPh", PHONETIC),
    )
}


class SheetRows(Handler):
    """The rows of a worksheet that hold something, as the sheet's XML is fed to it: after each
    chunk, `ready` holds (row number, cells) for the rows that ended in it. Rows the file does
    not have, or has empty, cost nothing; cells that hold nothing are not kept."""

    def __init__(self, strings, styles, epoch, *, max_rows, max_columns):
        self.strings, self.styles, self.epoch = strings, styles, epoch
        self.max_rows, self.max_columns = max_rows, max_columns
        self.ready, self.kept = [], 0
        self.number = 0  # the row being read, as the spreadsheet numbers it
        self.cells = {}  # its cells that hold something: column → value
        self.column = 0  # the cell being read: its column, type and format
        self.type, self.style = "n", 0
        self.text = None  # the text of its value while inside <v> or an inline <t>, else None
        self.parts, self.length, self.inline, self.phonetic = [], 0, False, 0

    def start(self, name, attributes):
        tag = SHEET_TAGS.get(name)
        if tag == CELL:
            reference = attributes.get("r")
            self.column = column_number(reference) if reference else self.column + 1
            self.type, self.style = attributes.get("t", "n"), int(attributes.get("s") or 0)
            self.parts, self.length, self.inline = None, 0, False
        elif tag == VALUE:
            if self.type != "inlineStr":
                self.parts, self.text = [], True
        elif tag == ROW:
            reference = attributes.get("r")
            self.number = int(reference) if reference else self.number + 1
            self.cells, self.column = {}, 0
        elif tag == INLINE:
            if self.type == "inlineStr":
                self.parts, self.inline = [], True
        elif tag == TEXT:
            self.text = self.inline and not self.phonetic
        elif tag == PHONETIC:
            self.phonetic += 1

    def characters(self, data):
        if self.text:
            self.length += len(data)
            if self.length > MAX_CELL_CHARACTERS:
                raise cell_too_long()
            self.parts.append(data)

    def end(self, name):
        tag = SHEET_TAGS.get(name)
        if tag == CELL:
            if self.parts is not None:
                value = self.value("".join(self.parts))
                if not is_blank(value):
                    if self.column > self.max_columns:
                        raise too_many_columns(self.max_columns)
                    self.cells[self.column] = value
            self.parts, self.text, self.inline = None, None, False
        elif tag in (VALUE, TEXT):
            self.text = None
        elif tag == ROW:
            if self.cells:
                self.kept += 1
                if self.kept > self.max_rows:
                    raise too_many_rows(self.max_rows)
                cells = [None] * max(self.cells)
                for column, value in self.cells.items():
                    cells[column - 1] = value
                self.ready.append((self.number, cells))
                self.cells = {}
        elif tag == PHONETIC:
            self.phonetic -= 1

    def value(self, text):
        """A cell's value as openpyxl's reader gives it (data_only): the cached result of a
        formula, numbers as int or float, dates and times for numbers in a date format."""
        if self.type == "inlineStr":
            return text
        if not text:
            return None
        if self.type == "n":
            number = float(text) if "." in text or "e" in text or "E" in text else int(text)
            kind = self.styles.kind(self.style)
            if not kind & DATE:
                return number
            try:
                return from_excel(number, self.epoch, timedelta=bool(kind & TIMEDELTA))
            except (OverflowError, ValueError):
                return "#VALUE!"
        if self.type == "s":
            return self.strings[int(text)]
        if self.type == "b":
            return bool(int(text))
        if self.type == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error such as #N/A)


def column_number(reference):
    """The column of a cell reference: A1 → 1, AB12 → 28."""
    number = 0
    for character in reference:
        if not "A" <= character <= "Z":
            break
        number = number * 26 + ord(character) - 64
        if number > EXCEL_MAX_COLUMNS:
            break
    if not 0 < number <= EXCEL_MAX_COLUMNS:
        raise ValueError(f"not a cell reference: {reference[:20]}")
    return number
