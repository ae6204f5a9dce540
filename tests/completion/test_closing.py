"""The close of a program (结业): each rule, exceptions, the close (twice the same), the
certificates' serials, revoking, who may do what, and the page's queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from completion.models import Certificate, Completion, CompletionException, ProgramClosing
from completion.rules import shortfall_text
from completion.selectors.closing import closing_overview, completion_results
from completion.services import certificates, closing
from discussions.models import Essay, Grade
from exams.models import Exam
from exams.services.paper import paper_scores_set
from sessions.models import Activity, Attendance
from sessions.services.rollcall import attendance_set
from tests import factories
from tests.exams.factories import exam
from tests.timetable.factories import activity, at
from trainees.models import Enrollment

pytestmark = pytest.mark.django_db

DAY = date(2023, 1, 2)
Status = Attendance.Status


def rules(program, **fields):
    return ProgramClosing.objects.create(program=program, **fields)


def trainee(program, police_id, name=None, **fields):
    return factories.enrollment(
        program, factories.trainee(police_id, name=name or f"学员{police_id}"), **fields
    )


def lectures(program, count):
    """`count` 45-minute lectures on the program's first day, from 08:00, an hour apart."""
    return [
        activity(program, DAY, f"{8 + n:02d}:00", f"{8 + n:02d}:45", title=f"讲座{n}")
        for n in range(count)
    ]


def attend(activities, enrollment, user, statuses):
    for where, status in zip(activities, statuses, strict=True):
        attendance_set(activity=where, enrollment=enrollment, status=status, user=user)


def graduation_scores(program, user, scores, pass_mark=60):
    """A paper graduation exam with these {enrollment: score}."""
    written = exam(
        program,
        kind=Exam.Kind.GRADUATION,
        mode=Exam.Mode.PAPER,
        title="结业考试",
        pass_mark=Decimal(pass_mark),
    )
    paper_scores_set(exam=written, scores={e.pk: Decimal(s) for e, s in scores.items()}, user=user)
    return written


def essay(enrollment, status=Essay.Status.SUBMITTED, grade=""):
    return Essay.objects.create(
        enrollment=enrollment, status=status, grade=grade, submitted_at=at(DAY, "20:00")
    )


def result(program, enrollment):
    return next(
        row for row in completion_results(program).rows if row.enrollment.pk == enrollment.pk
    )


# --- the rules, each -------------------------------------------------------------------------


def test_rules_none_set_everyone_active_completes(program, organizer):
    a, b = trainee(program, "100001"), trainee(program, "100002")
    trainee(program, "100003", status=Enrollment.Status.WITHDRAWN)

    overview = completion_results(program)

    assert [(row.enrollment, row.completes, row.shortfalls) for row in overview.rows] == [
        (a, True, []),
        (b, True, []),
    ]


def test_rule_minimum_attendance_rate(program, organizer):
    # Four lectures; 甲 attends 3 (75%), 乙 all 4, 丙 3 and one on leave: 75% (leave is not
    # attendance, as in the discipline record). Minimum 80%.
    rules(program, min_attendance_rate=Decimal("80"))
    talks = lectures(program, 4)
    a, b, c = (trainee(program, f"20000{n}") for n in (1, 2, 3))
    attend(talks, a, organizer, [Status.PRESENT, Status.LATE, Status.LEFT_EARLY, Status.ABSENT])
    attend(talks, b, organizer, [Status.PRESENT] * 4)
    attend(talks, c, organizer, [Status.PRESENT] * 3 + [Status.LEAVE])

    assert result(program, a).shortfalls == [
        {"rule": "attendance", "rate": "75.0", "required": "80"}
    ]
    assert result(program, b).shortfalls == []
    assert result(program, c).completes is False
    # In English until the lead's `make messages` brings the Chinese.
    with translation.override("en"):
        assert shortfall_text(result(program, a).shortfalls[0]) == (
            "Attendance rate 75.0%, below the required 80%"
        )


def test_rule_graduation_exam_passed(program, organizer):
    rules(program, require_graduation_pass=True)
    passed, failed, absent = (trainee(program, f"30000{n}") for n in (1, 2, 3))
    graduation_scores(program, organizer, {passed: 60, failed: 59.5})

    assert result(program, passed).shortfalls == []
    assert result(program, failed).shortfalls == [
        {"rule": "graduation", "score": "59.5", "required": "60"}
    ]
    assert result(program, absent).shortfalls == [
        {"rule": "graduation", "score": None, "required": "60"}
    ]


