"""The dashboards' summaries (reports.summaries): a random sequence of changes through the
services, each committed with its refresh run as the worker runs it, leaves summaries equal to
the figures computed here from the raw rows; a burst of taps asks for one refresh; a refresh
costs the same queries for a small or a large class; a stale summary is refreshed on read."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from completion.selectors.hours import program_hours
from discussions.models import Essay
from exams.models import Attempt, Exam
from exams.services.paper import paper_scores_set
from reports import tasks
from reports.branches import unit_branches
from reports.models import (
    BranchSummary,
    EnrollmentSummary,
    ProgramSummary,
    TraineeTally,
    UnitSummary,
)
from reports.selectors.bureau_dashboard import bureau_dashboard
from reports.summaries import (
    FIGURES,
    branch_totals,
    pending_key,
    summary_refresh,
    tree_digest,
)
from sessions.models import Activity, Attendance
from sessions.services.leave import leave_decide, leave_request
from sessions.services.rollcall import activity_close, attendance_set, mark_remaining_present
from tests import factories
from trainees.models import Enrollment, Program, Trainee
from trainees.services.enrollments import enrollment_move, enrollment_set_status

pytestmark = pytest.mark.django_db

STATUSES = ["present", "late", "absent", "leave", "left_early"]


def build(trainees=6):
    """A program with two groups, trainees of two units, three activities that have ended (one
    for group 1) and one to come, a paper entry and graduation exam."""
    now = timezone.now()
    organizer = factories.user("organizer")
    program = factories.program(organizers=[organizer])
    groups = [factories.group(program, number=n) for n in (1, 2)]
    units = [factories.unit(), factories.unit()]
    enrollments = [
        factories.enrollment(
            program,
            factories.trainee(unit=units[k % 2], with_login=False),
            group=groups[k % 2],
        )
        for k in range(trainees)
    ]
    activities = [
        Activity.objects.create(
            program=program,
            kind="lecture",
            title=f"课{k}",
            starts_at=now + timedelta(hours=k - 5 if k < 3 else 0),
            ends_at=now + timedelta(hours=k - 4 if k < 3 else 1),
            group=groups[0] if k == 1 else None,
        )
        for k in range(4)  # the last ends in the future
    ]
    exams = [
        Exam.objects.create(
            program=program,
            kind=kind,
            title=str(kind),
            mode=Exam.Mode.PAPER,
            opens_at=now - timedelta(days=1),
            closes_at=now - timedelta(hours=20),
            pass_mark=60,
        )
        for kind in (Exam.Kind.ENTRY, Exam.Kind.GRADUATION)
    ]
    return program, organizer, units, groups, enrollments, activities, exams


def raw_figures(program, now):
    """{unit id: {figure: total}} and {enrollment id: (entry, graduation, expected,
    attended)} of `program`'s active trainees, computed here row by row."""
    units = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    lines = {}
    exams = {e.kind: e for e in Exam.objects.filter(program=program).order_by("opens_at", "pk")}
    hours = program_hours(program, now=now)
    ended = [a for a in Activity.objects.filter(program=program) if a.ends_at <= now]
    for e in Enrollment.objects.filter(program=program, status="active").select_related("trainee"):
        sums = units[e.trainee.unit_id]
        sums["trainees"] += 1
        score = {}
        for kind, exam in exams.items():
            attempt = Attempt.objects.filter(exam=exam, enrollment=e).first()
            if attempt and attempt.status == "graded" and attempt.score is not None:
                score[kind] = attempt.score
        entry, graduation = score.get("entry"), score.get("graduation")
        if entry is not None:
            sums["entry_sum"] += entry
            sums["entry_count"] += 1
        if graduation is not None:
            sums["graduation_sum"] += graduation
            sums["graduation_count"] += 1
            sums["passed"] += graduation >= exams["graduation"].pass_mark
            if entry is not None:
                sums["gain_sum"] += graduation - entry
                sums["gain_count"] += 1
        mine = [a for a in ended if a.group_id in (None, e.group_id)]
        sums["expected"] += len(mine)
        attended = 0
        for row in Attendance.objects.filter(enrollment=e, activity__in=mine):
            sums[row.status] += 1
            attended += row.attended
        essay = Essay.objects.filter(enrollment=e).first()
        if essay:
            key = "reviewed" if essay.grade and essay.status == "submitted" else essay.status
            sums[f"essays_{key}"] += 1
            if essay.grade:
                sums[f"grade_{essay.grade.lower()}"] += 1
        sums["hours"] += hours.get(e.pk) or 0
        lines[e.pk] = (entry, graduation, len(mine), attended)
    return {pk: dict(sums) for pk, sums in units.items()}, lines


