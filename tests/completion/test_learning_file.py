"""The learning file (学习档案): a trainee's programs across the years with their hours, scores,
essay grade and certificates; who reads which programs; its PDF and a unit's .xlsx; the same
number of queries at two sizes."""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from completion.models import (
    Certificate,
    Completion,
    Evaluation,
    EvaluationReceipt,
    ProgramClosing,
)
from completion.selectors.learning_file import CLOSED, RUNNING, learning_file
from discussions.models import Essay
from exams.models import Exam
from exams.services.paper import paper_scores_set
from sessions.models import Activity, Attendance
from tests import factories
from tests.hostile_text import FORMULA
from tests.timetable.factories import activity
from trainees.models import Program, Unit

pytestmark = pytest.mark.django_db

SECRET_COMMENT = "讲得太空，建议换人"


@dataclass
class World:
    trainee: object
    organizer: object  # organizes the current program (now) only
    old_organizer: object  # organizes the closed program (then) only
    now_program: Program
    then_program: Program
    now_enrollment: object
    then_enrollment: object
    station: Unit
    branch: Unit
    other_branch: Unit


def paper_exam(program, kind, scores, organizer, *, released):
    exam = Exam.objects.create(
        program=program,
        kind=kind,
        title=f"{kind}",
        mode=Exam.Mode.PAPER,
        opens_at=timezone.now() - timedelta(days=1, hours=kind == Exam.Kind.ENTRY),
        closes_at=timezone.now() - timedelta(hours=20),
        duration_minutes=90,
        pass_mark=60,
        released_at=timezone.now() if released else None,
    )
    paper_scores_set(exam=exam, scores=scores, user=organizer)
    return exam