def test_rule_graduation_without_an_exam_nobody_passes(program, organizer):
    rules(program, require_graduation_pass=True)
    enrollment = trainee(program, "300009")

    assert result(program, enrollment).shortfalls == [
        {"rule": "graduation", "score": None, "required": None}
    ]


def test_rule_essay_handed_in_and_graded_pass_or_better(program, organizer):
    rules(program, require_essay=True)
    people = {name: trainee(program, f"40000{n}") for n, name in enumerate("ABCDEFG")}
    essay(people["A"], grade=Grade.EXCELLENT)
    essay(people["B"], grade=Grade.GOOD)
    essay(people["C"], grade=Grade.PASS)
    essay(people["D"], grade=Grade.FAIL)
    essay(people["E"])  # not graded yet
    essay(people["F"], status=Essay.Status.RETURNED, grade=Grade.PASS)
    # G wrote nothing.

    found = {name: result(program, e).shortfalls for name, e in people.items()}

    assert found == {
        "A": [],
        "B": [],
        "C": [],
        "D": [{"rule": "essay", "state": "failed", "grade": "D"}],
        "E": [{"rule": "essay", "state": "ungraded"}],
        "F": [{"rule": "essay", "state": "missing"}],
        "G": [{"rule": "essay", "state": "missing"}],
    }


def test_rules_not_met_are_all_named(program, organizer):
    rules(
        program,
        min_attendance_rate=Decimal("100"),
        require_graduation_pass=True,
        require_essay=True,
    )
    talks = lectures(program, 2)
    enrollment = trainee(program, "500001")
    attend(talks, enrollment, organizer, [Status.PRESENT, Status.ABSENT])

    assert [s["rule"] for s in result(program, enrollment).shortfalls] == [
        "attendance",
        "graduation",
        "essay",
    ]


# --- exceptions ------------------------------------------------------------------------------


def test_exception_is_recorded_in_the_completion(program, organizer):
    rules(program, require_essay=True)
    short, excused = trainee(program, "600001"), trainee(program, "600002")
    closing.completion_exception_grant(
        enrollment=excused, reason="  因公出差，经局领导批准  ", user=organizer
    )

    closing.program_close(program=program, user=organizer)

    recorded = Completion.objects.get(enrollment=excused)
    assert (recorded.completed, recorded.exception_reason, recorded.exception_by) == (
        True,
        "因公出差，经局领导批准",
        organizer,
    )
    assert recorded.shortfalls == [{"rule": "essay", "state": "missing"}]
    assert Completion.objects.get(enrollment=short).completed is False
    assert list(Certificate.objects.values_list("enrollment", flat=True)) == [excused.pk]


def test_exception_for_a_trainee_who_meets_the_rules_is_not_recorded(program, organizer):
    enrollment = trainee(program, "600003")
    closing.completion_exception_grant(enrollment=enrollment, reason="多余", user=organizer)

    closing.program_close(program=program, user=organizer)

    recorded = Completion.objects.get(enrollment=enrollment)
    assert (recorded.completed, recorded.exception_reason, recorded.exception_by) == (
        True,
        "",
        None,
    )


def test_exception_withdrawn_before_the_close_counts_no_more(program, organizer):
    rules(program, require_essay=True)
    enrollment = trainee(program, "600004")
    closing.completion_exception_grant(enrollment=enrollment, reason="特批", user=organizer)
    assert result(program, enrollment).completes is True

    closing.completion_exception_withdraw(enrollment=enrollment)

    assert result(program, enrollment).completes is False


def test_exception_needs_a_reason(program, organizer):
    enrollment = trainee(program, "600005")

    with pytest.raises(closing.ClosingRefused):
        closing.completion_exception_grant(enrollment=enrollment, reason="   ", user=organizer)
    assert not CompletionException.objects.exists()


