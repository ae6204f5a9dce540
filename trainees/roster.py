"""Reading a bureau's roster spreadsheet (学员名册): .xlsx or .csv, Chinese or English headers.

`read_roster` turns a file into rows (read by trainees.spreadsheets), with row numbers as the
spreadsheet numbers them; `plan_roster` checks every row against the database and says, row
by row, what an import would create, update or leave unchanged. Nothing here writes:
trainees.services.roster does.
"""

import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trainees.import_errors import HintedError
from trainees.models import Enrollment, Group, Trainee, Unit
from trainees.permissions import held_by_others, known_to, organizer_bound
from trainees.spreadsheets import (
    FORMULA_STARTS,
    SpreadsheetError,
    Table,
    TableRow,
    group_number,
    read_table,
)

# Canonical column → the header texts that name it (compared after spreadsheets.normalize_header).
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
POLICE_ID = re.compile(r"^[0-9A-Za-z]{3,20}$")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# A unit's name begins with its parent's: 溧阳市公安局|竹箦派出所, 常州市公安局金坛分局|儒林派出所.
PARENT_SUFFIXES = ("公安分局", "公安局", "分局", "县局")
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i to misread on a slip


@dataclass
class PlannedRow:
    row: TableRow
    action: str  # "create" | "update" | "unchanged"
    trainee: Trainee | None = None
    enrollment: Enrollment | None = None
    changes: dict = field(default_factory=dict)  # field → (old, new), for display
    # The trainee exists, in none of the importer's programs: the preview shows what the file
    # says, never what is stored (`changes` then holds (None, the file's value) for each).
    stranger: bool = False
    # The trainee is active in a running or coming program of others, whose organizers keep
    # the record meanwhile: the file's unit, position, gender and phone are not applied.
    kept: bool = False
    written: set = field(default_factory=set)  # the trainee's fields the import changes

    @property
    def shown_changes(self):
        """The changes as the preview shows them: (label, old, new) in the organizer's words
        (old is None for a `stranger`: what is stored is not shown)."""

        def shown(key, value):
            if key == "gender":
                return Trainee.Gender(value).label if value else ""
            if isinstance(value, Unit):
                return value.name
            return "" if value is None else str(value)

        model = {"group": Enrollment}
        return [
            (
                model.get(key, Trainee)._meta.get_field(key).verbose_name,
                None if self.stranger else shown(key, old),
                shown(key, new),
            )
            for key, (old, new) in self.changes.items()
        ]


@dataclass
class RosterPlan:
    program: object
    roster: Table
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    units: object = None  # UnitResolver
    groups: object = None  # RosterGroups

    def count(self, action):
        return sum(1 for planned in self.rows if planned.action == action)

    @property
    def summary(self):
        return (
            f"created {self.count('create')}, updated {self.count('update')}, "
            f"unchanged {self.count('unchanged')}"
        )

    @property
    def new_units(self):
        """The units the import creates, by the unit they go under: [(parent's name or "",
        [names])], for the preview."""
        by_parent = {}
        for unit in self.units.new if self.units else []:
            by_parent.setdefault(unit.parent.name if unit.parent else "", []).append(unit.name)
        return list(by_parent.items())

    @property
    def new_groups(self):
        """The groups the import creates, by number."""
        return sorted(self.groups.new if self.groups else [], key=lambda group: group.number)

    @property
    def new_groups_text(self):
        """将新建第 6、7、8 组 (empty if none)."""
        numbers = [str(group.number) for group in self.new_groups]
        if not numbers:
            return ""
        separator = _(", ")  # 、 in Chinese
        return ngettext(
            "Group %(numbers)s will be created.",
            "Groups %(numbers)s will be created.",
            len(numbers),
        ) % {"numbers": separator.join(numbers)}


def read_roster(name, content):
    """Read a roster file: find its header row by the column names, and normalize each cell."""
    return read_table(
        name,
        content,
        COLUMNS,
        REQUIRED,
        _("No header row found: the roster needs the columns 姓名, 警号 and 单位."),
    )