def stored_figures(program):
    units = {
        row["unit_id"]: {name: row[name] for name in FIGURES}
        for row in UnitSummary.objects.filter(program=program).values("unit_id", *FIGURES)
    }
    lines = {
        pk: (entry, graduation, expected, attended)
        for pk, entry, graduation, expected, attended in EnrollmentSummary.objects.filter(
            program=program
        ).values_list("enrollment_id", "entry", "graduation", "expected", "attended")
    }
    return units, lines


def branch_figures(program):
    return {
        row.pop("branch_id"): row
        for row in BranchSummary.objects.filter(program=program).values("branch_id", *FIGURES)
    }


ACTIONS = [
    "tap",
    "close",
    "all_present",
    "leave",
    "scores",
    "waiting",
    "essay",
    "review",
    "withdraw",
    "unit",
    "move",
]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 5), st.integers(0, 99)),
        min_size=1,
        max_size=12,
    )
)
def test_summaries_equal_the_figures_of_the_raw_rows_after_any_changes(
    steps, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_BROKER_URL = "memory://"  # refreshes are sent (and run eagerly here)
    with transaction.atomic():  # each example undone: hypothesis runs many in one test
        cache.clear()
        program, organizer, units, groups, enrollments, activities, exams = build()
        summary_refresh(program_id=program.pk)  # as the setup's commit would have
        for action, who, value in steps:
            enrollment = Enrollment.objects.get(pk=enrollments[who].pk)
            activity = activities[value % 3]  # an activity that has ended
            with django_capture_on_commit_callbacks(execute=True):
                if action == "tap" and activity.group_id in (None, enrollment.group_id):
                    attendance_set(
                        activity=activity,
                        enrollment=enrollment,
                        status=STATUSES[value % 5],
                        minutes_late=3,
                        user=organizer,
                    )
                elif action == "close":
                    activity_close(activity=activity)
                elif action == "all_present":
                    mark_remaining_present(activity=activity, user=organizer)
                elif action == "leave":
                    leave = leave_request(
                        enrollment=enrollment,
                        starts_at=activity.starts_at,
                        ends_at=activity.ends_at,
                        reason="病假",
                    )
                    leave_decide(leave=leave, approve=True, user=organizer)
                elif action == "scores":
                    paper_scores_set(
                        exam=exams[value % 2],
                        scores={enrollment.pk: Decimal(40 + value % 60)},
                        user=organizer,
                    )
                elif action == "waiting":  # a short answer waits for grading again
                    for attempt in Attempt.objects.filter(enrollment=enrollment):
                        attempt.status = Attempt.Status.SUBMITTED
                        attempt.save()
                elif action == "essay":
                    essay, _ = Essay.objects.get_or_create(enrollment=enrollment)
                    essay.status = ("draft", "submitted", "returned")[value % 3]
                    essay.submitted_at = None if essay.status == "draft" else timezone.now()
                    essay.returned_at = timezone.now() if essay.status == "returned" else None
                    essay.save()
                elif action == "review":
                    essay = Essay.objects.filter(enrollment=enrollment).first()
                    if essay:
                        essay.grade = "ABCD"[value % 4]
                        essay.save()
                elif action == "withdraw":
                    enrollment_set_status(
                        enrollment=enrollment,
                        status=("withdrawn", "active")[value % 2],
                        user=organizer,
                    )
                elif action == "unit":
                    trainee = enrollment.trainee
                    trainee.unit = units[value % 2]
                    trainee.save()
                elif action == "move":
                    enrollment_move(enrollment=enrollment, group=groups[value % 2])

        # Every refresh asked for ran: nothing is pending, and the summaries are the figures.
        assert cache.get(pending_key(program.pk)) is None
        assert stored_figures(program) == raw_figures(program, timezone.now())
        # The program's totals are the sums of its units'.
        totals = ProgramSummary.objects.values(*FIGURES).get(program=program)
        units_raw = raw_figures(program, timezone.now())[0]
        assert totals == {name: sum(unit[name] for unit in units_raw.values()) for name in FIGURES}
        # Its branch rows are its units' sums by branch, for the tree as it is.
        assert branch_figures(program) == branch_totals(units_raw, unit_branches(None))
        # And each trainee's tally: his unit and his active enrollments, counted afresh.
        assert dict(TraineeTally.objects.values_list("trainee_id", "programs")) == {
            e.trainee_id: Enrollment.objects.filter(
                trainee_id=e.trainee_id, status=Enrollment.Status.ACTIVE
            ).count()
            for e in Enrollment.objects.filter(program=program)
        }
        assert dict(TraineeTally.objects.values_list("trainee_id", "unit_id")) == {
            e.trainee_id: e.trainee.unit_id for e in Enrollment.objects.filter(program=program)
        }
        transaction.set_rollback(True)


def test_220_taps_ask_for_one_refresh(django_capture_on_commit_callbacks, settings):
    settings.CELERY_BROKER_URL = "memory://"
    program, organizer, _units, _groups, _enrollments, activities, _exams = build(trainees=2)
    summary_refresh(program_id=program.pk)
    people = Enrollment.objects.bulk_create(
        Enrollment(program=program, trainee=factories.trainee(with_login=False))
        for _n in range(218)
    )
    with mock.patch.object(tasks.program_summary_refresh, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            for enrollment in Enrollment.objects.filter(program=program):
                attendance_set(
                    activity=activities[0], enrollment=enrollment, status="present", user=organizer
                )
        assert Attendance.objects.filter(activity=activities[0]).count() == 2 + len(people)
        assert len(callbacks) == 1
        delay.assert_called_once_with(program.pk)
        # The refresh clears the key first: the next tap asks again.
        summary_refresh(program_id=program.pk)
        with django_capture_on_commit_callbacks(execute=True):
            attendance_set(
                activity=activities[0], enrollment=people[0], status="late", user=organizer
            )
        assert delay.call_count == 2


def refresh_queries(trainees):
    program = build(trainees=trainees)[0]
    for enrollment in Enrollment.objects.filter(program=program):
        for activity in Activity.objects.filter(program=program, group=None):
            Attendance.objects.create(activity=activity, enrollment=enrollment, status="late")
        Essay.objects.create(
            enrollment=enrollment, status="submitted", submitted_at=timezone.now(), grade="B"
        )
    for exam in Exam.objects.filter(program=program):
        Attempt.objects.bulk_create(
            Attempt(exam=exam, enrollment=e, status="graded", score=70)
            for e in Enrollment.objects.filter(program=program)
        )
    summary_refresh(program_id=program.pk)  # its first: the ProgramSummary row is created
    with CaptureQueriesContext(connection) as queries:
        summary_refresh(program_id=program.pk)
    assert UnitSummary.objects.filter(program=program).count() == 2
    return len(queries)


def test_a_refresh_costs_as_many_queries_for_12_or_48_trainees():
    # 48: the rows written still fit in one INSERT on SQLite (999 parameters).
    assert refresh_queries(12) == refresh_queries(48)


def test_a_stale_summary_is_refreshed_before_the_dashboard_reads_it():
    program, _organizer, _units, _groups, enrollments, activities, _exams = build(trainees=2)
    board = bureau_dashboard(Program.objects.all())
    assert board.tables[0].rows[0][4] == 2
    state = ProgramSummary.objects.get(program=program)
    cache.clear()  # as if the refresh had run and nothing was pending

    # A write the summary has not seen, its refresh not run: the read refreshes first.
    Enrollment.objects.filter(pk=enrollments[0].pk).update(status="withdrawn")
    cache.set(pending_key(program.pk), True)
    assert bureau_dashboard(Program.objects.all()).tables[0].rows[0][4] == 1

    # Another moment: the fourth activity has ended by then: 3 of the class's and group 1's
    # one, of which the trainee left (group 2) was expected at the class's three.
    later = activities[3].ends_at + timedelta(minutes=1)
    assert not ProgramSummary.objects.get(pk=state.pk).holds_at(later)
    kpis = bureau_dashboard(Program.objects.all(), now=later).kpis
    assert ProgramSummary.objects.get(pk=state.pk).computed_for == later
    assert EnrollmentSummary.objects.get(enrollment=enrollments[1]).expected == 3
    assert kpis[5][1] == 0  # attendance rate: no one came to any of the four


def test_refresh_summaries_command(capsys):
    program = build(trainees=3)[0]
    from django.core.management import call_command

    call_command("refresh_summaries", program.code)
    assert UnitSummary.objects.filter(program=program).count() == 2
    # Its branch rows too (each of the two units is a root, its own branch), for the tree.
    assert BranchSummary.objects.filter(program=program).count() == 2
    assert ProgramSummary.objects.get(program=program).branches_for == tree_digest(
        unit_branches(None)
    )
    call_command("refresh_summaries", "--all")
    assert "refreshed 1 program(s)" in capsys.readouterr().out


def test_trainees_read_without_their_unit_cost_no_query_each():
    """The summaries remember a trainee's unit as he is read (to see a move when he is saved);
    one read without it (.only()) is not asked for it, and a move of his is still seen."""
    _program, _organizer, units, *_rest = build(trainees=3)
    with CaptureQueriesContext(connection) as queries:
        names = [t.name for t in Trainee.objects.only("pk", "name")]
    assert len(names) == 3 and len(queries) == 1

    first = Trainee.objects.order_by("pk").first()
    trainee = Trainee.objects.only("pk", "name").get(pk=first.pk)
    trainee.unit = units[1] if first.unit_id == units[0].pk else units[0]
    with mock.patch("reports.signals.programs_mark") as mark:
        trainee.save()
    assert mark.call_count == 1
