"""The dashboards' summaries (汇总): a program's figures, summed per unit of its trainees
(reports.models.UnitSummary) and per trainee (EnrollmentSummary), recomputed from the raw rows
with the score report's definitions, so that a dashboard adds up a few rows per program and
unit instead of reading every roll-call, attempt and essay row.

Kept up to date in three steps:

1. `programs_mark(ids)`: a write changed (or may have changed) the figures of these programs.
   The signals of reports.signals call it on every save and delete of what is summed, and the
   services below reports after a bulk write (trainees.summaries.programs_changed). It costs a
   cache.add per program and no query: the first mark adds a "pending" key and asks for a
   refresh after commit; the others find the key and do nothing, so a roll-call sheet of 220
   taps asks for one refresh, not 220.
2. After commit, with a broker, the task reports.tasks.program_summary_refresh is sent (without
   one, the embedded way, the key stays and the next dashboard read refreshes: a roll-call tap
   never pays for a refresh in its request).
3. `summary_refresh`: deletes the key first, then recomputes under the summary's row lock, so a
   change committed during a refresh asks for another. Idempotent: it reads everything from the
   database and may run twice.

The dashboards (reports.selectors.summaries) refresh, before reading, a program whose summary
is missing, pending, or computed for another moment (an activity has ended since).

A program's branch rows (BranchSummary: its unit rows added up by branch) depend on the unit
tree too: a refresh adds them up for the tree as it is, and the bureau dashboard, which reads
the tree anyway, adds them up again from the unit rows (`branch_summaries_build`, no raw row
read) for a program whose rows were added up for another tree (a unit created, moved or made a
branch since): ProgramSummary.branches_for holds the digest of the tree they are for.
"""

import hashlib
import logging
from collections import defaultdict
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.dispatch import Signal
from django.utils import timezone

from completion.models import Certificate, Completion
from completion.selectors.hours import program_hours
from discussions.models import Essay, Grade
from exams.models import Attempt, Exam
from exams.selectors.scores import SCORED_KINDS, latest_exams
from reports.branches import unit_branches
from reports.models import (
    BranchSummary,
    EnrollmentSummary,
    ProgramSummary,
    TraineeTally,
    UnitSummary,
)
from sessions.models import Activity, Attendance
from trainees.models import Enrollment, Program, Trainee

logger = logging.getLogger(__name__)

# Sent after commit, with a broker, for each program whose refresh was asked for (reports.tasks
# listens and sends the task).
refresh_wanted = Signal()

GRADE_FIELDS = {
    Grade.EXCELLENT: "grade_a",
    Grade.GOOD: "grade_b",
    Grade.PASS: "grade_c",
    Grade.FAIL: "grade_d",
}
COUNTED = [
    "trainees",
    "entry_count",
    "graduation_count",
    "passed",
    "gain_count",
    "expected",
    "present",
    "late",
    "left_early",
    "absent",
    "leave",
    "essays_draft",
    "essays_returned",
    "essays_submitted",
    "essays_reviewed",
    *GRADE_FIELDS.values(),
    "completed",
    "certificates",
]
SUMMED = ["entry_sum", "graduation_sum", "gain_sum", "hours"]
FIGURES = COUNTED + SUMMED


def pending_key(program_id):
    return f"reports:summary-pending:{program_id}"


# Marking --------------------------------------------------------------------------------------


def programs_mark(program_ids):
    """The figures of `program_ids` may have changed in this transaction: ask for one refresh
    of each after commit, unless one is pending already. A cache.add per program, no query."""
    for program_id in program_ids:
        if program_id is not None and cache.add(pending_key(program_id), True, timeout=None):
            transaction.on_commit(partial(refresh_ask, program_id))


def refresh_ask(program_id):
    """After commit: send the refresh, or, without a broker, leave it to the next reader. The
    key is set again: a reader may have refreshed (and cleared it) before this commit."""
    cache.set(pending_key(program_id), True, timeout=None)
    if settings.CELERY_BROKER_URL:
        refresh_wanted.send(sender=ProgramSummary, program_id=program_id)


# Refreshing -----------------------------------------------------------------------------------


def summary_refresh(*, program_id, now=None, branches=None):
    """Recompute the summary of one program from its raw rows, for the moment `now`, its branch
    rows for the tree `branches` (unit_branches(None); None: read it); a deleted program has
    none. Clears its pending key first (a change committed meanwhile asks again). A fixed
    number of queries, whatever the size of the class."""
    cache.delete(pending_key(program_id))
    try:
        return summary_compute(program_id, now or timezone.now(), branches)
    except Exception:
        cache.set(pending_key(program_id), True, timeout=None)  # the next read tries again
        raise


