"""Reading a bureau's roster spreadsheet (学员名册): .xlsx or .csv, Chinese or English headers.

`read_roster` turns a file into `RosterRow`s, with row numbers as the spreadsheet numbers them;
`plan_roster` checks every row against the database and says, row by row, what an import
would create, update or leave unchanged. Nothing here writes: services.roster_import does.
"""

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from trainees.models import Enrollment, Trainee, Unit

# Canonical column → the header texts that name it (compared after normalize_header).
COLUMNS = {
    "name": ("姓名", "name"),
    "police_id": ("警号", "police_id", "policeid"),
    "unit": ("单位", "所在单位", "unit"),
    "parent_unit": ("上级单位", "parent_unit", "parentunit"),
    "position": ("职务", "position"),
    "gender": ("性别", "gender"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "phone"),
    "group": ("分组", "组别", "组号", "group"),
}
REQUIRED = ("name", "police_id", "unit")
# The order of an export; the same file imports back unchanged.
EXPORT_HEADERS = {
    "police_id": "警号",
    "name": "姓名",
    "gender": "性别",
    "unit": "单位",
    "parent_unit": "上级单位",
    "position": "职务",
    "phone": "手机号",
    "group": "分组",
}
MAX_LENGTH = {"name": 50, "police_id": 20, "unit": 100, "parent_unit": 100, "position": 50}
GENDERS = {
    "男": Trainee.Gender.MALE,
    "m": Trainee.Gender.MALE,
    "male": Trainee.Gender.MALE,
    "女": Trainee.Gender.FEMALE,
    "f": Trainee.Gender.FEMALE,
    "female": Trainee.Gender.FEMALE,
}
HEADER_SEARCH_ROWS = 10
POLICE_ID = re.compile(r"^[0-9A-Za-z]{3,20}$")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
GROUP = re.compile(r"^第?([0-9一二三四五六七八九十]{1,3})组?$")
CHINESE_DIGITS = dict(zip("一二三四五六七八九", range(1, 10), strict=True))
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run such a cell as a formula
# Full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) and the ideographic space, to half-width.
HALF_WIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    0x3000: 0x20,
}
# A unit's name begins with its parent's: 溧阳市公安局|竹箦派出所, 常州市公安局金坛分局|儒林派出所.
PARENT_SUFFIXES = ("公安分局", "公安局", "分局", "县局")
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i to misread on a slip


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, empty)."""


@dataclass(frozen=True)
class RosterError:
    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RosterRow:
    number: int  # the row number the spreadsheet shows
    values: dict  # canonical column → normalized text, for the columns the file has


@dataclass
class Roster:
    rows: list
    columns: dict  # canonical column → the header text the file uses
    header_row: int


@dataclass
class PlannedRow:
    row: RosterRow
    action: str  # "create" | "update" | "unchanged"
    trainee: Trainee | None = None
    enrollment: Enrollment | None = None
    changes: dict = field(default_factory=dict)  # field → (old, new), for display


@dataclass
class RosterPlan:
    program: object
    roster: Roster
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    units: object = None  # UnitResolver

    def count(self, action):
        return sum(1 for planned in self.rows if planned.action == action)

    @property
    def summary(self):
        return (
            f"created {self.count('create')}, updated {self.count('update')}, "
            f"unchanged {self.count('unchanged')}"
        )


def normalize_text(value):
    """A cell as trimmed text: numbers without a trailing .0, full-width digits half-width."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).translate(HALF_WIDTH).split())


def normalize_header(value):
    return normalize_text(value).replace(" ", "").replace("*", "").lower()


def header_columns(cells, columns=COLUMNS, required=REQUIRED):
    """Map canonical columns to their positions, if this row is a header row."""
    names = {alias: key for key, aliases in columns.items() for alias in aliases}
    found = {}
    for position, cell in enumerate(cells):
        key = names.get(normalize_header(cell))
        if key and key not in found:
            found[key] = (position, normalize_text(cell))
    return found if all(key in found for key in required) else None