def test_exception_and_rules_refused_after_the_close(program, organizer):
    enrollment = trainee(program, "600006")
    closing.program_close(program=program, user=organizer)

    with pytest.raises(closing.ClosingRefused):
        closing.completion_exception_grant(enrollment=enrollment, reason="晚了", user=organizer)
    with pytest.raises(closing.ClosingRefused):
        closing.closing_rules_update(
            program=program,
            hour_minutes=50,
            counted_kinds=["lecture"],
            evaluated_kinds=[],
            evaluation_days=3,
            min_attendance_rate=None,
            require_graduation_pass=False,
            require_essay=False,
        )
    assert ProgramClosing.objects.get(program=program).hour_minutes == 45


# --- the close -------------------------------------------------------------------------------


def frozen(program):
    """Everything the close wrote, in a comparable form."""
    return (
        list(
            Completion.objects.filter(enrollment__program=program)
            .order_by("enrollment_id")
            .values_list(
                "enrollment_id",
                "completed",
                "hours",
                "attendance_rate",
                "shortfalls",
                "exception_reason",
                "decided_at",
            )
        ),
        list(
            Certificate.objects.filter(enrollment__program=program)
            .order_by("serial")
            .values_list("enrollment_id", "serial", "token", "hours", "issued_at")
        ),
        ProgramClosing.objects.filter(program=program).values_list("closed_at", "closed_by")[0],
    )


def test_close_freezes_hours_rates_and_issues_certificates(program, organizer):
    rules(program, min_attendance_rate=Decimal("50"))
    talks = lectures(program, 2)
    # Police IDs out of order of enrollment: the serials follow the police IDs.
    late_id, early_id = trainee(program, "700009"), trainee(program, "700001")
    short = trainee(program, "700005")
    trainee(program, "700007", status=Enrollment.Status.WITHDRAWN)
    attend(talks, late_id, organizer, [Status.PRESENT, Status.PRESENT])
    attend(talks, early_id, organizer, [Status.PRESENT, Status.ABSENT])
    attend(talks, short, organizer, [Status.ABSENT, Status.ABSENT])

    closed, done = closing.program_close(program=program, user=organizer)

    assert done is True
    assert closed.closed_by == organizer and closed.closed_at is not None
    completions = {
        c.enrollment_id: (c.completed, c.hours, c.attendance_rate) for c in Completion.objects.all()
    }
    assert completions == {
        late_id.pk: (True, Decimal("2.0"), Decimal("100.00")),
        early_id.pk: (True, Decimal("1.0"), Decimal("50.00")),
        short.pk: (False, Decimal("0.0"), Decimal("0.00")),
    }
    assert list(Certificate.objects.values_list("serial", "enrollment", "hours")) == [
        ("CZ2023-0001", early_id.pk, Decimal("1.0")),
        ("CZ2023-0002", late_id.pk, Decimal("2.0")),
    ]
    tokens = list(Certificate.objects.values_list("token", flat=True))
    assert len(set(tokens)) == 2 and all(len(token) >= 32 for token in tokens)


def test_close_writes_the_default_kinds_it_applied(program, organizer):
    closed, _done = closing.program_close(program=program, user=organizer)

    assert closed.counted_kinds and closed.evaluated_kinds
    assert "lecture" in closed.counted_kinds and "exam" not in closed.counted_kinds


def test_close_twice_changes_nothing(program, organizer):
    talks = lectures(program, 2)
    a, b = trainee(program, "710001"), trainee(program, "710002")
    attend(talks, a, organizer, [Status.PRESENT, Status.LATE])
    closing.program_close(program=program, user=organizer)
    before = frozen(program)
    # Between the two: the roll call changes, a trainee joins, a rule is set behind the
    # page's back. None of it reaches a closed program's result.
    Attendance.objects.filter(enrollment=a).update(status=Status.PRESENT)
    attend(talks, b, organizer, [Status.PRESENT, Status.PRESENT])
    trainee(program, "710003")
    ProgramClosing.objects.filter(program=program).update(require_essay=True)
    other = factories.user("organizer")
    program.organizers.add(other)

    closed, done = closing.program_close(program=program, user=other)

    assert done is False
    assert frozen(program) == before
    assert closed.closed_by == organizer


def test_close_page_after_the_close_shows_the_frozen_result(program, organizer):
    talks = lectures(program, 1)
    enrollment = trainee(program, "720001")
    attend(talks, enrollment, organizer, [Status.PRESENT])
    closing.program_close(program=program, user=organizer)
    Attendance.objects.filter(enrollment=enrollment).update(status=Status.ABSENT)

    overview = closing_overview(program)

    assert overview.closed is True
    assert [(row.hours, row.attendance_rate, row.certificate.serial) for row in overview.rows] == [
        (Decimal("1.0"), Decimal("100.00"), "CZ2023-0001")
    ]


