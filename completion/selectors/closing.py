"""The close of a program (结业): who completes and who does not, and why. Before the close,
computed from the roll call, the scores and the essays as they stand (the rules in
completion.rules); after it, read from the frozen Completion rows."""

from dataclasses import dataclass, field
from decimal import Decimal

from completion.models import Completion, CompletionException
from completion.rules import closing_of, shortfall_text, shortfalls
from completion.selectors.hours import attended_hours
from discussions.models import Essay, Grade
from exams.selectors.scores import program_scores
from sessions.selectors.discipline import discipline


@dataclass
class ClosingRow:
    """One active trainee: the figures the rules read, the rules not met, the exception."""

    enrollment: object
    hours: Decimal
    attendance_rate: Decimal | None
    shortfalls: list
    completes: bool
    exception_reason: str = ""
    exception_by: object = None
    graduation: Decimal | None = None  # before the close only: not frozen
    essay_grade: str = ""  # likewise
    certificate: object = None  # after the close

    @property
    def trainee(self):
        return self.enrollment.trainee

    @property
    def reasons(self):
        """The shortfalls, in words."""
        return [shortfall_text(shortfall) for shortfall in self.shortfalls]

    @property
    def essay_grade_label(self):
        return str(Grade(self.essay_grade).label) if self.essay_grade else ""


@dataclass
class ClosingOverview:
    closing: object  # ProgramClosing (unsaved, with the defaults, if the program has none)
    rows: list  # ClosingRow, in roster order (group, police ID)
    pass_mark: Decimal | None = None
    graduation_exam: object = None
    short: list = field(default_factory=list)  # the rows that do not complete
    complete: list = field(default_factory=list)  # the rows that do

    @property
    def closed(self):
        return self.closing.closed_at is not None

    @property
    def excepted(self):
        return sum(1 for row in self.complete if row.shortfalls)

    def __post_init__(self):
        self.short = [row for row in self.rows if not row.completes]
        # Those who complete by exception first, where the organizer looks for them again.
        self.complete = sorted(
            (row for row in self.rows if row.completes), key=lambda row: not row.shortfalls
        )


def as_rate(rate):
    """The discipline record's rate (a float of one decimal, or None) as a Decimal."""
    return None if rate is None else Decimal(str(rate))


def completion_results(program, *, closing=None, now=None):
    """Each active trainee's result if the program closed now: hours, attendance rate, the
    rules not met (completion.rules), the exception granted (CompletionException), whether
    they complete. What the close freezes. A fixed number of queries, whatever the size of
    the class."""
    closing = closing or closing_of(program)
    scores = program_scores(program)
    rates = {line.enrollment_id: line.rate for line in discipline(program, now=now).trainees}
    essays = {
        enrollment_id: (status, grade)
        for enrollment_id, status, grade in Essay.objects.filter(
            enrollment__program=program
        ).values_list("enrollment_id", "status", "grade")
    }
    hours = attended_hours(program, closing=closing, now=now)
    exceptions = {
        exception.enrollment_id: exception
        for exception in CompletionException.objects.filter(
            enrollment__program=program
        ).select_related("granted_by")
    }
    pass_mark = scores.graduation_exam.pass_mark if scores.graduation_exam else None
    rows = []
    for gain in scores.trainees:
        pk = gain.enrollment.pk
        rate = as_rate(rates.get(pk))
        essay = essays.get(pk)
        found = shortfalls(
            closing,
            attendance_rate=rate,
            graduation=gain.graduation,
            pass_mark=pass_mark,
            essay=essay,
        )
        exception = exceptions.get(pk)
        rows.append(
            ClosingRow(
                enrollment=gain.enrollment,
                hours=hours.get(pk, Decimal("0.0")),
                attendance_rate=rate,
                shortfalls=found,
                completes=not found or exception is not None,
                exception_reason=exception.reason if exception else "",
                exception_by=exception.granted_by if exception else None,
                graduation=gain.graduation,
                essay_grade=essay[1] if essay else "",
            )
        )
    return ClosingOverview(
        closing=closing,
        rows=rows,
        pass_mark=pass_mark,
        graduation_exam=scores.graduation_exam,
    )


def frozen_results(program, closing):
    """The result frozen at the close: each Completion with its certificate. One query."""
    completions = (
        Completion.objects.filter(enrollment__program=program)
        .select_related(
            "enrollment__trainee__unit",
            "enrollment__group",
            "enrollment__certificate__revoked_by",
            "exception_by",
        )
        .order_by("enrollment__group__number", "enrollment__trainee__police_id")
    )
    rows = []
    for completion in completions:
        enrollment = completion.enrollment
        rows.append(
            ClosingRow(
                enrollment=enrollment,
                hours=completion.hours,
                attendance_rate=completion.attendance_rate,
                shortfalls=completion.shortfalls,
                completes=completion.completed,
                exception_reason=completion.exception_reason,
                exception_by=completion.exception_by,
                certificate=getattr(enrollment, "certificate", None),
            )
        )
    return ClosingOverview(closing=closing, rows=rows)


def closing_overview(program, *, now=None):
    """The close page's content: the results as they would be frozen now, or, once the
    program is closed, as they were."""
    closing = closing_of(program)
    if closing.closed_at is not None:
        return frozen_results(program, closing)
    return completion_results(program, closing=closing, now=now)
