"""The discipline record (纪律): every active trainee's attendance over the activities that have
ended, summed by group and by unit. Also read by exams.reports.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from sessions.models import Activity, Attendance
from trainees.models import Enrollment


@dataclass
class DisciplineLine:
    labels: list
    expected: int = 0
    present: int = 0
    late: int = 0
    minutes_late: int = 0
    left_early: int = 0
    absent: int = 0
    leave: int = 0
    enrollment_id: int | None = None  # a trainee's line; None for the sums

    @property
    def attended(self):
        return sum(getattr(self, status.value) for status in Attendance.ATTENDED)

    @property
    def rate(self):
        return round(100 * self.attended / self.expected, 1) if self.expected else None

    @property
    def figures(self):
        rate = f"{self.rate}%" if self.rate is not None else ""
        return [
            self.expected,
            self.attended,
            rate,
            self.late,
            self.minutes_late,
            self.left_early,
            self.absent,
            self.leave,
        ]

    def add(self, other):
        for name in (
            "expected",
            "present",
            "late",
            "minutes_late",
            "left_early",
            "absent",
            "leave",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Discipline:
    trainees: list
    groups: list
    units: list
    total: DisciplineLine


def discipline(program, now=None):
    """Attendance of every active trainee over the activities that have ended, summed by
    group and by (parent) unit: three queries, whatever the size of the class."""
    now = now or timezone.now()
    ended = dict(
        Activity.objects.filter(program=program, ends_at__lte=now).values_list("pk", "group_id")
    )
    enrollments = list(
        Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE)
        .select_related("trainee__unit__parent", "group")
        .order_by("group__number", "trainee__police_id")
    )
    records = defaultdict(list)
    for enrollment_id, activity_id, status, minutes in Attendance.objects.filter(
        activity__program=program, activity__ends_at__lte=now
    ).values_list("enrollment_id", "activity_id", "status", "minutes_late"):
        records[enrollment_id].append((activity_id, status, minutes))
    trainees, groups, units = [], {}, {}
    total = DisciplineLine(labels=[])
    for enrollment in enrollments:
        trainee = enrollment.trainee
        unit = trainee.unit.parent or trainee.unit
        line = DisciplineLine(
            labels=[
                trainee.police_id,
                trainee.name,
                trainee.unit.name,
                str(enrollment.group or ""),
            ],
            enrollment_id=enrollment.pk,
        )
        mine = {pk for pk, group in ended.items() if group in (None, enrollment.group_id)}
        line.expected = len(mine)
        for activity_id, status, minutes in records[enrollment.pk]:
            if activity_id in mine:  # a record of another group's activity does not count
                setattr(line, status, getattr(line, status) + 1)
                line.minutes_late += minutes
        trainees.append(line)
        group_key = str(enrollment.group or "—")
        groups.setdefault(group_key, DisciplineLine(labels=[group_key])).add(line)
        units.setdefault(unit.name, DisciplineLine(labels=[unit.name])).add(line)
        total.add(line)
    return Discipline(
        trainees=trainees,
        groups=list(groups.values()),
        units=sorted(units.values(), key=lambda line: line.labels[0]),
        total=total,
    )
