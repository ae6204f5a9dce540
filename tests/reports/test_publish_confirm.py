"""Publishing is a deliberate act (issue 18): a confirmation page shows who is mailed which
rows and what is not final; figures that are not final go out only as provisional (暂定),
ticked by the organizer, and then the report, its emails and its files say so and why."""

import email
import email.policy
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from discussions.models import Essay
from exams.models import Answer, Attempt, Exam, Question
from reports.models import ReportDelivery, ReportRecipient, ScoreReport
from reports.selectors.readiness import publish_readiness
from reports.selectors.report import program_report
from sessions.models import Activity, Attendance
from tests import factories
from tests.exams.factories import exam, question
from tests.reports.report_class import DAY, NIGHT, scores_set
from tests.timetable.factories import activity, at

pytestmark = pytest.mark.django_db

GROUPS = (1, 2, 3)


def enroll(program, units, count, groups, start=0):
    """`count` trainees over the groups and the three stations, in order."""
    stations = [units["rulin"], units["xuebu"], units["zhuze"]]
    # Shifted by one each round of groups, so that each group has a trainee of each station.
    return [
        factories.enrollment(
            program,
            factories.trainee(
                f"{500001 + start + n}",
                with_login=False,
                name=f"学员{start + n + 1}",
                unit=stations[(n + n // len(groups)) % len(stations)],
            ),
            group=groups[n % len(groups)],
        )
        for n in range(count)
    ]


def finish(enrollments, exams, organizer, closed, *, graded_groups=GROUPS):
    """Entry scores for all, graduation scores for the groups in `graded_groups`, a reviewed
    essay and a roll-call record of the closed activity for each."""
    entry, graduation = exams
    scores_set(entry, dict.fromkeys(enrollments, 70), organizer)
    scores_set(
        graduation,
        {e: 80 for e in enrollments if e.group.number in graded_groups},
        organizer,
    )
    Essay.objects.bulk_create(
        Essay(enrollment=e, status="submitted", submitted_at=NIGHT, grade="B") for e in enrollments
    )
    Attendance.objects.bulk_create(
        Attendance(activity=closed, enrollment=e, status="present") for e in enrollments
    )


@pytest.fixture
def course(program, units, organizer):
    """A class whose figures are final but for what a test leaves out: three groups, both
    exams on paper, one activity of the first day held and its roll call closed; the political
    department gets the whole program, 金坛分局 its own (儒林 and 薛埠)."""
    groups = [factories.group(program, number) for number in GROUPS]
    exams = (
        exam(program, kind=Exam.Kind.ENTRY, mode=Exam.Mode.PAPER, title="入学摸底考试"),
        exam(program, kind=Exam.Kind.GRADUATION, mode=Exam.Mode.PAPER, title="结业考试"),
    )
    closed = activity(program, day=DAY, start="08:30", end="10:00", closed_at=NIGHT)
    ReportRecipient.objects.create(program=program, name="市局政治部", email="zzb@czga.test")
    ReportRecipient.objects.create(
        program=program, name="金坛分局", email="jintan@czga.test", scope_unit=units["jintan"]
    )

    def build(count, start=0, graded_groups=GROUPS):
        enrollments = enroll(program, units, count, groups, start)
        finish(enrollments, exams, organizer, closed, graded_groups=graded_groups)
        return enrollments

    return build


def publish_url(program):
    return reverse("reports:report-publish", args=[program.code])


def attachments(message):
    """[(file name, content)] of an email as it goes on the wire."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return [(part.get_filename(), part.get_content()) for part in parsed.iter_attachments()]


def provisional_prefix():
    return _("[Provisional] %(title)s") % {"title": ""}


def test_publish_is_refused_without_provisional_when_a_group_has_no_graduation_score(
    client, program, organizer, course, django_capture_on_commit_callbacks
):
    course(9, graded_groups=(1, 2))  # group 3 has not sat the graduation exam
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(program), {"notify_trainees": "on"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["provisional"]
    page = response.content.decode()
    assert 'id="publish-incomplete"' in page and "alert-danger" in page
    assert 'id="publish-provisional-error"' in page
    assert not ScoreReport.objects.exists()
    assert not ReportDelivery.objects.exists()
    assert mail.outbox == []


def test_publish_with_provisional_ticked_says_so_in_the_mail_the_files_and_the_pages(
    client, program, organizer, course, django_capture_on_commit_callbacks
):
    course(9, graded_groups=(1, 2))
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(program), {"provisional": "on"})

    report = ScoreReport.objects.get()
    assert response.url == reverse("reports:report-log", args=[program.code, report.number])
    missing = _(
        "%(missing)s of %(trainees)s trainees have no graduation score yet "
        "(%(groups)s); the pass rate counts only those who have one."
    ) % {
        "missing": 3,
        "trainees": 9,
        "groups": _("%(group)s: %(count)s")
        % {"group": _("Group %(number)s") % {"number": 3}, "count": 3},
    }
    assert report.provisional_reasons == [missing]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"zzb@czga.test", "jintan@czga.test"}
    for message in by_address.values():
        assert message.subject.startswith(provisional_prefix()) and provisional_prefix().strip()
        assert message.body.startswith(
            _("[Provisional] These figures are not final and may still change:")
        )
        assert f"- {missing}\n" in message.body
    # 金坛分局's six (儒林 and 薛埠): two of group 3 without a score.
    assert (
        _(
            "In this report, %(missing)s of %(trainees)s trainees have no graduation score: "
            "its pass rate counts the %(sat)s who have one."
        )
        % {"missing": 2, "trainees": 6, "sat": 4}
        in by_address["jintan@czga.test"].body
    )
    # The files: 【暂定】 in the title, and why in the line under it.
    (name, xlsx), (pdf_name, _pdf) = attachments(by_address["jintan@czga.test"])
    assert name.startswith(provisional_prefix()) and pdf_name.startswith(provisional_prefix())
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet["A1"].value.startswith(provisional_prefix())
    assert sheet["A2"].value.startswith(
        _("Provisional figures: %(reasons)s") % {"reasons": missing}
    )
    # The organizer's pages: 已发布（暂定） on the report page, the reasons on the log.
    assert (
        str(_("Published (provisional)"))
        in client.get(reverse("reports:report", args=[program.code])).content.decode()
    )
    log = client.get(response.url).content.decode()
    assert 'id="report-provisional"' in log and missing in log


def test_resending_a_provisional_email_keeps_the_flag(
    client, program, organizer, course, django_capture_on_commit_callbacks
):
    course(6, graded_groups=(1,))
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish_url(program), {"provisional": "on"})
    report = ScoreReport.objects.get()
    failed = report.deliveries.get(recipient_email="jintan@czga.test")
    failed.status = ReportDelivery.Status.FAILED
    failed.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:report-resend", args=[program.code, report.number]),
            {"delivery": failed.pk},
        )

    (again,) = mail.outbox
    assert again.to == ["jintan@czga.test"] and again.subject.startswith(provisional_prefix())
    assert report.provisional_reasons[0] in again.body


def test_with_every_figure_final_one_click_publishes_and_nothing_says_provisional(
    client, program, organizer, course, django_capture_on_commit_callbacks
):
    course(6)
    client.force_login(organizer)

    page = client.get(publish_url(program)).content.decode()
    assert 'id="publish-complete"' in page
    assert 'name="provisional"' not in page and "alert-danger" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(program))

    report = ScoreReport.objects.get()
    assert response.status_code == 302 and report.provisional_reasons == []
    assert len(mail.outbox) == 2
    names = dict(report.deliveries.values_list("recipient_email", "recipient_name"))
    for message in mail.outbox:
        assert not message.subject.startswith(provisional_prefix())
        assert message.body.startswith(_("To %(name)s:") % {"name": names[message.to[0]]})


def test_the_page_shows_each_recipient_its_scope_and_who_lacks_a_graduation_score(
    client, program, organizer, course
):
    course(9, graded_groups=(1, 2))
    client.force_login(organizer)

    response = client.get(publish_url(program))

    mailings = {m.recipient.email: m for m in response.context["mailings"]}
    assert {email: (m.summary.trainees, m.summary.sat) for email, m in mailings.items()} == {
        "zzb@czga.test": (9, 6),
        "jintan@czga.test": (6, 4),
    }
    assert mailings["jintan@czga.test"].units == ["儒林派出所", "薛埠派出所"]
    readiness = response.context["readiness"]
    ((group, names),) = [
        (g.name, [row.name for row in g.rows]) for g in readiness.without_graduation
    ]
    assert (group, names) == (_("Group %(number)s") % {"number": 3}, ["学员3", "学员6", "学员9"])
    page = response.content.decode()
    assert 'id="incomplete-graduation-list"' in page and "学员9" in page


def test_readiness_counts_short_answers_activities_and_essays(program, organizer, course):
    """Short answers waiting in a handed-in graduation attempt; one ended activity whose roll
    call is still open, one not ended; an essay handed in and not reviewed, one returned."""
    first, second, third, *_rest = course(6)
    online = exam(program, kind=Exam.Kind.GRADUATION, title="结业考试（机考）")
    short = question(kind=Question.Kind.SHORT_ANSWER)
    for enrollment in (first, second):
        attempt = Attempt.objects.create(
            exam=online, enrollment=enrollment, submitted_at=NIGHT, status="submitted"
        )
        Answer.objects.create(attempt=attempt, question=short, text="答")
    still_writing = Attempt.objects.create(exam=online, enrollment=third)  # not handed in
    Answer.objects.create(attempt=still_writing, question=short, text="写")
    open_call = activity(program, day=DAY, start="14:00", end="15:30")
    coming = activity(program, day=date(2023, 1, 3), start="08:30", end="10:00")
    Essay.objects.filter(enrollment=first).update(grade="")
    Essay.objects.filter(enrollment=second).update(status="returned")

    readiness = publish_readiness(program, program_report(program, now=NIGHT), now=at(DAY, "18:00"))

    assert [(exam_.title, count) for exam_, count in readiness.short_answers] == [
        ("结业考试（机考）", 2)
    ]
    assert (readiness.rollcall_open, readiness.to_come) == ([open_call], [coming])
    assert (readiness.essays_unreviewed, readiness.essays_missing) == (1, 1)
    # The online exam is the latest graduation exam: no one has a final score of it.
    assert readiness.missing_graduation == 6
    assert [kind for kind, _sentence in readiness.incomplete()] == [
        "graduation",
        "short-answers",
        "rollcall-open",
        "to-come",
        "essays-unreviewed",
        "essays-missing",
    ]


def test_readiness_of_a_program_without_a_graduation_exam_says_so(program, units, organizer):
    enroll(program, units, 2, [factories.group(program, 1)])

    readiness = publish_readiness(program, program_report(program))

    assert [kind for kind, _sentence in readiness.incomplete()] == [
        "no-graduation-exam",
        "essays-missing",
    ]


def queries_of(run):
    with CaptureQueriesContext(connection) as captured:
        run()
    return [query["sql"] for query in captured.captured_queries]


def test_readiness_and_the_page_query_counts_are_the_same_at_20_and_200_trainees(
    client, program, organizer, course
):
    """With something of every kind incomplete, so that every list is drawn."""
    client.force_login(organizer)
    activity(program, day=DAY, start="14:00", end="15:30")  # roll call open
    Activity.objects.create(
        program=program,
        kind=Activity.Kind.LECTURE,
        title="结业典礼",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    counts = []
    for count, start in ((20, 0), (180, 20)):  # 20 trainees, then 200
        enrollments = course(count, start=start, graded_groups=(1, 2))
        Essay.objects.filter(enrollment=enrollments[0]).update(grade="")
        report = program_report(program)
        selector = queries_of(lambda report=report: publish_readiness(program, report))
        client.get(publish_url(program))  # a session's first request writes it once
        page = queries_of(lambda: client.get(publish_url(program)))
        counts.append((len(selector), len(page), page))
    (small_selector, small_page, _small_sql), (big_selector, big_page, big_sql) = counts
    assert small_selector == big_selector == 3
    assert small_page == big_page, "\n".join(big_sql)


def test_a_trainees_own_scores_from_a_provisional_report_say_so_too(
    client, program, organizer, course, django_capture_on_commit_callbacks
):
    first, *_others = course(3, graded_groups=(1, 2))
    first.trainee.email = "500001@czga.test"
    first.trainee.save()
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish_url(program), {"provisional": "on", "notify_trainees": "on"})

    (own,) = [message for message in mail.outbox if message.to == ["500001@czga.test"]]
    assert own.subject.startswith(provisional_prefix())
    assert own.body.startswith(_("[Provisional] These figures are not final and may still change:"))
    assert ScoreReport.objects.get().provisional_reasons[0] in own.body