def read_rows(name, content):
    """The raw rows of an .xlsx or .csv file: (row number, cells)."""
    suffix = Path(name).suffix.lower()
    if not content:
        raise RosterFileError(_("The file is empty."))
    if suffix == ".xlsx":
        return read_xlsx(content)
    if suffix == ".csv":
        return read_csv(content)
    if suffix == ".xls":
        raise RosterFileError(_("Old .xls files cannot be read: save the roster as .xlsx."))
    raise RosterFileError(_("Only .xlsx and .csv files can be imported."))


def read_xlsx(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RosterFileError(_("This is not a readable .xlsx file.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = [
            (number, list(cells))
            for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return rows


def read_csv(content):
    # Excel writes "CSV UTF-8" with a BOM, and plain "CSV" in GBK on a Chinese Windows.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(_("The .csv file is neither UTF-8 nor GBK text."))
    return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))


def read_roster(name, content):
    """Read a roster file: find its header row by the column names, and normalize each cell."""
    return read_table(
        name,
        content,
        COLUMNS,
        REQUIRED,
        _("No header row found: the roster needs the columns 姓名, 警号 and 单位."),
    )


def read_table(name, content, known_columns, required, no_header_message):
    """Read a spreadsheet whose header row (within the first rows) names `required` columns:
    the rows under it, each cell as normalized text, with the spreadsheet's row numbers."""
    raw_rows = read_rows(name, content)
    for index, (_number, cells) in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):  # noqa: B007
        columns = header_columns(cells, known_columns, required)
        if columns:
            break
    else:
        raise RosterFileError(no_header_message)
    rows = []
    for number, cells in raw_rows[index + 1 :]:
        values = {
            key: normalize_text(cells[position] if position < len(cells) else None)
            for key, (position, _header) in columns.items()
        }
        if any(values.values()):
            rows.append(RosterRow(number=number, values=values))
    return Roster(
        rows=rows,
        columns={key: header for key, (_position, header) in columns.items()},
        header_row=raw_rows[index][0],
    )


def unit_kind(name):
    for suffix, kind in (
        ("派出所", Unit.Kind.STATION),
        ("大队", Unit.Kind.BRIGADE),
        ("支队", Unit.Kind.DEPARTMENT),
        ("分局", Unit.Kind.BRANCH),
        ("县局", Unit.Kind.BRANCH),
        ("公安局", Unit.Kind.BUREAU),
    ):
        if name.endswith(suffix):
            return kind
    return Unit.Kind.OTHER


def derived_parent(name):
    """The parent a unit's name spells out: 溧阳市公安局竹箦派出所 → 溧阳市公安局,
    常州市公安局金坛分局儒林派出所 → 常州市公安局金坛分局 (whose own parent is 常州市公安局)."""
    cuts = [
        match.end()
        for suffix in PARENT_SUFFIXES
        for match in re.finditer(suffix, name)
        if match.end() < len(name)
    ]
    return name[: max(cuts)] if cuts else None


class UnitResolver:
    """Finds the units a roster names, in bulk: one query for all units, none per row.

    With a 上级单位, the row names exactly one unit: that name under that parent, created if
    the tree has none (two stations may share a name in different counties). Without one, a
    name found once in the tree is that unit, wherever an organizer has moved it; a name
    found several times is told apart by the parent its name spells out, or the row is in
    error; a new name is created under the parent its name spells out.
    """

    def __init__(self):
        self.by_name = {}
        for unit in Unit.objects.select_related("parent"):
            self.by_name.setdefault(unit.name, []).append(unit)
        self.new = []  # Units to create, parents before children

    def resolve(self, name, given_parent=""):
        """The unit for (name, parent): (unit, None), or (None, error message)."""
        candidates = self.by_name.get(name, [])
        parent_name = given_parent or derived_parent(name) or ""
        if given_parent or len(candidates) > 1:
            candidates = [u for u in candidates if u.parent and u.parent.name == parent_name]
            if not candidates and not parent_name:
                return None, _(
                    "several units are named %(unit)s: give its 上级单位 to tell them apart"
                ) % {"unit": name}
        if len(candidates) == 1:
            return candidates[0], None
        if candidates:
            return None, _(
                "several units are named %(unit)s: give its 上级单位 to tell them apart"
            ) % {"unit": name}
        parent = None
        if parent_name and parent_name != name:
            parent, error = self.resolve(parent_name)
            if error:
                return None, error
        unit = Unit(name=name, kind=unit_kind(name), parent=parent)
        self.by_name.setdefault(name, []).append(unit)
        self.new.append(unit)
        return unit, None