def tree_digest(branches):
    """A digest of the unit tree's unit → branch map (`branches`: unit_branches(None)): the
    branch rows added up for one tree hold for another with the same digest."""
    pairs = sorted((unit_id, branch_id) for unit_id, (branch_id, _name) in branches.items())
    return hashlib.blake2b(repr(pairs).encode(), digest_size=16).hexdigest()


def branch_totals(units, branches):
    """{branch id: {figure: total}} of `units` ({unit id: {figure: total}}, a program's unit
    rows), each unit added to its branch in `branches` (unit_branches(None)). A unit the tree
    does not hold yet (made after it was read) is left out, as the dashboard leaves it out;
    the tree read next holds it, its digest differs, and the rows are added up again."""
    totals = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for unit_id, sums in units.items():
        if unit_id in branches:
            branch = totals[branches[unit_id][0]]
            for name in FIGURES:
                branch[name] += sums[name]
    return totals


def branch_rows_write(program_id, units, branches):
    """Replace the branch rows of one program by the sums of `units` ({unit id: {figure:
    total}}) for the tree `branches`: a delete and an insert."""
    BranchSummary.objects.filter(program_id=program_id).delete()
    BranchSummary.objects.bulk_create(
        BranchSummary(program_id=program_id, branch_id=branch_id, **sums)
        for branch_id, sums in branch_totals(units, branches).items()
    )


@transaction.atomic
def branch_summaries_build(program_ids, branches):
    """Add up again, from their unit rows, the branch rows of those of `program_ids` whose rows
    were added up for another tree than `branches` (unit_branches(None)), under their
    summaries' row locks (a refresh or another reader takes its turn). Returns their ids. A
    fixed number of queries for any number of programs, and no raw row read: after a change of
    the tree, the bureau dashboard of a province adds up its 12,000 unit rows once."""
    digest = tree_digest(branches)
    ids = list(
        ProgramSummary.objects.select_for_update()
        .filter(program_id__in=list(program_ids))
        .exclude(branches_for=digest)
        .order_by("program_id")
        .values_list("program_id", flat=True)
    )
    if not ids:
        return ids
    units = defaultdict(dict)  # program id → unit id → {figure: total}
    for row in UnitSummary.objects.filter(program_id__in=ids).values(
        "program_id", "unit_id", *FIGURES
    ):
        units[row.pop("program_id")][row.pop("unit_id")] = row
    BranchSummary.objects.filter(program_id__in=ids).delete()
    BranchSummary.objects.bulk_create(
        (
            BranchSummary(program_id=program_id, branch_id=branch_id, **sums)
            for program_id in ids
            for branch_id, sums in branch_totals(units[program_id], branches).items()
        ),
        batch_size=1000,
    )
    ProgramSummary.objects.filter(program_id__in=ids).update(branches_for=digest)
    return ids


@transaction.atomic
def summary_compute(program_id, now, branches=None):
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return None
    ProgramSummary.objects.get_or_create(
        program=program, defaults={"computed_for": now, "refreshed_at": timezone.now()}
    )
    # Two refreshes of one program take turns; the second reads what the first did not see.
    state = ProgramSummary.objects.select_for_update().get(program=program)
    lines, window = program_lines(program, now)
    units = defaultdict(dict)
    for line in lines:
        sums = units[line["unit_id"]]
        for name in FIGURES:
            sums[name] = sums.get(name, 0) + line[name]
    EnrollmentSummary.objects.filter(program=program).delete()
    UnitSummary.objects.filter(program=program).delete()
    EnrollmentSummary.objects.bulk_create(
        EnrollmentSummary(
            enrollment_id=line["enrollment_id"],
            program=program,
            trainee_id=line["trainee_id"],
            unit_id=line["unit_id"],
            entry=line["entry"],
            graduation=line["graduation"],
            expected=line["expected"],
            attended=line["present"] + line["late"] + line["left_early"],
        )
        for line in lines
    )
    UnitSummary.objects.bulk_create(
        UnitSummary(program=program, unit_id=unit_id, **sums) for unit_id, sums in units.items()
    )
    branches = unit_branches(None) if branches is None else branches
    branch_rows_write(program.pk, units, branches)
    tallies_recount(Enrollment.objects.filter(program=program).values("trainee_id"))
    state.computed_for, state.refreshed_at = now, timezone.now()
    state.valid_from, state.valid_until = window
    state.branches_for = tree_digest(branches)
    for name in FIGURES:
        setattr(state, name, sum(sums.get(name, 0) for sums in units.values()))
    state.save()
    return state


def tallies_recount(trainee_ids):
    """Recount the programs of these trainees (a queryset of their ids, or ids) in
    TraineeTally: two queries, whatever their number."""
    counts = (
        Trainee.objects.filter(pk__in=trainee_ids)
        .annotate(
            attended=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.ACTIVE))
        )
        .values_list("pk", "unit_id", "attended")
    )
    TraineeTally.objects.bulk_create(
        [
            TraineeTally(trainee_id=pk, unit_id=unit_id, programs=attended)
            for pk, unit_id, attended in counts
        ],
        update_conflicts=True,
        unique_fields=["trainee"],
        update_fields=["unit_id", "programs"],
        batch_size=500,
    )


