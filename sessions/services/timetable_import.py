"""Importing activities from .xlsx/.csv: one row an activity, all or nothing, row-numbered errors.

Columns (Chinese or English headers): 日期 date, 开始 start, 结束 end, 类型 kind, 题目 title
(required); 授课人 speaker, 场地 venue, 分组 group (optional). Each row is checked like an
activity saved in the browser (clashes with the timetable and with the rows above it); any
error rolls the whole file back.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions import clashes
from sessions.models import Activity, Speaker
from sessions.services import timetable
from trainees.spreadsheets import (
    SpreadsheetError,
    SpreadsheetFileError,
    group_number,
    read_table,
)

COLUMNS = {
    "date": ("日期", "date"),
    "start": ("开始", "开始时间", "start"),
    "end": ("结束", "结束时间", "end"),
    "kind": ("类型", "形式", "kind"),
    "title": ("题目", "标题", "内容", "title"),
    "speaker": ("授课人", "主讲人", "speaker"),
    "venue": ("场地", "地点", "venue"),
    "group": ("分组", "group"),
}
REQUIRED = ("date", "start", "end", "kind", "title")
DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
TIME = re.compile(r"^(\d{1,2})[:：](\d{2})")
SPEAKER_SEPARATORS = re.compile(r"[、;；,，/]")


@dataclass
class ActivityImport:
    activities: list = field(default_factory=list)
    errors: list = field(default_factory=list)


class Rollback(Exception):
    """Raised inside the transaction to undo a file with errors, or a dry run."""


def parse_date(text):
    match = DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_time(text):
    match = TIME.match(text)
    if match:
        hour, minute = int(match[1]), int(match[2])
    else:
        try:  # an Excel time stored as a fraction of a day
            fraction = float(text)
        except ValueError:
            return None
        if not 0 <= fraction < 1:  # and not -1, 1e400 (inf) or NaN: no time of day
            return None
        hour, minute = divmod(round(fraction * 24 * 60), 60)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def kinds():
    """Every way a kind may be written: its code, its English and its Chinese name."""
    names = {}
    for value, label in Activity.Kind.choices:
        names[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(label).lower()] = value
    names.update(
        {
            "讲座": "lecture",
            "开班": "ceremony",
            "结业": "ceremony",
            "开班仪式": "ceremony",
            "结业式": "ceremony",
            "警示教育": "film",
            "案例剖析": "case_study",
        }
    )
    return names


class SpeakerFinder:
    """ "市公安局督察支队支队长 吕平洋" → the speaker 吕平洋, found by name or made."""

    def __init__(self):
        self.by_name = {}
        for speaker in Speaker.objects.all():
            self.by_name.setdefault(speaker.name, []).append(speaker)

    def find(self, text):
        """The speakers a cell names: ([speakers], None), or ([], error) for an ambiguous name.

        One known person of that name is that speaker, however the cell writes the title
        (so the speaker-clash rule sees them); several are told apart by the title."""
        speakers = []
        for part in filter(None, (p.strip() for p in SPEAKER_SEPARATORS.split(text))):
            title, _sep, name = part.rpartition(" ")
            known = self.by_name.get(name, [])
            if len(known) > 1:
                known = [s for s in known if title and title == f"{s.organization}{s.title}"]
                if len(known) != 1:
                    example = str(self.by_name[name][0])
                    return [], _(
                        "several speakers are named %(name)s: write the title as in the "
                        "timetable, e.g. %(example)s"
                    ) % {"name": name, "example": example}
            if known:
                speakers.append(known[0])
                continue
            speaker = timetable.speaker_get_or_create(name=name, title=title)
            self.by_name[name] = [speaker]
            speakers.append(speaker)
        return speakers, None


def activities_import(*, program, name, content, user, dry_run=False):
    """Read, check and (unless `dry_run` or in error) save the activities of a file."""
    result = ActivityImport()
    try:
        table = read_table(
            name,
            content,
            COLUMNS,
            REQUIRED,
            _("No header row found: the file needs the columns 日期, 开始, 结束, 类型 and 题目."),
        )
    except SpreadsheetFileError as error:
        result.errors.append(SpreadsheetError(None, "", str(error)))
        return result
    if not table.rows:
        result.errors.append(
            SpreadsheetError(None, "", _("The file has a header but no activities."))
        )
        return result
    try:
        with transaction.atomic():
            save_rows(program, table, user, result)
            if result.errors or dry_run:
                raise Rollback
    except Rollback:
        pass
    return result


def save_rows(program, table, user, result):
    """Save each row through the same checks as the browser; collect every error."""
    columns, known_kinds = table.columns, kinds()
    groups = {group.number: group for group in program.groups.all()}
    speakers = SpeakerFinder()
    for row in table.rows:
        values, errors = row.values, []

        def error(column, message, row=row, errors=errors):
            errors.append(SpreadsheetError(row.number, columns[column], message))

        for key in REQUIRED:
            if not values.get(key):
                error(key, _("required, but empty"))
        day = parse_date(values.get("date", ""))
        start, end = parse_time(values.get("start", "")), parse_time(values.get("end", ""))
        kind = known_kinds.get(values.get("kind", "").lower())
        if values.get("date") and day is None:
            error("date", _("“%(value)s” is not a date") % {"value": values["date"]})
        for key, parsed in (("start", start), ("end", end)):
            if values.get(key) and parsed is None:
                error(key, _("“%(value)s” is not a time") % {"value": values[key]})
        if values.get("kind") and kind is None:
            error("kind", _("“%(value)s” is not a kind of activity") % {"value": values["kind"]})
        if len(values.get("title", "")) > 200:
            error("title", _("longer than %(limit)s characters") % {"limit": 200})
        group = None
        if values.get("group"):
            number = group_number(values["group"])
            group = groups.get(number)
            if group is None:
                error(
                    "group",
                    _("group %(number)s does not exist in this program")
                    % {"number": values["group"]},
                )
        if errors or None in (day, start, end, kind):
            result.errors += errors
            continue
        activity = Activity(
            program=program,
            kind=kind,
            title=values["title"],
            group=group,
            starts_at=timezone.make_aware(datetime.combine(day, start)),
            ends_at=timezone.make_aware(datetime.combine(day, end)),
        )
        if values.get("venue"):
            activity.venue = timetable.venue_get_or_create(program=program, name=values["venue"])
        people, message = speakers.find(values.get("speaker", ""))
        if message:
            result.errors.append(SpreadsheetError(row.number, columns["speaker"], message))
            continue
        problems = clashes.activity_clashes(activity, people)
        if problems.errors:
            result.errors += [
                SpreadsheetError(row.number, columns["title"], m) for m in problems.errors
            ]
            continue
        timetable.activity_save(activity=activity, speakers=people, user=user, record=False)
        result.activities.append(activity)
    if not result.errors:
        timetable.record_batch(program=program, activities=result.activities, user=user)