def build_world():
    """Trainee 320401 of 红梅派出所 (天宁分局), in two programs:

    - then (2021, closed): hours frozen at 12.0 in his Completion, certificate CZ2021-0001
      revoked; organized by `old_organizer`;
    - now (running, organized by `organizer`): yesterday a 90-minute lecture he came to 15
      minutes late, a 60-minute film, a 30-minute ceremony (a kind that does not count);
      entry 60 (released), graduation 80 (not released yet); his essay graded 良好 (B); an
      evaluation of the lecture with a comment.
    """
    bureau = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    branch = factories.unit("常州市公安局天宁分局", parent=bureau, kind=Unit.Kind.BRANCH)
    other_branch = factories.unit("常州市公安局金坛分局", parent=bureau, kind=Unit.Kind.BRANCH)
    station = factories.unit("红梅派出所", parent=branch)
    trainee = factories.trainee("320401", name="龚建俊", unit=station, position="所长")
    organizer = factories.user("organizer", username="organizer")
    old_organizer = factories.user("organizer", username="organizer2021")
    today = timezone.localdate()

    then_program = factories.program(
        organizers=[old_organizer],
        code="CZ2021",
        title="常州市新任派出所所长任职培训班",
        start_date=date(2021, 9, 13),
        end_date=date(2021, 9, 17),
    )
    then_enrollment = factories.enrollment(then_program, trainee)
    ProgramClosing.objects.create(
        program=then_program, counted_kinds=["lecture"], closed_at=timezone.now()
    )
    Completion.objects.create(
        enrollment=then_enrollment,
        completed=True,
        hours=Decimal("12.0"),
        decided_at=timezone.now(),
    )
    Certificate.objects.create(
        enrollment=then_enrollment,
        serial="CZ2021-0001",
        hours=Decimal("12.0"),
        issued_at=timezone.now(),
        revoked_at=timezone.now(),
        revoked_reason="结业考试作弊",
    )
    # Attendance of the closed program: the frozen hours stand, whatever it would count now.
    old_lecture = activity(then_program, start="08:30", end="11:30")
    Attendance.objects.create(activity=old_lecture, enrollment=then_enrollment, status="present")

    now_program = factories.program(
        organizers=[organizer],
        code="CZ2023",
        title="常州市公安派出所长素质能力提升专题培训班",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    now_enrollment = factories.enrollment(now_program, trainee)
    yesterday = today - timedelta(days=1)
    lecture = activity(now_program, day=yesterday, start="08:30", end="10:00")
    film = activity(now_program, day=yesterday, start="19:00", end="20:00", kind=Activity.Kind.FILM)
    ceremony = activity(
        now_program, day=yesterday, start="07:30", end="08:00", kind=Activity.Kind.CEREMONY
    )
    Attendance.objects.create(
        activity=lecture, enrollment=now_enrollment, status="late", minutes_late=15
    )
    Attendance.objects.create(activity=film, enrollment=now_enrollment, status="present")
    Attendance.objects.create(activity=ceremony, enrollment=now_enrollment, status="present")
    scores = {now_enrollment.pk: Decimal(60)}
    paper_exam(now_program, Exam.Kind.ENTRY, scores, organizer, released=True)
    scores = {now_enrollment.pk: Decimal(80)}
    paper_exam(now_program, Exam.Kind.GRADUATION, scores, organizer, released=False)
    Essay.objects.create(
        enrollment=now_enrollment,
        status="submitted",
        submitted_at=timezone.now(),
        grade="B",
        body="……",
    )
    Evaluation.objects.create(activity=lecture, comment=SECRET_COMMENT)
    EvaluationReceipt.objects.create(activity=lecture, enrollment=now_enrollment)
    return World(
        trainee=trainee,
        organizer=organizer,
        old_organizer=old_organizer,
        now_program=now_program,
        then_program=then_program,
        now_enrollment=now_enrollment,
        then_enrollment=then_enrollment,
        station=station,
        branch=branch,
        other_branch=other_branch,
    )


@pytest.fixture
def world():
    return build_world()


def file_url(world):
    return reverse("completion:trainee-file", args=[world.trainee.pk])


# The figures ----------------------------------------------------------------------------------


def test_learning_file_hours_frozen_when_closed_and_counted_by_the_rule_otherwise(world):
    programs = Program.objects.all()

    then, now = learning_file(world.trainee, programs).rows

    # Closed: the Completion's 12.0, not the 3-hour lecture the attendance would count now.
    assert (then.program, then.state, then.hours, then.hours_final) == (
        world.then_program,
        CLOSED,
        Decimal("12.0"),
        True,
    )
    # Running, no ProgramClosing yet: the default rule (45 minutes, COUNTED_KINDS). The
    # lecture 90 - 15 late = 75 minutes, the film 60, the ceremony does not count:
    # 135 / 45 = 3.0.
    assert (now.state, now.hours, now.hours_final) == (RUNNING, Decimal("3.0"), False)


def test_learning_file_hours_follow_the_programs_own_rule(world):
    # Lectures only, a study hour of 50 minutes: 75 / 50 = 1.5.
    ProgramClosing.objects.create(
        program=world.now_program, counted_kinds=["lecture"], hour_minutes=50
    )

    now = learning_file(world.trainee, Program.objects.all()).rows[1]

    assert now.hours == Decimal("1.5")


def test_learning_file_scores_essay_and_certificate(world):
    then, now = learning_file(world.trainee, Program.objects.all()).rows

    assert (now.entry, now.graduation, now.gain) == (Decimal(60), Decimal(80), Decimal(20))
    assert (now.essay_grade, now.certificate) == ("B", None)
    assert then.certificate.serial == "CZ2021-0001"
    assert then.certificate_valid is False
    assert then.completion.completed is True


def test_learning_file_trainee_sees_the_scores_of_released_exams_only(client, world):
    client.force_login(world.trainee.user)

    response = client.get(reverse("completion:my-file"))

    now = response.context["file"].rows[1]
    assert (now.entry, now.graduation, now.gain) == (Decimal(60), None, None)
    assert response.context["own"] is True


def test_my_learning_file_page_shows_every_program_and_no_evaluation(client, world):
    client.force_login(world.trainee.user)

    response = client.get(reverse("completion:my-file"))

    text = response.content.decode()
    assert response.status_code == 200
    assert world.then_program.title in text
    assert world.now_program.title in text
    assert "CZ2021-0001" in text
    assert "结业考试作弊" in text  # why it was revoked
    assert SECRET_COMMENT not in text  # his evaluations are not his file's
    assert reverse("completion:my-file") in text  # the nav's link
    assert 'id="file-others"' not in text


def test_learning_file_nav_link_is_the_trainees_only(client, world):
    client.force_login(world.organizer)

    response = client.get(reverse("trainees:program-list"))

    assert reverse("completion:my-file") not in response.content.decode()


# Who reads which programs -------------------------------------------------------------------


def test_learning_file_organizer_reads_the_programs_he_organizes_only(client, world):
    """The other program's title, hours, scores and certificate are what it holds: the
    organizer is told only that there are programs he does not see."""
    client.force_login(world.organizer)

    response = client.get(file_url(world))

    text = response.content.decode()
    assert [row.program for row in response.context["file"].rows] == [world.now_program]
    assert world.then_program.title not in text
    assert "CZ2021-0001" not in text
    assert 'id="file-others"' in text


def test_learning_file_is_linked_from_the_enrollment_page(client, world):
    client.force_login(world.organizer)
    url = reverse(
        "trainees:enrollment-detail", args=[world.now_program.code, world.now_enrollment.pk]
    )

    response = client.get(url)

    assert file_url(world) in response.content.decode()


def test_learning_file_of_a_trainee_of_no_program_of_his_is_404(client, world):
    client.force_login(factories.user("organizer"))

    assert client.get(file_url(world)).status_code == 404
    pdf = reverse("completion:trainee-file-pdf", args=[world.trainee.pk])
    assert client.get(pdf).status_code == 404


def test_learning_file_of_another_trainee_is_404(client, world):
    other = factories.trainee("320402")
    factories.enrollment(world.now_program, other)
    client.force_login(other.user)

    assert client.get(file_url(world)).status_code == 404
    pdf = reverse("completion:trainee-file-pdf", args=[world.trainee.pk])
    assert client.get(pdf).status_code == 404


def test_learning_file_leadership_reads_every_program_within_its_units(client, world):
    inside = factories.user("leadership", unit=world.branch)
    outside = factories.user("leadership", unit=world.other_branch)

    client.force_login(inside)
    response = client.get(file_url(world))
    client.force_login(outside)
    refused = client.get(file_url(world))

    rows = response.context["file"].rows
    assert [row.program for row in rows] == [world.then_program, world.now_program]
    assert rows[1].graduation == Decimal(80)  # not the trainee's: unreleased scores too
    assert refused.status_code == 404


def test_learning_file_is_linked_from_the_leaderships_trainee_page(client, world):
    client.force_login(factories.user("leadership", unit=world.branch))

    response = client.get(reverse("reports:dashboard-trainee", args=[world.trainee.pk]))

    assert file_url(world) in response.content.decode()


# Files ----------------------------------------------------------------------------------------


def pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_learning_file_pdf_lists_what_the_page_shows(client, world):
    client.force_login(world.trainee.user)

    response = client.get(reverse("completion:my-file-pdf"))

    text = pdf_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    assert "320401" in text
    assert "CZ2021-0001" in text
    assert "12.0" in text and "3.0" in text
    assert SECRET_COMMENT not in text


def test_learning_file_pdf_of_an_organizer_leaves_the_other_programs_out(client, world):
    client.force_login(world.organizer)

    response = client.get(reverse("completion:trainee-file-pdf", args=[world.trainee.pk]))

    text = pdf_text(response.content)
    assert "CZ2021-0001" not in text
    assert "3.0" in text


def sheet_rows(content):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]