def program_lines(program, now):
    """([one dict of figures per active trainee], (valid from, valid until)) of `program` at
    `now`, with the score report's definitions: the latest entry and graduation exams, final
    scores only; roll call over the activities that had ended and were the trainee's."""
    enrollments = list(
        Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE).values_list(
            "pk", "trainee_id", "trainee__unit_id", "group_id"
        )
    )
    latest = latest_exams([program.pk], kinds=SCORED_KINDS).get(program.pk, {})
    entry, graduation = latest.get(Exam.Kind.ENTRY), latest.get(Exam.Kind.GRADUATION)
    scores = {}
    chosen = [exam.pk for exam in (entry, graduation) if exam is not None]
    if chosen:
        for exam_id, enrollment_id, score in Attempt.objects.filter(
            status=Attempt.Status.GRADED, score__isnull=False, exam_id__in=chosen
        ).values_list("exam_id", "enrollment_id", "score"):
            scores[exam_id, enrollment_id] = score

    activities = Activity.objects.filter(program=program)
    ended = defaultdict(int)  # group id (None: the class's) → activities ended by `now`
    for group_id, count in (
        activities.filter(ends_at__lte=now)
        .values("group_id")
        .annotate(count=Count("pk"))
        .values_list("group_id", "count")
    ):
        ended[group_id] = count
    window = activities.aggregate(
        valid_from=Max("ends_at", filter=Q(ends_at__lte=now)),
        valid_until=Min("ends_at", filter=Q(ends_at__gt=now)),
    )
    roll_call = defaultdict(lambda: defaultdict(int))  # enrollment → status → count
    for enrollment_id, status, count in (
        Attendance.objects.filter(
            Q(activity__group__isnull=True) | Q(activity__group=F("enrollment__group")),
            activity__program=program,
            activity__ends_at__lte=now,
        )
        .values("enrollment_id", "status")
        .annotate(count=Count("pk"))
        .values_list("enrollment_id", "status", "count")
    ):
        roll_call[enrollment_id][status] = count
    essays = {
        enrollment_id: (status, grade)
        for enrollment_id, status, grade in Essay.objects.filter(
            enrollment__program=program
        ).values_list("enrollment_id", "status", "grade")
    }
    hours = program_hours(program, now=now)
    completed = set(
        Completion.objects.filter(enrollment__program=program, completed=True).values_list(
            "enrollment_id", flat=True
        )
    )
    certified = set(
        Certificate.objects.filter(
            enrollment__program=program, revoked_at__isnull=True
        ).values_list("enrollment_id", flat=True)
    )

    lines = []
    for enrollment_id, trainee_id, unit_id, group_id in enrollments:
        line = dict.fromkeys(FIGURES, 0)
        line.update(enrollment_id=enrollment_id, trainee_id=trainee_id, unit_id=unit_id, trainees=1)
        first = scores.get((entry.pk, enrollment_id)) if entry else None
        last = scores.get((graduation.pk, enrollment_id)) if graduation else None
        line["entry"], line["graduation"] = first, last
        if first is not None:
            line["entry_sum"], line["entry_count"] = first, 1
        if last is not None:
            line["graduation_sum"], line["graduation_count"] = last, 1
            line["passed"] = int(last >= graduation.pass_mark)
            if first is not None:
                line["gain_sum"], line["gain_count"] = last - first, 1
        line["expected"] = ended[None] + (ended[group_id] if group_id else 0)
        for status, count in roll_call[enrollment_id].items():
            line[status] = count
        status, grade = essays.get(enrollment_id, ("", ""))
        if status == Essay.Status.SUBMITTED and grade:
            line["essays_reviewed"] = 1
        elif status:
            line[f"essays_{status}"] = 1
        if grade:
            line[GRADE_FIELDS[grade]] = 1
        line["hours"] = hours.get(enrollment_id) or Decimal(0)
        line["completed"] = int(enrollment_id in completed)
        line["certificates"] = int(enrollment_id in certified)
        lines.append(line)
    return lines, (window["valid_from"], window["valid_until"])


def summaries_backfill(program_ids=None, *, now=None):
    """Refresh every program's summary (or those of `program_ids`), one program per
    transaction: `manage.py refresh_summaries` and the first migration. Returns how many."""
    ids = list(
        Program.objects.order_by("pk").values_list("pk", flat=True)
        if program_ids is None
        else program_ids
    )
    for program_id in ids:
        summary_refresh(program_id=program_id, now=now)
    return len(ids)
