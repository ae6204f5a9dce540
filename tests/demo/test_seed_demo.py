from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.test import TestCase
from django.utils import timezone

from completion.models import (
    DEFAULT_ITEMS,
    EVALUATED_KINDS,
    Certificate,
    Completion,
    Evaluation,
    EvaluationItem,
    EvaluationReceipt,
    EvaluationScore,
    ProgramClosing,
)
from config.celery import app as celery_app
from demo import data
from discussions.models import DiscussionRecord, Essay, EssayMatch, ForumTalk, Idea
from exams.models import Attempt, Exam, Question
from sessions.models import Activity
from tests.conftest import login
from trainees.models import Enrollment, Program, Trainee

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (it takes a while) in a transaction rolled back
    after the last test; each test runs in a savepoint of its own. Tasks sent on commit (the
    essays' similarity) run, as in `make demo`."""
    conf = celery_app.conf  # eager here too, as the tests' own fixture makes it per test
    saved = conf.task_always_eager
    conf.task_always_eager = True
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                out = seed()
            yield out
            transaction.set_rollback(True)
    finally:
        conf.task_always_eager = saved


def test_seed_demo_prints_logins_that_work(client, printed):

    for username, start_page in [
        ("organizer", "/trainees/programs/"),
        ("leader", "/reports/dashboard/"),
        ("320401", "/timetable/my-day/"),
    ]:
        assert username in printed
        response = login(client, username, data.DEMO_PASSWORD)
        assert response.redirect_chain[-1] == (start_page, 302), username
        client.logout()
    assert data.DEMO_PASSWORD in printed


def completion_counts():
    models_ = (
        ProgramClosing,
        Completion,
        Certificate,
        EvaluationItem,
        Evaluation,
        EvaluationScore,
        EvaluationReceipt,
    )
    return {model.__name__: model.objects.count() for model in models_}


def test_seed_demo_twice_changes_nothing_more(printed):
    counts = (Program.objects.count(), Trainee.objects.count(), Enrollment.objects.count())
    closed = completion_counts()

    seed()

    assert (Program.objects.count(), Trainee.objects.count(), Enrollment.objects.count()) == counts
    assert counts == (3, 94, 94 + 48 + 60)  # CZ2023, and CZ2021 and CZ2022 for the dashboard
    assert completion_counts() == closed
    assert closed["ProgramClosing"] == 3 and closed["Completion"] == 48 + 60
    assert closed["EvaluationItem"] == len(DEFAULT_ITEMS)


def test_seed_demo_closes_the_earlier_programs_with_certificates_one_revoked(printed):
    history = ["CZ2021", "CZ2022"]

    closings = ProgramClosing.objects.filter(closed_at__isnull=False)
    completions = Completion.objects.filter(enrollment__program__code__in=history)
    certificates = Certificate.objects.select_related("enrollment__completion")
    revoked = certificates.filter(revoked_at__isnull=False)
    assert sorted(closings.values_list("program__code", flat=True)) == history
    assert completions.count() == Enrollment.objects.filter(program__code__in=history).count()
    assert completions.filter(completed=False).exists()  # and they have no certificate
    assert sorted(c.enrollment_id for c in certificates) == sorted(
        completions.filter(completed=True).values_list("enrollment_id", flat=True)
    )
    assert all(c.hours == c.enrollment.completion.hours > 0 for c in certificates)
    first = certificates.get(serial="CZ2021-0001").enrollment
    assert first.program.code == "CZ2021"
    assert first.trainee.police_id == min(
        c.enrollment.trainee.police_id for c in certificates if c.serial.startswith("CZ2021")
    )
    assert [(c.serial, bool(c.revoked_reason)) for c in revoked] == [(data.REVOKED_SERIAL, True)]
    # Their paper exams are released: a trainee's learning file shows their scores.
    assert not Exam.objects.filter(program__code__in=history, released_at=None).exists()


def test_seed_demo_evaluates_the_ended_lectures_enough_answers_for_most_too_few_for_one(
    printed,
):
    program = Program.objects.get(code="CZ2023")

    items = EvaluationItem.objects.filter(program=program).order_by("position")
    answers = Evaluation.objects.filter(activity__program=program)
    counts = Counter(answers.values_list("activity_id", flat=True))
    receipts = Counter(
        EvaluationReceipt.objects.filter(activity__program=program).values_list(
            "activity_id", flat=True
        )
    )
    assert [item.text for item in items] == DEFAULT_ITEMS
    assert counts == receipts and len(counts) >= 2
    assert sorted(counts.values())[0] == data.TOO_FEW_ANSWERS
    assert all(count >= 5 for count in sorted(counts.values())[1:])
    evaluated = Activity.objects.filter(pk__in=counts)
    assert set(evaluated.values_list("kind", flat=True)) <= set(EVALUATED_KINDS)
    assert not evaluated.filter(ends_at__gt=timezone.now()).exists()
    assert EvaluationScore.objects.filter(evaluation__in=answers).count() == 4 * len(answers)
    # The visitors' own evaluations wait for them.
    visitors = EvaluationReceipt.objects.filter(
        enrollment__trainee__police_id__in=data.DEMO_TRAINEES[:3]
    )
    assert not visitors.exists()


def test_seed_demo_loads_the_changzhou_class_through_the_roster_import(printed):

    program = Program.objects.get(code="CZ2023")
    sizes = sorted(group.enrollments.count() for group in program.groups.all())
    assert "created 94, updated 0, unchanged 0" in printed
    assert sizes == [18, 19, 19, 19, 19]
    assert program.groups.get(number=1).host_name == "于贵平"
    station = Trainee.objects.get(police_id="320401").unit
    assert (station.name, station.parent.name) == ("溧阳市公安局竹箦派出所", "溧阳市公安局")
    others = Trainee.objects.exclude(police_id__in=data.DEMO_TRAINEES)
    assert others.filter(initial_password="").count() == 0


def test_seed_demo_entry_exam_graded_and_graduation_exam_open_now(printed):
    seed()  # again: the exams are laid out anew, the bank is not doubled

    entry = Exam.objects.get(kind=Exam.Kind.ENTRY, program__code="CZ2023")
    graduation = Exam.objects.get(kind=Exam.Kind.GRADUATION, program__code="CZ2023")
    now = timezone.now()
    assert Question.objects.count() == 40
    assert entry.exam_questions.count() == graduation.exam_questions.count() == 30
    assert entry.released_at is not None
    assert set(entry.attempts.values_list("status", flat=True)) == {Attempt.Status.GRADED}
    assert entry.attempts.count() == 91  # every chief but three of the demo logins
    assert graduation.opens_at <= now < graduation.closes_at
    assert not graduation.attempts.filter(enrollment__trainee__police_id="320401").exists()


def test_seed_demo_writes_up_the_discussions_and_the_forum(printed):

    program = Program.objects.get(code="CZ2023")
    records = DiscussionRecord.objects.filter(activity__program=program)
    assert sorted(records.values_list("group__number", flat=True)) == [1, 2, 3, 4, 5]
    assert all(record.summary for record in records)
    assert records.get(group__number=3).recorder.username == "320401"
    assert sorted(
        records.filter(shared_at__isnull=False).values_list("group__number", flat=True)
    ) == [1, 2]
    ideas = Idea.objects.filter(record__activity__program=program)
    assert not ideas.exclude(author__group=models.F("record__group")).exists()
    assert ideas.filter(starred=True).count() == 10
    talks = list(ForumTalk.objects.filter(program=program).order_by("order"))
    assert [talk.presenter.trainee.unit.name for talk in talks][:2] == [
        "溧阳市公安局城南派出所",
        "常州市公安局金坛分局滨湖派出所",
    ]
    assert len(talks) == 8


def test_seed_demo_has_essays_in_every_state_and_finds_the_copied_one(printed):

    essays = Essay.objects.filter(enrollment__program__code="CZ2023")
    states = {(e.status, bool(e.grade), e.excellent) for e in essays}
    assert {
        ("draft", False, False),
        ("submitted", False, False),
        ("returned", False, False),
        ("submitted", True, False),
        ("submitted", True, True),
    } <= states
    assert essays.filter(extended_until__isnull=False).count() == 1
    assert all(e.chars >= 1500 for e in essays.exclude(status="draft"))
    # The demo's copier took three paragraphs of another essay: that one comes first, well
    # ahead of the essays it shares a paragraph with by chance.
    copier = EssayMatch.objects.order_by("-similarity").first().essay
    first, second = copier.matches.order_by("-similarity")[:2]
    assert first.similarity > 1.5 * second.similarity
    assert essays.get(enrollment__trainee__police_id="320403").status == "returned"


def test_serve_demo_prints_the_logins_after_the_servers_banner(printed):
    from demo.management.commands.serve_demo import Command

    out = StringIO()
    command = Command(stdout=out)
    command.addr, command.port, command._raw_ipv6, command.use_ipv6 = (
        "127.0.0.1",
        "8000",
        False,
        False,
    )
    command.protocol = "http"

    command.on_bind("8000")

    lines = out.getvalue().strip().splitlines()
    assert "http://127.0.0.1:8000/" in out.getvalue()
    assert lines[-1] == "The other trainees sign in with the initial passwords of the login slips."
    assert any(line.strip().startswith("学员 trainee       320401") for line in lines)


def test_seed_province_files_the_city_under_a_province(client, printed):
    """seed_province, twice: 江苏省公安厅 at the top, 常州 and 无锡 under it, the province-wide
    program with both cities' chiefs; `province` reads it all, `wuxi` 无锡's figures only,
    `leader` 常州's programs and figures."""
    from django.urls import reverse

    from trainees.models import Unit

    for _run in range(2):
        out = StringIO()
        call_command("seed_province", stdout=out)

    roots = list(Unit.objects.filter(parent=None).values_list("name", "kind"))
    program = Program.objects.get(code=data.PROVINCE_PROGRAM["code"])
    wuxi_chiefs = program.enrollments.filter(trainee__unit__parent__parent__name=data.WUXI)
    pages = {}
    for username, code in [
        ("province", "CZ2023"),
        ("wuxi", "CZ2023"),
        ("leader", "CZ2023"),
        ("wuxi", data.WUXI_PROGRAM["code"]),
        ("leader", data.WUXI_PROGRAM["code"]),
    ]:
        login(client, username, data.DEMO_PASSWORD)
        pages[username, code] = client.get(reverse("trainees:program-detail", args=[code]))
        pages[username, "board"] = client.get(
            reverse("reports:dashboard-program", args=[program.code])
        ).content.decode()
        client.logout()

    assert roots == [(data.PROVINCE, Unit.Kind.PROVINCE)]
    assert (program.enrollments.count(), wuxi_chiefs.count()) == (12, 6)
    assert [pages[name, "CZ2023"].status_code for name in ("province", "wuxi", "leader")] == [
        200,
        404,
        200,
    ]
    # 无锡's own program opens to its leader, not to 常州's.
    assert [pages[name, data.WUXI_PROGRAM["code"]].status_code for name in ("wuxi", "leader")] == [
        200,
        404,
    ]
    assert "滨湖分局" in pages["wuxi", "board"] and "金坛" not in pages["wuxi", "board"]
    assert "滨湖分局" not in pages["leader", "board"]
    assert "滨湖分局" in pages["province", "board"]