def test_unit_xlsx_has_a_row_a_trainee_a_program(client, world):
    other = factories.trainee("320402", name=FORMULA, unit=world.station)
    factories.enrollment(world.now_program, other)
    client.force_login(factories.user("leadership", unit=world.branch))

    response = client.get(reverse("completion:unit-file-xlsx", args=[world.branch.pk]))

    rows = sheet_rows(response.content)
    assert [(row[0], row[3]) for row in rows] == [
        ("320401", world.then_program.title),
        ("320401", world.now_program.title),
        ("320402", world.now_program.title),
    ]
    assert rows[0][7] == 12.0 and rows[1][7] == 3.0
    assert rows[0][13] == "CZ2021-0001"
    assert rows[2][1] == FORMULA  # text, never a formula (trainees.workbooks)


def test_unit_xlsx_organizer_exports_his_programs_rows_only(client, world):
    client.force_login(world.organizer)

    response = client.get(reverse("completion:unit-file-xlsx", args=[world.station.pk]))

    rows = sheet_rows(response.content)
    assert [(row[0], row[3]) for row in rows] == [("320401", world.now_program.title)]


def test_unit_xlsx_of_a_unit_outside_the_leaderships_is_404(client, world):
    client.force_login(factories.user("leadership", unit=world.other_branch))

    response = client.get(reverse("completion:unit-file-xlsx", args=[world.station.pk]))

    assert response.status_code == 404


def test_unit_xlsx_is_linked_from_the_units_page(client, world):
    client.force_login(factories.user("leadership", unit=world.branch))

    response = client.get(reverse("reports:dashboard-unit", args=[world.branch.pk]))

    assert reverse("completion:unit-file-xlsx", args=[world.branch.pk]) in (
        response.content.decode()
    )