# --- certificates ----------------------------------------------------------------------------


def test_certificate_serials_are_unique_across_two_programs(organizer):
    first = factories.program(organizers=[organizer], code="CZ2022")
    second = factories.program(organizers=[organizer], code="CZ2023")
    for program in (first, second):
        for n in range(3):
            trainee(program, f"{program.code[-2:]}00{n}")
        closing.program_close(program=program, user=organizer)

    serials = list(Certificate.objects.order_by("serial").values_list("serial", flat=True))

    assert serials == [
        "CZ2022-0001",
        "CZ2022-0002",
        "CZ2022-0003",
        "CZ2023-0001",
        "CZ2023-0002",
        "CZ2023-0003",
    ]


def test_certificate_serials_skip_those_of_a_code_given_up_and_taken_again(organizer):
    old = factories.program(organizers=[organizer], code="CZ2023")
    trainee(old, "800001")
    trainee(old, "800002")
    closing.program_close(program=old, user=organizer)
    old.code = "CZ2023A"  # renamed: its certificates keep their serials
    old.save()
    new = factories.program(organizers=[organizer], code="cz2023")  # a code that differs in case
    for n in range(3):
        trainee(new, f"80010{n}")

    closing.program_close(program=new, user=organizer)

    assert list(
        Certificate.objects.filter(enrollment__program=new)
        .order_by("enrollment__trainee__police_id")
        .values_list("serial", flat=True)
    ) == ["cz2023-0003", "cz2023-0004", "cz2023-0005"]


def test_certificate_revoke_records_who_when_and_why(program, organizer):
    enrollment = trainee(program, "900001")
    closing.program_close(program=program, user=organizer)
    certificate = Certificate.objects.get(enrollment=enrollment)

    certificates.certificate_revoke(certificate=certificate, user=organizer, reason="  违纪  ")

    certificate.refresh_from_db()
    assert (certificate.revoked_by, certificate.revoked_reason) == (organizer, "违纪")
    assert certificate.revoked_at is not None


def test_certificate_revoked_twice_keeps_the_first(program, organizer):
    enrollment = trainee(program, "900002")
    closing.program_close(program=program, user=organizer)
    certificate = Certificate.objects.get(enrollment=enrollment)
    certificates.certificate_revoke(certificate=certificate, user=organizer, reason="第一次")

    with pytest.raises(certificates.RevokeRefused):
        certificates.certificate_revoke(certificate=certificate, user=organizer, reason="第二次")
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "第一次"


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def closed_world(program, organizer):
    """CZ2023 with two trainees, closed, and another program with its own trainee."""
    a, b = trainee(program, "910001", "张伟"), trainee(program, "910002", "李娜")
    closing.program_close(program=program, user=organizer)
    other = factories.program(organizers=[factories.user("organizer")], code="ZK2023")
    foreign = trainee(other, "910009", "王强")
    closing.program_close(program=other, user=other.organizers.get())
    return a, b, foreign


def url(name, code="CZ2023"):
    return reverse(f"completion:{name}", args=[code])


def test_close_page_lists_who_falls_short_and_why(client, program, organizer):
    rules(program, require_essay=True)
    short = trainee(program, "920001", "张伟")
    essay(trainee(program, "920002", "李娜"), grade=Grade.GOOD)
    client.force_login(organizer)

    response = client.get(url("closing"))

    assert response.status_code == 200
    overview = response.context["overview"]
    assert [row.enrollment for row in overview.short] == [short]
    assert [row.trainee.name for row in overview.complete] == ["李娜"]
    assert f'id="exception-{short.pk}"' in response.content.decode()
    assert 'id="closing-close-form"' in response.content.decode()


def test_close_page_grants_and_withdraws_an_exception(client, program, organizer):
    rules(program, require_essay=True)
    enrollment = trainee(program, "930001")
    client.force_login(organizer)

    response = client.post(
        url("closing-exception"), {"enrollment": enrollment.pk, "reason": "因公出差"}
    )

    assert response.status_code == 302
    granted = CompletionException.objects.get()
    assert (granted.enrollment, granted.reason, granted.granted_by) == (
        enrollment,
        "因公出差",
        organizer,
    )
    client.post(url("closing-exception"), {"enrollment": enrollment.pk, "withdraw": "1"})
    assert not CompletionException.objects.exists()


