"""The completion rules (结业条件) of a program, each optional, and the shortfall each names.

- attendance: the attendance rate (sessions.selectors.discipline: attended over the
  activities that have ended and were the trainee's, one decimal) at least the program's
  minimum. A trainee with no ended activity has no rate and misses nothing.
- graduation: a final score of the graduation exam (exams.selectors.scores.program_scores:
  the latest graduation exam, graded attempts only) at or above its pass mark. Without a
  graduation exam, or with short answers still to grade, nobody has one.
- essay: the reflection essay handed in (not a draft, not returned for revision) and graded
  合格 or better (discussions.models.Grade A, B or C).

A shortfall is a small dict, {"rule": …, and the figures that say why}, kept as such in a
closed program's Completion.shortfalls (frozen, in no language); `shortfall_text` says it
in the reader's language.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from completion.models import COUNTED_KINDS, EVALUATED_KINDS, ProgramClosing
from discussions.models import Essay, Grade
from exams.services.numbers import plain
from trainees.rows import Columns, cache_per_process, fetch, table

ATTENDANCE, GRADUATION, ESSAY = "attendance", "graduation", "essay"
ESSAY_MISSING, ESSAY_UNGRADED, ESSAY_FAILED = "missing", "ungraded", "failed"
PASSING_GRADES = (Grade.EXCELLENT, Grade.GOOD, Grade.PASS)


@cache_per_process
def closing_query():
    """closing_of's SQL (trainees.rows: a trainee's every day reads the rules)."""
    part = Columns(ProgramClosing, "c")
    return f"SELECT {part.sql()} FROM {table(ProgramClosing)} c WHERE c.program_id = %s", part


def closing_of(program):
    """The program's ProgramClosing, or an unsaved one with the defaults. Empty kinds mean
    the defaults (COUNTED_KINDS, EVALUATED_KINDS): a program where nothing counts for study
    hours makes no sense, and the rules form refuses it."""
    sql, part = closing_query()
    rows = fetch(sql, [program.pk])
    return with_defaults(program, part.instance(rows[0]) if rows else None)


def with_defaults(program, closing):
    """closing_of's answer for the ProgramClosing read (None: the program has none)."""
    if closing is None:
        closing = ProgramClosing(program=program)
    if not closing.counted_kinds:
        closing.counted_kinds = list(COUNTED_KINDS)
    if not closing.evaluated_kinds:
        closing.evaluated_kinds = list(EVALUATED_KINDS)
    return closing


def any_rule(closing):
    """Whether the program sets a completion rule at all (without one, everyone completes)."""
    return (
        closing.min_attendance_rate is not None
        or closing.require_graduation_pass
        or closing.require_essay
    )


def shortfalls(closing, *, attendance_rate, graduation, pass_mark, essay):
    """The rules of `closing` that a trainee does not meet, as shortfall dicts.

    `attendance_rate`: a number or None (no ended activity); `graduation`: the final score or
    None; `pass_mark`: the graduation exam's, None without one; `essay`: (status, grade) of
    the trainee's essay, or None without one."""
    found = []
    minimum = closing.min_attendance_rate
    if minimum is not None and attendance_rate is not None:
        rate = Decimal(str(attendance_rate))
        if rate < minimum:
            found.append({"rule": ATTENDANCE, "rate": str(rate), "required": plain(minimum)})
    if closing.require_graduation_pass and (
        graduation is None or pass_mark is None or graduation < pass_mark
    ):
        found.append(
            {
                "rule": GRADUATION,
                "score": None if graduation is None else plain(graduation),
                "required": None if pass_mark is None else plain(pass_mark),
            }
        )
    if closing.require_essay:
        status, grade = essay or (None, "")
        if status != Essay.Status.SUBMITTED:
            found.append({"rule": ESSAY, "state": ESSAY_MISSING})
        elif not grade:
            found.append({"rule": ESSAY, "state": ESSAY_UNGRADED})
        elif grade not in PASSING_GRADES:
            found.append({"rule": ESSAY, "state": ESSAY_FAILED, "grade": grade})
    return found


def shortfall_text(shortfall):
    """What a shortfall dict says, in the reader's language."""
    rule = shortfall.get("rule")
    if rule == ATTENDANCE:
        return _("Attendance rate %(rate)s%%, below the required %(required)s%%") % shortfall
    if rule == GRADUATION:
        if shortfall.get("score") is None:
            return _("No final graduation exam score")
        return _("Graduation exam score %(score)s, below the pass mark %(required)s") % shortfall
    if rule == ESSAY:
        state = shortfall.get("state")
        if state == ESSAY_UNGRADED:
            return _("Essay handed in, not graded yet")
        if state == ESSAY_FAILED:
            return _("Essay graded %(grade)s") % {"grade": Grade(shortfall["grade"]).label}
        return _("Essay not handed in")
    return str(shortfall)