# The same number of queries at two sizes ------------------------------------------------------


def counted(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def program_with(trainees, organizer, year, *, closed):
    """A program of `year` that `trainees` attended: a lecture each came to, entry and
    graduation scores, a graded essay; closed with Completions and certificates if `closed`."""
    program = factories.program(
        organizers=[organizer], code=f"T{year}", start_date=date(year, 5, 8)
    )
    lecture = activity(program)
    enrollments = [factories.enrollment(program, trainee) for trainee in trainees]
    Attendance.objects.bulk_create(
        Attendance(activity=lecture, enrollment=e, status="present") for e in enrollments
    )
    for kind, score in ((Exam.Kind.ENTRY, 55), (Exam.Kind.GRADUATION, 75)):
        scores = {e.pk: Decimal(score) for e in enrollments}
        paper_exam(program, kind, scores, organizer, released=True)
    Essay.objects.bulk_create(
        Essay(enrollment=e, status="submitted", submitted_at=timezone.now(), grade="A")
        for e in enrollments
    )
    if closed:
        ProgramClosing.objects.create(program=program, closed_at=timezone.now())
        Completion.objects.bulk_create(
            Completion(enrollment=e, completed=True, hours=2, decided_at=timezone.now())
            for e in enrollments
        )
        Certificate.objects.bulk_create(
            Certificate(
                enrollment=e, serial=f"T{year}-{n:04}", issued_at=timezone.now(), token=f"{year}{n}"
            )
            for n, e in enumerate(enrollments, start=1)
        )
    return program


def test_learning_file_pages_read_as_many_queries_for_1_or_6_programs(client):
    organizer = factories.user("organizer")
    few, many = factories.trainee("320401"), factories.trainee("320402")
    program_with([few, many], organizer, 2023, closed=False)
    for year in range(2018, 2023):
        program_with([many], organizer, year, closed=year % 2 == 0)
    leader = factories.user("leadership")

    sizes = {}
    for page, reader in (  # None: the trainee himself
        ("completion:my-file", None),
        ("completion:my-file-pdf", None),
        ("completion:trainee-file", organizer),
        ("completion:trainee-file-pdf", leader),
    ):
        for trainee in (few, many):
            client.force_login(reader or trainee.user)
            url = reverse(page, args=[trainee.pk] if reader else [])
            client.get(url)  # the first request of a sign-in saves its session
            sizes[page, trainee.police_id] = counted(client, url)

    assert len(learning_file(many, Program.objects.all()).rows) == 6
    for page in {page for page, _police_id in sizes}:
        assert sizes[page, few.police_id] == sizes[page, many.police_id], sizes


def test_unit_xlsx_reads_as_many_queries_for_10_or_100_trainees(client):
    organizer = factories.user("organizer")
    small, large = factories.unit("小派出所"), factories.unit("大派出所")
    for unit, size in ((small, 10), (large, 100)):
        trainees = [factories.trainee(with_login=False, unit=unit) for _ in range(size)]
        program_with(trainees, organizer, 2021 + size // 100, closed=True)
        program_with(trainees, organizer, 2023 + size // 100, closed=False)
    client.force_login(factories.user("leadership"))
    client.get(reverse("completion:unit-file-xlsx", args=[small.pk]))  # saves the session

    ten = counted(client, reverse("completion:unit-file-xlsx", args=[small.pk]))
    hundred = counted(client, reverse("completion:unit-file-xlsx", args=[large.pk]))

    assert ten == hundred


def test_learning_file_links_a_certificate_for_those_who_download_it(client, world):
    certificate = Certificate.objects.get(serial="CZ2021-0001")
    own = reverse("completion:my-certificate-pdf", args=[certificate.pk])
    organizers = reverse("completion:certificate-pdf", args=["CZ2021", certificate.pk])

    pages = {}
    for reader in (world.trainee.user, world.old_organizer, factories.user("leadership")):
        client.force_login(reader)
        url = reverse("completion:my-file") if reader == world.trainee.user else file_url(world)
        pages[reader.username] = client.get(url).content.decode()

    assert own in pages["320401"] and organizers not in pages["320401"]
    assert organizers in pages["organizer2021"] and own not in pages["organizer2021"]
    leaders = next(text for name, text in pages.items() if name not in ("320401", "organizer2021"))
    assert "CZ2021-0001" in leaders  # the leadership reads it, downloads nothing (403 there)
    assert organizers not in leaders and own not in leaders