def in_batches(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def new_initial_password(length=8):
    """Eight characters of PASSWORD_ALPHABET, from one draw of the system's random source."""
    base = len(PASSWORD_ALPHABET)
    number = secrets.randbelow(base**length)
    characters = []
    for _position in range(length):
        number, digit = divmod(number, base)
        characters.append(PASSWORD_ALPHABET[digit])
    return "".join(characters)


def group_number(text):
    """3, 第3组, 3组, 第三组, 十二 → the number; anything else → None."""
    match = GROUP.match(text)
    if not match:
        return None
    digits = match.group(1)
    if digits.isdigit():
        return int(digits)
    if "十" in digits:  # 十 10, 十二 12, 二十 20, 二十一 21
        tens, _sep, units = digits.partition("十")
        if (tens and tens not in CHINESE_DIGITS) or (units and units not in CHINESE_DIGITS):
            return None
        return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(units, 0)
    return CHINESE_DIGITS.get(digits) if len(digits) == 1 else None


def validate_row(row, columns, groups, errors):
    """Field-level checks of one row; appends to `errors` and returns the cleaned values."""
    values = dict(row.values)

    def error(column, message):
        errors.append(RosterError(row.number, columns[column], message))

    for key in REQUIRED:
        if not values.get(key):
            error(key, _("required, but empty"))
    for key, limit in MAX_LENGTH.items():
        if len(values.get(key, "")) > limit:
            error(key, _("longer than %(limit)s characters") % {"limit": limit})
    values["name"] = values.get("name", "").replace(" ", "")
    for key in ("name", "unit", "parent_unit", "position"):
        if values.get(key, "")[:1] in FORMULA_STARTS:
            error(key, _("must not start with = + - or @"))
    values["police_id"] = police_id = values.get("police_id", "").upper()
    if police_id and not POLICE_ID.match(police_id):
        error(
            "police_id",
            _("“%(value)s” is not a police ID (3 to 20 digits and letters)") % {"value": police_id},
        )
    if "gender" in values:
        gender = values["gender"]
        if gender and gender.lower() not in GENDERS:
            error("gender", _("“%(value)s” is not 男 or 女") % {"value": gender})
        values["gender"] = GENDERS.get(gender.lower(), "")
    if "phone" in values:
        phone = values["phone"].replace(" ", "")
        if phone and not PHONE.match(phone):
            error("phone", _("“%(value)s” is not a phone number") % {"value": values["phone"]})
        values["phone"] = phone
    if values.get("group"):
        text = values["group"]
        number = group_number(text)
        if number is None:
            error("group", _("“%(value)s” is not a group number") % {"value": text})
        elif number not in groups:
            error(
                "group", _("group %(number)s does not exist in this program") % {"number": number}
            )
        values["group"] = groups.get(number)
    else:
        values.pop("group", None)  # an empty 分组 cell leaves the trainee's group as it is
    return values


def plan_roster(program, roster):
    """Check every row and decide what importing the roster into `program` would do.

    Every error of every row is collected; the plan is applied only if there are none.
    """
    plan = RosterPlan(program=program, roster=roster)
    columns = roster.columns
    if not roster.rows:
        plan.errors.append(RosterError(None, "", _("The roster has a header but no trainees.")))
        return plan
    groups = {group.number: group for group in program.groups.all()}
    cleaned = [(row, validate_row(row, columns, groups, plan.errors)) for row in roster.rows]

    first_seen = {}
    for row, values in cleaned:
        police_id = values["police_id"]
        if not police_id:
            continue  # already reported as required
        if police_id in first_seen:
            plan.errors.append(
                RosterError(
                    row.number,
                    columns["police_id"],
                    _("police ID %(id)s is also on row %(row)s")
                    % {"id": police_id, "row": first_seen[police_id]},
                )
            )
        first_seen.setdefault(police_id, row.number)

    trainees = {}
    for batch in in_batches(first_seen):
        trainees.update(
            (t.police_id, t)
            for t in Trainee.objects.filter(police_id__in=batch).select_related("unit__parent")
        )
    enrollments = {}
    for batch in in_batches(t.pk for t in trainees.values()):
        enrollments.update(
            (e.trainee_id, e)
            for e in Enrollment.objects.filter(program=program, trainee_id__in=batch)
        )
    taken_usernames = set()
    for batch in in_batches(set(first_seen) - set(trainees)):
        taken_usernames.update(
            get_user_model().objects.filter(username__in=batch).values_list("username", flat=True)
        )

    plan.units = UnitResolver()
    units = {}
    for row, values in cleaned:
        if values.get("unit"):
            unit, message = plan.units.resolve(values["unit"], values.get("parent_unit", ""))
            if message:
                plan.errors.append(RosterError(row.number, columns["unit"], message))
            units[row.number] = unit
    for row, values in cleaned:
        police_id = values["police_id"]
        trainee = trainees.get(police_id)
        if trainee and values["name"] and trainee.name != values["name"]:
            plan.errors.append(
                RosterError(
                    row.number,
                    columns["police_id"],
                    _("police ID %(id)s belongs to %(other)s, not to %(name)s")
                    % {"id": police_id, "other": trainee.name, "name": values["name"]},
                )
            )
        if not trainee and police_id in taken_usernames:
            plan.errors.append(
                RosterError(
                    row.number,
                    columns["police_id"],
                    _("police ID %(id)s is already the user name of another account")
                    % {"id": police_id},
                )
            )
    if plan.errors:
        plan.errors.sort(key=lambda e: (e.row or 0, list(columns.values()).index(e.column)))
        return plan

    for row, values in cleaned:
        plan.rows.append(plan_row(plan, row, values, units[row.number], trainees, enrollments))
    return plan


def plan_row(plan, row, values, unit, trainees, enrollments):
    wanted = {"name": values["name"], "unit": unit}
    for key in ("gender", "position", "phone"):
        if key in values:
            wanted[key] = values[key]
    trainee = trainees.get(values["police_id"])
    if trainee is None:
        trainee = Trainee(
            police_id=values["police_id"], initial_password=new_initial_password(), **wanted
        )
        enrollment = Enrollment(program=plan.program, trainee=trainee, group=values.get("group"))
        return PlannedRow(row=row, action="create", trainee=trainee, enrollment=enrollment)

    changes = {}
    for key, new in wanted.items():
        old = getattr(trainee, key)
        if old != new:
            changes[key] = (old, new)
            setattr(trainee, key, new)
    enrollment = enrollments.get(trainee.pk)
    if enrollment is None:
        enrollment = Enrollment(program=plan.program, trainee=trainee, group=values.get("group"))
        return PlannedRow(row, "create", trainee, enrollment, changes)
    if "group" in values and enrollment.group_id != getattr(values["group"], "pk", None):
        changes["group"] = (enrollment.group, values["group"])
        enrollment.group = values["group"]
    return PlannedRow(row, "update" if changes else "unchanged", trainee, enrollment, changes)
