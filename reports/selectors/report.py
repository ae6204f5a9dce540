"""成绩通报: the score report of a program, one row per trainee with the summaries by branch
and by group, as circulated to the bureau. The figures come from the selectors that the
pages show (exams.selectors.scores.program_scores for the scores, sessions.selectors.discipline
for attendance), so the report, the results pages and the dashboards never disagree.

Definitions, written once here:

- branch (分局/县局): the unit a "by unit" summary counts a trainee under: reports.branches.
- pass rate: of the trainees with a final graduation score, the share at or above the
  graduation exam's pass mark, in percent with one decimal (as on the results page). A trainee
  without a graduation score is not in it; `sat` says how many are.
- attendance rate: attended (present, late or left early) over the activities that have ended
  and were the trainee's (the whole class's and the trainee's group's), in percent with one
  decimal; a summary pools its trainees' activities (sum attended / sum expected), as the
  discipline record does. Leave (请假) is not attendance and not an absence.
- study hours (学时): completion.selectors.hours.program_hours (the rule in completion.hours);
  once the program is closed, those frozen in each trainee's Completion.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from completion.selectors.hours import program_hours
from discussions.models import Essay, Grade
from exams.selectors.scores import TraineeGain, program_scores, summarize
from reports.branches import unit_branches
from reports.models import ReportDelivery
from sessions.selectors.discipline import DisciplineLine, discipline
from trainees.models import Unit

TOP_COUNT = 5  # 优秀与后进: the best and the lowest five graduation scores


@dataclass
class ReportRow:
    """One trainee: the program_scores row and the discipline line, joined."""

    scores: TraineeGain
    attendance: DisciplineLine
    branch_id: int
    branch: str
    essay_grade: str  # discussions Grade value ("A"…"D"), or "" if not graded
    passed: bool | None  # None without a graduation score (or exam)
    hours: Decimal | None = None  # 学时; None for a trainee withdrawn before the close

    @property
    def enrollment(self):
        return self.scores.enrollment

    @property
    def trainee(self):
        return self.scores.enrollment.trainee

    @property
    def police_id(self):
        return self.trainee.police_id

    @property
    def name(self):
        return self.trainee.name

    @property
    def unit(self):
        return self.trainee.unit.name

    @property
    def group(self):
        return self.scores.enrollment.group

    @property
    def entry(self):
        return self.scores.entry

    @property
    def graduation(self):
        return self.scores.graduation

    @property
    def gain(self):
        return self.scores.gain

    @property
    def essay_grade_label(self):
        return str(Grade(self.essay_grade).label) if self.essay_grade else ""

    @property
    def attendance_rate(self):
        return self.attendance.rate

    @property
    def late(self):
        return self.attendance.late

    @property
    def absent(self):
        return self.attendance.absent

    @property
    def leave(self):
        return self.attendance.leave


@dataclass
class ReportSummary:
    """A branch, a group or the whole report: means of the scores, pass and attendance rates."""

    name: str
    trainees: int
    entry: Decimal | None
    graduation: Decimal | None
    gain: Decimal | None
    sat: int  # trainees with a graduation score
    passed: int
    attendance: DisciplineLine
    key: int | None = None  # the branch's unit id, or the group's number

    @property
    def pass_rate(self):
        return round(100 * self.passed / self.sat, 1) if self.sat else None

    @property
    def without_graduation(self):
        return self.trainees - self.sat

    @property
    def attendance_rate(self):
        return self.attendance.rate


@dataclass
class ProgramReport:
    """The score report of a program, or of the part of it under `scope_unit`."""

    program: object
    scope_unit: Unit | None
    entry_exam: object
    graduation_exam: object
    rows: list  # ReportRow, in roster order (group, police ID)
    units: list  # ReportSummary per branch, by name
    groups: list  # ReportSummary per group, by number; trainees without a group last
    overall: ReportSummary
    top: list  # ReportRow, best graduation score first
    bottom: list  # ReportRow, worst graduation score first
    # Published as provisional (暂定): why, as the files print it (reports.selectors.readiness).
    provisional: list = field(default_factory=list)

    @property
    def pass_mark(self):
        return self.graduation_exam.pass_mark if self.graduation_exam else None

    @property
    def pass_rate(self):
        return self.overall.pass_rate


def summary_of(name, rows, key=None):
    gains = summarize(name, [row.scores for row in rows])
    attendance = DisciplineLine(labels=[name])
    for row in rows:
        attendance.add(row.attendance)
    scored = [row for row in rows if row.passed is not None]
    return ReportSummary(
        name=name,
        trainees=gains.trainees,
        entry=gains.entry,
        graduation=gains.graduation,
        gain=gains.gain,
        sat=len(scored),
        passed=sum(1 for row in scored if row.passed),
        attendance=attendance,
        key=key,
    )


def ends(rows, count=TOP_COUNT):
    """The best and the lowest graduation scores: `count` of each, or half of those who sat
    when fewer than twice `count` did (so that no one is among both, and a branch with five
    scores has two and two, not five best and no lowest); everyone tied with the last one
    taken is taken too (two chiefs with the same score are not told apart by police ID)."""
    scored = sorted(
        (row for row in rows if row.graduation is not None),
        key=lambda row: (-row.graduation, row.police_id),
    )
    count = min(count, len(scored) // 2)
    if count == 0:
        return [], []
    cut = scored[count - 1].graduation
    top = [row for row in scored if row.graduation >= cut]
    rest = sorted(scored[len(top) :], key=lambda row: (row.graduation, row.police_id))
    if not rest:
        return top, []
    cut = rest[min(count, len(rest)) - 1].graduation
    return top, [row for row in rest if row.graduation <= cut]


def program_report(program, *, scope_unit=None, released_only=False, now=None):
    """The score report (成绩通报) of `program`: a row per active trainee with scores, essay
    grade and attendance; summaries by branch, by group and overall; the best and worst five.
    With `scope_unit`, only the trainees of that unit and the units under it, and the
    summaries of those alone. A fixed number of queries, whatever the size of the class."""
    scores = program_scores(program, released_only=released_only)
    lines = {line.enrollment_id: line for line in discipline(program, now=now).trainees}
    grades = dict(
        Essay.objects.filter(enrollment__program=program).values_list("enrollment_id", "grade")
    )
    hours = program_hours(program, now=now)
    scope = scope_unit.descendant_ids() if scope_unit is not None else None
    chosen = [
        gain
        for gain in scores.trainees
        if scope is None or gain.enrollment.trainee.unit_id in scope
    ]
    branches = unit_branches({gain.enrollment.trainee.unit_id for gain in chosen})
    pass_mark = scores.graduation_exam.pass_mark if scores.graduation_exam else None
    rows = []
    for gain in chosen:
        branch_id, branch = branches[gain.enrollment.trainee.unit_id]
        rows.append(
            ReportRow(
                scores=gain,
                # Both selectors read the same active enrollments; a line can only be missing
                # if a trainee joined between the two queries.
                attendance=lines.get(gain.enrollment.pk) or DisciplineLine(labels=[]),
                branch_id=branch_id,
                branch=branch,
                essay_grade=grades.get(gain.enrollment.pk, ""),
                passed=None if gain.graduation is None else gain.graduation >= pass_mark,
                hours=hours.get(gain.enrollment.pk),
            )
        )
    return assemble(program, scope_unit, scores.entry_exam, scores.graduation_exam, rows)


def assemble(program, scope_unit, entry_exam, graduation_exam, rows):
    """A ProgramReport of `rows`: the summaries by branch and group, the ends."""
    by_branch, by_group = {}, {}
    for row in rows:
        by_branch.setdefault((row.branch, row.branch_id), []).append(row)
        group = row.group
        key = (group is None, group.number if group else None)
        by_group.setdefault(key, (str(group) if group else "—", []))[1].append(row)
    top, bottom = ends(rows)
    return ProgramReport(
        program=program,
        scope_unit=scope_unit,
        entry_exam=entry_exam,
        graduation_exam=graduation_exam,
        rows=rows,
        units=[
            summary_of(name, members, key=pk)
            for (name, pk), members in sorted(by_branch.items(), key=lambda item: item[0])
        ],
        groups=[
            summary_of(name, members, key=number)
            for (_none, number), (name, members) in sorted(by_group.items())
        ],
        overall=summary_of("", rows),
        top=top,
        bottom=bottom,
    )


def narrowed(report, scope_unit):
    """`report` (of the whole program) cut to the trainees of `scope_unit` and the units under
    it, its summaries counting them alone: what program_report(scope_unit=…) gives, without
    reading the scores again (a report mailed to twelve bureaus reads them once)."""
    scope = scope_unit.descendant_ids()
    rows = [row for row in report.rows if row.trainee.unit_id in scope]
    return assemble(report.program, scope_unit, report.entry_exam, report.graduation_exam, rows)


def fingerprint(report):
    """A hash of every figure of `report`: two reports with the same figures have the same
    fingerprint, so a published report can tell whether the scores have changed since. The
    study hours are not in it: they follow from the roll call, which is, and reports published
    before the hours were shown keep their fingerprints."""
    digest = hashlib.sha256(repr(report.pass_mark).encode())
    for row in report.rows:
        figures = (
            row.enrollment.pk,
            row.entry,
            row.graduation,
            row.essay_grade,
            row.attendance.attended,
            row.attendance.expected,
            row.late,
            row.absent,
            row.leave,
            row.unit,
            row.group.pk if row.group else None,
        )
        digest.update(repr(figures).encode())
    return digest.hexdigest()


@dataclass
class Mailing:
    """One recipient of a report about to be published, and the rows of its scope."""

    recipient: object  # ReportRecipient
    summary: ReportSummary  # its trainees, graduation scores and pass rate
    units: list  # the names of the units its trainees come from


def report_mailing(program, report):
    """What publishing `report` (of the whole program) mails each recipient of `program`: the
    trainees of its scope (a unit and the units under it; the whole program without one),
    summed, and their units. Two queries, whatever the size of the class."""
    recipients = list(program.report_recipients.select_related("scope_unit"))
    children = {}
    if any(recipient.scope_unit_id for recipient in recipients):
        for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
    mailings = []
    for recipient in recipients:
        rows = report.rows
        if recipient.scope_unit_id is not None:
            scope, frontier = set(), [recipient.scope_unit_id]
            while frontier:  # the subtree, walked down the tree read once
                scope.update(frontier)
                frontier = [
                    pk for parent in frontier for pk in children.get(parent, ()) if pk not in scope
                ]
            rows = [row for row in rows if row.trainee.unit_id in scope]
        mailings.append(
            Mailing(
                recipient=recipient,
                summary=summary_of(str(recipient), rows),
                units=sorted({row.unit for row in rows}),
            )
        )
    return mailings


def program_branches(program):
    """[(unit id, name)] of the branches with active trainees in `program`, by name: the
    scopes a report can be cut to."""
    unit_ids = set(
        program.enrollments.filter(status="active").values_list("trainee__unit_id", flat=True)
    )
    return sorted(set(unit_branches(unit_ids).values()), key=lambda branch: (branch[1], branch[0]))


def report_units(program):
    """The units `program`'s report can be cut to (?unit=, a recipient's rows): those of its
    active trainees and every unit above them, up to the bureau; a unit with none of its
    trainees under it would cut the report to nothing. Two queries, whatever the class."""
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    chosen = set()
    for unit_id in program.enrollments.filter(status="active").values_list(
        "trainee__unit_id", flat=True
    ):
        while unit_id is not None and unit_id not in chosen:
            chosen.add(unit_id)
            unit_id = parents[unit_id]
    return Unit.objects.filter(pk__in=chosen)


def report_log(program):
    """The program's published reports, newest first, with their deliveries counted by state."""
    counts = {
        f"{status}_count": Count("deliveries", filter=Q(deliveries__status=status))
        for status in ReportDelivery.Status.values
    }
    return list(
        program.score_reports.select_related("created_by")
        .annotate(delivery_count=Count("deliveries"), **counts)
        .order_by("-number")
    )