def unit_kind(name):
    for suffix, kind in (
        ("派出所", Unit.Kind.STATION),
        ("大队", Unit.Kind.BRIGADE),
        ("支队", Unit.Kind.DEPARTMENT),
        ("分局", Unit.Kind.BRANCH),
        ("县局", Unit.Kind.BRANCH),
        ("公安局", Unit.Kind.BUREAU),
        ("公安厅", Unit.Kind.PROVINCE),
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

    A new unit that would have no parent (a county bureau such as 商水县公安局, or a station
    whose name spells no parent) is filed under `bureau`, the program's organizing bureau,
    unless it is that bureau: the city's tree is right after one import. A bureau filed under
    another is a county bureau (Unit.Kind.BRANCH), unless filed under a province (a city
    bureau of a province-wide program's roster, 无锡市公安局 under 江苏省公安厅).

    With `within` (an organizer's Bound), a unit outside it is an error: an organizer of one
    city files no trainee in another's units (trainees.permissions.organizer_bound).

    A new 省公安厅 is of the kind PROVINCE with `provinces` only (an administrator's import, or
    the command line's): a province takes the top from a single city's bureau
    (trainees.permissions.is_top), which only an administrator decides; else it is OTHER.
    """

    def __init__(self, bureau=None, within=None, provinces=True):
        self.bureau = bureau
        self.within = within
        self.provinces = provinces
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
            return self.checked(candidates[0])
        if candidates:
            return None, _(
                "several units are named %(unit)s: give its 上级单位 to tell them apart"
            ) % {"unit": name}
        parent = None
        if parent_name and parent_name != name:
            parent, error = self.resolve(parent_name)
            if error:
                return None, error
        elif self.bureau is not None and name != self.bureau.name:
            parent = self.bureau
        kind = unit_kind(name)
        if kind == Unit.Kind.BUREAU and parent is not None and parent.kind != Unit.Kind.PROVINCE:
            kind = Unit.Kind.BRANCH  # 商水县公安局 under 周口市公安局
        if kind == Unit.Kind.PROVINCE and not self.provinces:
            kind = Unit.Kind.OTHER
        unit = Unit(name=name, kind=kind, parent=parent)
        if self.within is not None and not self.inside(unit):
            return self.checked(unit)
        self.by_name.setdefault(name, []).append(unit)
        self.new.append(unit)
        return unit, None

    def inside(self, unit):
        """Whether `unit` (a new one: its first stored ancestor) is within `self.within`."""
        while unit is not None and unit.pk is None:
            unit = unit.parent
        return unit is not None and self.within.covers(unit.pk)

    def checked(self, unit):
        """(unit, None), or (None, the error) for a unit outside `self.within`."""
        if self.within is None or self.inside(unit):
            return unit, None
        return None, _(
            "%(unit)s is not under %(own)s, the unit of your account: only an administrator "
            "can file trainees there"
        ) % {"unit": unit.name, "own": self.within.unit.name}


class RosterGroups:
    """The program's groups by number, and those the roster names that the program does not
    have yet: they are created with the import, in its transaction (numbers 1 to
    Group.MAX_NUMBER)."""

    def __init__(self, program):
        self.program = program
        self.by_number = {group.number: group for group in program.groups.all()}
        self.by_pk = {group.pk: group for group in self.by_number.values()}
        self.new = []

    def get(self, number):
        """The group numbered `number`, a new one if need be; None for a number no group
        may have."""
        group = self.by_number.get(number)
        if group is None and 1 <= number <= Group.MAX_NUMBER:
            group = Group(program=self.program, number=number)
            self.by_number[number] = group
            self.new.append(group)
        return group


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


def validate_row(row, columns, groups, errors):
    """Field-level checks of one row; appends to `errors` and returns the cleaned values."""
    values = dict(row.values)

    def error(column, message):
        errors.append(SpreadsheetError(row.number, columns[column], message))

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
        values["group"] = group = groups.get(number) if number is not None else None
        if number is None:
            error("group", _("“%(value)s” is not a group number") % {"value": text})
        elif group is None:
            message = _("group %(number)s does not exist in this program") % {"number": number}
            hint = _(
                "Groups are numbered 1 to %(max)s; a group the program does not have yet is "
                "created with the import."
            ) % {"max": Group.MAX_NUMBER}
            errors.append(HintedError(row.number, columns["group"], message, hint))
    else:
        values.pop("group", None)  # an empty 分组 cell leaves the trainee's group as it is
    return values


def plan_roster(program, roster, user=None):
    """Check every row and decide what importing the roster into `program` would do, for
    `user` (None: the command line, the demo).

    Every error of every row is collected; the plan is applied only if there are none.

    A trainee's record is shared by the programs he attends (trainees.permissions). A row
    with a known police ID enrolls that trainee only if it also gives his name; the error
    names the stored name only to an importer who already reads it. The file's unit,
    position, gender and phone replace the stored ones, the history recording the program,
    unless another program that is running or coming holds him (`kept`); the preview of a
    trainee in none of the importer's programs shows the file's values, never the stored.
    """
    plan = RosterPlan(program=program, roster=roster)
    columns = roster.columns
    if not roster.rows:
        plan.errors.append(
            SpreadsheetError(None, "", _("The roster has a header but no trainees."))
        )
        return plan
    plan.groups = RosterGroups(program)
    cleaned = [(row, validate_row(row, columns, plan.groups, plan.errors)) for row in roster.rows]

    first_seen = {}
    for row, values in cleaned:
        police_id = values["police_id"]
        if not police_id:
            continue  # already reported as required
        if police_id in first_seen:
            plan.errors.append(
                SpreadsheetError(
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
    known = known_to(user, [t.pk for t in trainees.values()])
    held = held_by_others(user, [t.pk for t in trainees.values()])
    taken_usernames = set()
    for batch in in_batches(set(first_seen) - set(trainees)):
        taken_usernames.update(
            get_user_model().objects.filter(username__in=batch).values_list("username", flat=True)
        )

    bound = organizer_bound(user)
    plan.units = UnitResolver(
        bureau=program.bureau, within=bound, provinces=user is None or user.is_superuser
    )
    # A name the tree holds twice is told apart by the 上级单位: say so once, on every row.
    hint = "" if "parent_unit" in columns else _("Add a 上级单位 column to the file.")
    units = {}
    for row, values in cleaned:
        trainee = trainees.get(values["police_id"])
        if trainee is not None and trainee.pk in held:
            units[row.number] = trainee.unit  # kept as it is: the file's unit makes no unit
        elif values.get("unit"):
            unit, message = plan.units.resolve(values["unit"], values.get("parent_unit", ""))
            if message:
                plan.errors.append(HintedError(row.number, columns["unit"], message, hint))
            units[row.number] = unit
    for row, values in cleaned:
        police_id = values["police_id"]
        trainee = trainees.get(police_id)
        if (
            trainee
            and bound is not None
            and not bound.covers(trainee.unit_id)
            and trainee.pk not in known
        ):
            # Another city's trainee: his record is theirs (README "Roles").
            message = _(
                "police ID %(id)s is registered in a unit outside %(own)s, the unit of your "
                "account: only an administrator can enroll them"
            ) % {"id": police_id, "own": bound.unit.name}
            plan.errors.append(SpreadsheetError(row.number, columns["police_id"], message))
        elif trainee and values["name"] and trainee.name != values["name"]:
            if trainee.pk in known:
                message = _("police ID %(id)s belongs to %(other)s, not to %(name)s") % {
                    "id": police_id,
                    "other": trainee.name,
                    "name": values["name"],
                }
            else:  # say nothing of a record the importer cannot read
                message = _(
                    "police ID %(id)s is registered under another name: check the name and "
                    "the police ID"
                ) % {"id": police_id}
            plan.errors.append(SpreadsheetError(row.number, columns["police_id"], message))
        if not trainee and police_id in taken_usernames:
            plan.errors.append(
                SpreadsheetError(
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
        plan.rows.append(
            plan_row(plan, row, values, units[row.number], trainees, enrollments, known, held)
        )
    return plan


def plan_row(plan, row, values, unit, trainees, enrollments, known, held):
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

    kept = trainee.pk in held
    stranger = trainee.pk not in known
    changes, written = {}, set()
    for key, new in wanted.items():
        old = getattr(trainee, key)
        if stranger and key != "name":
            # The file's value, whether or not it is the stored one (its unit as the file names
            # it: a kept trainee's row resolves no unit).
            changes[key] = (None, values["unit"] if key == "unit" else new)
        if old != new and not kept:
            if not stranger:
                changes[key] = (old, new)
            written.add(key)
            setattr(trainee, key, new)
    enrollment = enrollments.get(trainee.pk)
    if enrollment is None:
        enrollment = Enrollment(program=plan.program, trainee=trainee, group=values.get("group"))
        return PlannedRow(row, "create", trainee, enrollment, changes, stranger, kept, written)
    group = values.get("group")
    if "group" in values and (group.pk is None or enrollment.group_id != group.pk):
        changes["group"] = (plan.groups.by_pk.get(enrollment.group_id), group)
        enrollment.group = group
    return PlannedRow(
        row,
        "update" if changes else "unchanged",
        trainee,
        enrollment,
        changes,
        stranger,
        kept,
        written,
    )
