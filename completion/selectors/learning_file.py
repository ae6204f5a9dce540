"""The learning file (学习档案): a trainee's programs across the years, each with its dates and
state, the study hours, the entry and graduation scores and the gain, the essay's grade, the
completion and the certificate. Never their evaluations: an answer names no one
(completion.models).

Each figure is read where it is kept: the hours frozen in the Completion once the program is
closed, else counted now by completion.hours; the scores as exams.selectors.scores chooses
them (the latest entry and graduation exams); the grade from the essay. Who reads which
programs is trainees.permissions (trainee_programs, unit_programs). A file, a trainee's or a
unit's, is read in six queries whatever the number of programs and trainees.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from completion.hours import as_hours, attended_minutes
from completion.models import COUNTED_KINDS, Certificate, Completion, ProgramClosing
from discussions.models import Essay, Grade
from exams.selectors.scores import enrollment_scores
from sessions.models import Attendance
from trainees.models import Enrollment

COMING, RUNNING, ENDED, CLOSED = "coming", "running", "ended", "closed"
STATES = {
    COMING: _("Not started"),
    RUNNING: _("Under way"),
    ENDED: _("Ended, not closed"),
    CLOSED: pgettext_lazy("program", "Closed"),
}
DEFAULT_HOUR_MINUTES = ProgramClosing._meta.get_field("hour_minutes").default


@dataclass
class FileRow:
    """One program of a trainee's learning file."""

    enrollment: Enrollment
    state: str
    hours: Decimal
    hours_final: bool  # frozen when the program closed
    entry: Decimal | None
    graduation: Decimal | None
    essay_grade: str  # Grade's value, "" before a review
    completion: Completion | None
    certificate: Certificate | None

    @property
    def program(self):
        return self.enrollment.program

    @property
    def trainee(self):
        return self.enrollment.trainee

    @property
    def state_label(self):
        return STATES[self.state]

    @property
    def withdrawn(self):
        return self.enrollment.status == Enrollment.Status.WITHDRAWN

    @property
    def gain(self):
        if self.entry is None or self.graduation is None:
            return None
        return self.graduation - self.entry

    @property
    def essay_grade_label(self):
        return Grade(self.essay_grade).label if self.essay_grade else ""

    @property
    def certificate_valid(self):
        return self.certificate is not None and self.certificate.revoked_at is None


@dataclass
class LearningFile:
    """A trainee's learning file as one reader sees it: `rows` the programs he reads, oldest
    first; `others` whether the trainee attends programs left out (an organizer's reading)."""

    trainee: object
    rows: list
    others: bool = False

    @property
    def hours(self):
        return sum((row.hours for row in self.rows if not row.withdrawn), Decimal(0))

    @property
    def certificates(self):
        return sum(1 for row in self.rows if row.certificate_valid)


def closing_of(program):
    """The program's ProgramClosing, or None (select_related it: no query then)."""
    try:
        return program.closing
    except ProgramClosing.DoesNotExist:
        return None


def hour_rule(program):
    """(the activity kinds that count, the minutes of a study hour) of `program`: its
    ProgramClosing's, or the defaults before it has one."""
    closing = closing_of(program)
    if closing is None:
        return set(COUNTED_KINDS), DEFAULT_HOUR_MINUTES
    return set(closing.counted_kinds or COUNTED_KINDS), closing.hour_minutes


def program_state(program, today):
    if closing_of(program) is not None and program.closing.closed_at is not None:
        return CLOSED
    if today < program.start_date:
        return COMING
    if today <= program.end_date:
        return RUNNING
    return ENDED


def one_to_one(enrollment, name):
    """The enrollment's Completion or Certificate (select_related), or None."""
    try:
        return getattr(enrollment, name)
    except (Completion.DoesNotExist, Certificate.DoesNotExist):
        return None


def counted_minutes(enrollments, now):
    """{enrollment id: minutes} of the counted activities that ended by `now` and that each
    of `enrollments` attended (completion.hours): one query."""
    rules = {e.program_id: hour_rule(e.program)[0] for e in enrollments}
    minutes = defaultdict(int)
    if not enrollments:
        return minutes
    attended = (
        Attendance.objects.filter(
            enrollment_id__in=[e.pk for e in enrollments],
            status__in=Attendance.ATTENDED,
            activity__ends_at__lte=now,
        )
        .select_related("activity")
        .only(
            "enrollment_id",
            "status",
            "minutes_late",
            "left_at",
            "activity__program_id",
            "activity__kind",
            "activity__starts_at",
            "activity__ends_at",
        )
    )
    for attendance in attended:
        activity = attendance.activity
        if activity.kind in rules[activity.program_id]:
            minutes[attendance.enrollment_id] += attended_minutes(activity, attendance)
    return minutes


def file_rows(enrollments, *, released_only=False, now=None):
    """A FileRow for each of `enrollments` (a queryset of any trainees and programs), in its
    order. `released_only`: the scores of released exams only (what a trainee is shown)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    enrollments = list(
        enrollments.select_related(
            "program__closing", "trainee__unit__parent", "completion", "certificate"
        )
    )
    frozen = {e.pk for e in enrollments if one_to_one(e, "completion") is not None}
    minutes = counted_minutes([e for e in enrollments if e.pk not in frozen], now)
    scores = enrollment_scores(enrollments, released_only=released_only)
    grades = dict(
        Essay.objects.filter(enrollment_id__in=[e.pk for e in enrollments])
        .exclude(grade="")
        .values_list("enrollment_id", "grade")
    )
    rows = []
    for enrollment in enrollments:
        completion = one_to_one(enrollment, "completion")
        if completion is not None:
            hours = completion.hours
        else:
            hours = as_hours(minutes[enrollment.pk], hour_rule(enrollment.program)[1])
        rows.append(
            FileRow(
                enrollment=enrollment,
                state=program_state(enrollment.program, today),
                hours=hours,
                hours_final=completion is not None,
                entry=scores[enrollment.pk].entry,
                graduation=scores[enrollment.pk].graduation,
                essay_grade=grades.get(enrollment.pk, ""),
                completion=completion,
                certificate=one_to_one(enrollment, "certificate"),
            )
        )
    return rows


def learning_file(trainee, programs, *, released_only=False, now=None):
    """`trainee`'s learning file over `programs` (trainees.permissions.trainee_programs), oldest
    program first; `others` says whether he attends programs outside them."""
    enrollments = Enrollment.objects.filter(trainee=trainee, program__in=programs).order_by(
        "program__start_date", "program__code"
    )
    rows = file_rows(enrollments, released_only=released_only, now=now)
    others = Enrollment.objects.filter(trainee=trainee).exclude(program__in=programs).exists()
    return LearningFile(trainee=trainee, rows=rows, others=others)


def unit_file(unit_ids, programs, *, now=None):
    """The rows of the learning files of the trainees of `unit_ids` over `programs`
    (trainees.permissions.unit_programs): one a trainee a program, by unit, police ID and
    date."""
    enrollments = Enrollment.objects.filter(
        trainee__unit_id__in=unit_ids, program__in=programs
    ).order_by("trainee__unit__name", "trainee__police_id", "program__start_date", "program__code")
    return file_rows(enrollments, now=now)