def test_close_page_without_a_reason_grants_nothing(client, program, organizer):
    enrollment = trainee(program, "930002")
    client.force_login(organizer)

    response = client.post(url("closing-exception"), {"enrollment": enrollment.pk, "reason": ""})

    assert response.status_code == 302
    assert not CompletionException.objects.exists()


def test_close_needs_the_confirmation_ticked(client, program, organizer):
    trainee(program, "940001")
    client.force_login(organizer)

    client.post(url("closing-close"), {})
    assert not Completion.objects.exists()

    response = client.post(url("closing-close"), {"confirm": "on"})
    assert response.status_code == 302
    assert Completion.objects.count() == 1 and Certificate.objects.count() == 1


def test_close_posted_twice_changes_nothing(client, program, organizer):
    trainee(program, "940002")
    client.force_login(organizer)
    client.post(url("closing-close"), {"confirm": "on"})
    before = frozen(program)

    response = client.post(url("closing-close"), {"confirm": "on"})

    assert response.status_code == 302
    assert frozen(program) == before


def test_revoke_page_revokes_one_certificate(client, program, organizer, closed_world):
    a, b, _foreign = closed_world
    client.force_login(organizer)

    response = client.post(url("certificate-revoke"), {"enrollment": a.pk, "reason": "违纪"})

    assert response.status_code == 302
    revoked = dict(Certificate.objects.values_list("enrollment", "revoked_reason"))
    assert revoked[a.pk] == "违纪" and revoked[b.pk] == ""
    page = client.get(url("closing")).content.decode()
    assert f'id="certificate-{a.pk}-revoked"' in page
    assert f'id="revoke-{b.pk}"' in page


def test_rules_page_saves_the_rules(client, program, organizer):
    client.force_login(organizer)

    response = client.post(
        url("closing-rules"),
        {
            "hour_minutes": "40",
            "counted_kinds": ["lecture", "case_study"],
            "evaluated_kinds": ["lecture"],
            "evaluation_days": "5",
            "min_attendance_rate": "90",
            "require_graduation_pass": "on",
        },
    )

    assert response.status_code == 302
    saved = ProgramClosing.objects.get(program=program)
    assert (
        saved.hour_minutes,
        saved.counted_kinds,
        saved.evaluated_kinds,
        saved.evaluation_days,
        saved.min_attendance_rate,
        saved.require_graduation_pass,
        saved.require_essay,
    ) == (40, ["lecture", "case_study"], ["lecture"], 5, Decimal("90.00"), True, False)


def test_rules_page_refuses_no_counted_kind(client, program, organizer):
    client.force_login(organizer)

    response = client.post(url("closing-rules"), {"hour_minutes": "45", "evaluation_days": "3"})

    assert response.status_code == 200
    assert response.context["form"].errors["counted_kinds"]
    assert not ProgramClosing.objects.exists()


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["closing-exception", "certificate-revoke"])
def test_a_foreign_enrollment_in_the_post_is_404(client, program, organizer, closed_world, name):
    _a, _b, foreign = closed_world
    ProgramClosing.objects.filter(program=program).update(closed_at=None)  # open for exceptions
    client.force_login(organizer)

    for value in (foreign.pk, "abc", "²", ""):
        response = client.post(url(name), {"enrollment": value, "reason": "试探"})
        assert response.status_code == 404
    assert not CompletionException.objects.exists()
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


def test_access_organizer_of_another_program_and_trainees_get_404(client, program, closed_world):
    a, _b, _foreign = closed_world
    for user in (factories.user("organizer"), a.trainee.user):
        client.force_login(user)
        assert client.get(url("closing")).status_code == 404
        assert client.get(url("closing-rules")).status_code == 404
        assert client.post(url("closing-close"), {"confirm": "on"}).status_code == 404
        response = client.post(url("certificate-revoke"), {"enrollment": a.pk, "reason": "x"})
        assert response.status_code == 404
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


def test_access_leadership_reads_and_changes_nothing(client, program, closed_world):
    a, _b, _foreign = closed_world
    client.force_login(factories.user("leadership"))

    page = client.get(url("closing"))
    assert page.status_code == 200
    assert f'id="revoke-{a.pk}"' not in page.content.decode()
    assert client.get(url("closing-rules")).status_code == 403
    response = client.post(url("certificate-revoke"), {"enrollment": a.pk, "reason": "x"})
    assert response.status_code == 403
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


def test_access_superuser_revokes(client, program, closed_world):
    a, _b, _foreign = closed_world
    client.force_login(factories.user(is_superuser=True))

    response = client.post(url("certificate-revoke"), {"enrollment": a.pk, "reason": "撤销"})

    assert response.status_code == 302
    assert Certificate.objects.get(enrollment=a).revoked_reason == "撤销"


# --- queries ---------------------------------------------------------------------------------


def class_of(program, organizer, start, count, talks):
    for n in range(start, start + count):
        enrollment = trainee(program, f"95{n:04d}")
        attend(talks, enrollment, organizer, [Status.PRESENT, Status.LATE])
        essay(enrollment, grade=Grade.PASS)


@pytest.mark.parametrize("closed", [False, True])
def test_close_page_queries_do_not_grow_with_the_class(
    client, program, organizer, closed, django_assert_max_num_queries
):
    rules(program, min_attendance_rate=Decimal("90"), require_essay=True)
    talks = lectures(program, 2)
    class_of(program, organizer, 0, 2, talks)
    people = list(program.enrollments.all())
    graduation_scores(program, organizer, {people[0]: 80, people[1]: 50})
    closing.completion_exception_grant(enrollment=people[1], reason="特批", user=organizer)
    client.force_login(organizer)

    def measure(limit):
        if closed:
            Completion.objects.all().delete()
            Certificate.objects.all().delete()
            ProgramClosing.objects.filter(program=program).update(closed_at=None)
            closing.program_close(program=program, user=organizer)
        with django_assert_max_num_queries(limit) as captured:
            assert client.get(url("closing")).status_code == 200
        return len(captured.captured_queries)

    measure(40)  # the first request fills the process's caches
    small = measure(40)
    class_of(program, organizer, 10, 12, talks)
    assert measure(small) == small


def test_close_queries_do_not_grow_with_the_class(
    program, organizer, django_assert_max_num_queries
):
    talks = lectures(program, 2)
    class_of(program, organizer, 0, 2, talks)
    with django_assert_max_num_queries(40) as small:
        closing.program_close(program=program, user=organizer)
    other = factories.program(organizers=[organizer], code="CZ2024", start_date=DAY)
    talks = lectures(other, 2)
    class_of(other, organizer, 100, 12, talks)

    with django_assert_max_num_queries(len(small.captured_queries)):
        closing.program_close(program=other, user=organizer)
    assert Certificate.objects.filter(enrollment__program=other).count() == 12


def test_close_page_hours_are_those_of_the_roll_call(client, program, organizer):
    talks = [activity(program, DAY, "08:30", "10:00", kind=Activity.Kind.LECTURE)]
    enrollment = trainee(program, "960001")
    attendance_set(
        activity=talks[0],
        enrollment=enrollment,
        status=Status.LEFT_EARLY,
        left_at=at(DAY, "09:15"),
        user=organizer,
    )
    client.force_login(organizer)

    row = client.get(url("closing")).context["overview"].rows[0]

    assert row.hours == Decimal("1.0")  # 45 minutes of a 45-minute study hour
    assert row.attendance_rate == Decimal("100.0")


def test_a_withdrawn_trainee_gets_no_completion(program, organizer):
    withdrawn = trainee(program, "970001", status=Enrollment.Status.WITHDRAWN)

    closing.program_close(program=program, user=organizer)

    assert not Completion.objects.filter(enrollment=withdrawn).exists()
    assert ProgramClosing.objects.get(program=program).closed_at is not None
    assert Completion.objects.count() == 0


def test_close_page_links_the_certificates_pdfs(client, program, organizer, closed_world):
    a, _b, _foreign = closed_world
    certificate = Certificate.objects.get(enrollment=a)
    client.force_login(organizer)

    page = client.get(url("closing")).content.decode()

    assert reverse("completion:certificates-pdf", args=[program.code]) in page
    assert reverse("completion:certificate-pdf", args=[program.code, certificate.pk]) in page
