"""Red team: two ordinary accounts and no other power (README "Roles").

1. A leader (领导: "reads; changes nothing"). tests/config/test_access_sweep.py asks every URL
   as the city bureau's leadership with an empty or minimal body, and checks that a REFUSED
   request changes no row. What it leaves out, tried here in its world: the pages a leader
   is ALLOWED to read (a GET that answers 200 may still write: close an activity's roll call,
   make a form's items, a feed, a draft), the leadership of the top of the tree (the
   province, which reads every program, is not a column of the sweep), the organizer's own
   valid changes (the probes' controls, which go through for the organizer) sent by a
   leader, and the methods other than POST (PUT, PATCH, DELETE reach a class-based view's
   post()).
2. A trainee (学员) against classmates and other programs: what the sweep's URL × role table
   cannot say (a trainee of another program, a withdrawn trainee, a trainee who owes a new
   password, bodies that name someone else, numbers and dates at the edge of the calendar).

Each test is one attack; it passes when the defence holds.
"""

# The sweep's `world` fixture is imported, and the tests name it as their argument (F811).
# ruff: noqa: F811

import json
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from completion.models import Certificate
from discussions.models import DiscussionRecord, Essay, ForumTalk, Idea
from discussions.services import essays as essay_services
from exams.models import Exam
from exams.services import attempts as attempts_services
from sessions.models import Activity, Attendance, CalendarFeed, LeaveRequest, Material
from sessions.services import leave as leave_services
from sessions.services import rollcall
from sessions.services import timetable as timetable_services
from tests import factories
from tests.completion.evaluations import answer, answered, running_program, yesterdays_lecture
from tests.config import test_access_sweep as sweep
from tests.config.test_access_sweep import world  # noqa: F401  (the sweep's world, a fixture)
from tests.exams.factories import exam, question, right_choices
from tests.files import PDF
from tests.timetable.factories import activity
from trainees.models import Enrollment, Trainee, Unit

# --- 1. the leader --------------------------------------------------------------------------

TOP = "top_leader"  # the leadership of 江苏省公安厅, the root: reads every program
LEADERS = ("bureau_leader", TOP)


def sign_in_leader(client, world, leader):
    """The city bureau's leadership (the sweep's session), or the province's, made here."""
    if leader == TOP:
        province = Unit.objects.get(name="江苏省公安厅")
        client.force_login(factories.user("leadership", username="province", unit=province))
    else:
        sweep.sign_in(client, world, leader)


# Every page of the apps that the city bureau's leadership reads (200 in the sweep), with the
# sweep's arguments, and the .xlsx exports behind the dashboards (?export=). Not the account's
# own pages (setting up two-factor sign-in makes the leader's own device: that is theirs).
APPS = ("trainees:", "timetable:", "discussions:", "exams:", "reports:", "completion:")
LEADER_READS = [
    (name, lambda world, rule=rule: rule.args(world, world.p), {})
    for name, rule in sweep.RULES.items()
    if rule.get and rule.get.get("bureau_leader") == 200 and name.startswith(APPS)
] + [
    (name, lambda world, args=args: args(world), query)
    for name, args, query, _shows, _control in sweep.FILTERED
    if query
]


# The dashboards' summaries (reports.models: ProgramSummary, UnitSummary, BranchSummary,
# EnrollmentSummary, TraineeTally) are a cache of figures computed from the rows, filled at the
# first read after a change: a read may write them, and they change nothing that is shown.
SUMMARIES = {
    "reports_programsummary",
    "reports_unitsummary",
    "reports_branchsummary",
    "reports_enrollmentsummary",
    "reports_traineetally",
}


def rows():
    """The sweep's snapshot but the dashboards' summaries."""
    return {table: found for table, found in sweep.snapshot().items() if table not in SUMMARIES}


@pytest.mark.django_db
@pytest.mark.parametrize("leader", LEADERS)
@pytest.mark.parametrize(
    ("name", "args", "query"),
    [
        pytest.param(name, args, query, id=f"{name}{'-' + query['export'] if query else ''}")
        for name, args, query in LEADER_READS
    ],
)
def test_a_page_a_leader_reads_changes_no_row(client, world, leader, name, args, query):
    """A GET that a leader may make writes nothing: not the roll call's close of an ended
    activity, not a form's first items, a feed, a report's draft or a summary."""
    url = reverse(name, kwargs=args(world))
    if query:
        url = f"{url}?{urlencode(query)}"
    sign_in_leader(client, world, leader)
    before = rows()

    response = client.get(url)

    assert response.status_code == 200, f"GET {url} as {leader}: {sweep.describe(response)}"
    assert rows() == before, f"GET {url} as {leader} changed data"


# Every URL that changes something of P and refuses the city bureau's leadership (403 where it
# reads the thing, 404 where it does not), with the sweep's body.
LEADER_REFUSED = [
    (name, rule)
    for name, rule in sweep.RULES.items()
    if rule.post and rule.post.get("bureau_leader") in (403, 404)
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name, _rule in LEADER_REFUSED])
def test_the_top_leadership_changes_nothing_either(client, world, name):
    """The province's leadership reads every program (is_top): it is refused every change
    as the city bureau's is, with the same answer."""
    rule = sweep.RULES[name]
    url = reverse(name, kwargs=rule.args(world, world.p))
    sign_in_leader(client, world, TOP)
    before = sweep.snapshot()

    response = client.post(url, rule.data(world))

    expected = rule.post["bureau_leader"]
    assert response.status_code == expected, f"POST {url}: {sweep.describe(response)}"
    assert sweep.snapshot() == before, f"POST {url} as the top leadership changed data"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("leader", LEADERS[:1])
@pytest.mark.parametrize("name", [name for name, _rule in LEADER_REFUSED])
def test_a_leader_changes_nothing_with_another_method(client, world, name, leader, method):
    """PUT and DELETE, with the body of the POST: a class-based edit view answers PUT with its
    post() (PATCH has no handler in Django's generic views: a 405), a delete view DELETE
    with its delete(); a function view that asks `request.method == "POST"` treats them as a
    read. Either way nothing changes, and nothing is a server error. One leader: the other's
    refusals are the POST test's."""
    rule = sweep.RULES[name]
    url = reverse(name, kwargs=rule.args(world, world.p))
    sign_in_leader(client, world, leader)
    before = sweep.snapshot()

    response = getattr(client, method)(
        url, urlencode(rule.data(world)), content_type="application/x-www-form-urlencoded"
    )

    said = f"{method.upper()} {url} as {leader}: {sweep.describe(response)}"
    assert response.status_code < 500, said
    assert sweep.snapshot() == before, f"{said}: data changed"


# The probes' controls: P's organizer's own valid change (a body, or a file to preview),
# which the sweep shows is taken. A leader sends the very same request.
VALID_CHANGES = [
    probe
    for probe in sweep.PROBES
    if probe.method == "POST"
    and probe.role == "organizer"
    and probe.own is not None
    and probe.field != "next"
]


def send_as(client, world, probe, signed_in):
    """(the answer to the probe's control request, whether a row changed), as `signed_in`
    (a function that signs the client in)."""
    parts = probe.request(world, probe.own(world))
    url = reverse(probe.name, kwargs=parts.get("args", {}))
    if "query" in parts:
        url = f"{url}?{urlencode(parts['query'])}"
    data = dict(parts.get("data", {}))
    if "upload" in parts:
        data["file"] = SimpleUploadedFile(*parts["upload"])
    signed_in(client)
    before = sweep.snapshot()
    response = client.post(url, data)
    return response, sweep.snapshot() != before


@pytest.mark.django_db
@pytest.mark.parametrize("leader", LEADERS)
@pytest.mark.parametrize("probe", VALID_CHANGES, ids=[p.id for p in VALID_CHANGES])
def test_the_organizers_own_valid_change_sent_by_a_leader_is_refused(client, world, probe, leader):
    """The leader sends exactly what P's organizer sends (a group move, a bulk move, a
    formset, an activity, a material, an import, a roll-call tap, a leave decision, a
    recorder, an idea, a forum talk, reviewers, copied questions, grading, paper scores, a
    recipient, an exception, a revocation): refused, nothing kept. Then the organizer sends
    it: taken (the body was a valid change)."""
    response, changed = send_as(client, world, probe, lambda c: sign_in_leader(c, world, leader))

    said = f"POST {probe.name} as {leader}: {sweep.describe(response)}"
    assert response.status_code in (403, 404), said
    assert not changed, f"{said}: data changed"
    assert not (response.context and response.context.get("digest")), f"{said}: file kept"

    response, changed = send_as(
        client, world, probe, lambda c: sweep.sign_in(c, world, "organizer")
    )
    assert sweep.taken(probe, response, changed, probe.own(world)), "the control is not taken"


# --- 2. the trainee -------------------------------------------------------------------------

PASSWORD_PAGE = "/accounts/password/"


def owing_a_password(client, world, how):
    """Trainee A's session that has given a password and owes a new one: signed in with the
    slip's initial password (the account's own is unusable until A chooses one), or at the
    account's first sign-in (a password someone else set)."""
    # Read afresh: the world's object outlives each test's rollback.
    account = get_user_model().objects.get(pk=world.users["trainee_a"].pk)
    if how == "slip":
        account.set_unusable_password()
        account.save()
        Trainee.objects.filter(user=account).update(initial_password="slip-pass")
        password = "slip-pass"
    else:
        account.last_login = None
        account.save()
        password = factories.PASSWORD
    signed_in = client.post("/accounts/login/", {"username": "320401", "password": password})
    assert signed_in.status_code == 302, "not signed in"
    assert client.get("/")["Location"] == PASSWORD_PAGE


# Every URL of the sweep but signing out and the password page itself, by both methods.
OWED = [
    (name, method)
    for name, rule in sweep.RULES.items()
    for method, expected in (("GET", rule.get), ("POST", rule.post))
    if expected is not None and name not in ("logout", "password_change")
]


# A first sign-in owes the password as the slip does (owing_a_password checks that it does):
# its own run covers the JSON endpoints and the feed, the slip's every URL.
OWED_FIRST = [
    (name, method)
    for name, method in OWED
    if name
    in (
        "timetable:feed",
        "timetable:check-in",
        "discussions:essay-save",
        "exams:answer-save",
        "completion:evaluation-answer",
    )
]
OWED_CASES = [("slip", name, method) for name, method in OWED] + [
    ("first sign-in", name, method) for name, method in OWED_FIRST
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("how", "name", "method"), OWED_CASES, ids=[f"{h}-{n}-{m}" for h, n, m in OWED_CASES]
)
def test_a_trainee_who_owes_a_new_password_reaches_no_page_and_no_json(
    client, world, name, method, how
):
    """Every page, export and JSON endpoint (the exam's and the essay's autosave, the check-in,
    the calendar feed) sends A to the password page first, and changes nothing."""
    rule = sweep.RULES[name]
    url = reverse(name, kwargs=rule.args(world, world.p))
    owing_a_password(client, world, how)
    before = sweep.snapshot()

    response = client.get(url) if method == "GET" else client.post(url, rule.data(world))

    said = f"{method} {url}, owing a password ({how}): {sweep.describe(response)}"
    assert response.status_code == 302 and response["Location"] == PASSWORD_PAGE, said
    assert sweep.snapshot() == before, f"{said}: data changed"


@pytest.fixture
def running(organizer):
    """JT2024, from the day before yesterday to tomorrow, its timetable published. (The
    sweep's world, CZ2023 and ZK2023, stays in the database while this module runs: the
    codes, police IDs and names here are others, and each check looks at this class only.)"""
    return running_program([organizer], code="JT2024")


@pytest.fixture
def class_(running):
    """Group 1 of JT2024: 张伟 (A) and 李娜 (B); 周涛 (C) in group 2."""
    group_1, group_2 = factories.group(running, 1), factories.group(running, 2)
    people = {}
    for key, police_id, name, group in [
        ("a", "520401", "张伟", group_1),
        ("b", "520402", "李娜", group_1),
        ("c", "520403", "周涛", group_2),
    ]:
        trainee = factories.trainee(police_id, name=name)
        people[key] = factories.enrollment(running, trainee, group=group)
    return SimpleNamespace(program=running, group_1=group_1, group_2=group_2, **people)


@pytest.fixture
def other_program():
    """LY2024, run by someone else, with 龚定俊 (520499), its timetable published."""
    program = running_program([factories.user("organizer")], code="LY2024")
    chief = factories.trainee("520499", name="龚定俊")
    return SimpleNamespace(program=program, enrollment=factories.enrollment(program, chief))


def as_trainee(client, enrollment):
    client.force_login(enrollment.trainee.user)
    return client


# --- numbers and dates at the edge ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answers",
    [
        '[{"question": 1e400, "revision": 1}]',
        '[{"question": %(q)s, "revision": 1e400}]',
        '[{"question": %(q)s, "revision": 1, "choices": [1e400]}]',
        '[{"question": %(q)s, "revision": -1e400}]',
    ],
)
def test_an_autosave_with_a_number_beyond_a_float_is_refused_not_a_server_error(
    client, class_, answers
):
    """JSON reads 1e400 as infinity, which int() refuses with an OverflowError (not the
    ValueError of "abc"): the autosave was a server error. Now 400, and the answer stays."""
    single = question()
    attempt = attempts_services.attempt_start(
        exam=exam(class_.program, [single]), enrollment=class_.a
    )
    as_trainee(client, class_.a)

    response = client.post(
        reverse("exams:answer-save", args=[attempt.pk]), {"answers": answers % {"q": single.pk}}
    )

    assert response.status_code == 400
    assert attempt.answers.get().revision == 0


EDGES = ["0001-01-01 00:00", "0001-01-01T07:59"]  # Beijing time: the year 0 in UTC


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize("moment", EDGES)
def test_leave_at_the_first_moments_of_the_calendar_is_refused_not_a_server_error(
    client, class_, field, moment
):
    """0001-01-01 00:00 in Beijing is a moment of the year 0 in UTC: saving the request was an
    OverflowError. It is an invalid date and time like any other (trainees.forms.MomentField)."""
    data = {"starts_at": "2030-01-01 08:00", "ends_at": "2030-01-01 10:00", "reason": "就医"}
    data[field] = moment
    as_trainee(client, class_.a)

    response = client.post(reverse("timetable:my-leave"), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not LeaveRequest.objects.filter(enrollment=class_.a).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("moment", EDGES)
def test_the_organizers_moments_at_the_first_of_the_calendar_are_refused_too(
    client, organizer, class_, moment
):
    """The same field in the organizer's forms: an exam's opening, a trainee's extension to
    hand in the essay. The control: the same form with a date of this century is saved."""
    client.force_login(organizer)
    code = class_.program.code
    exam_form = {
        "kind": Exam.Kind.OTHER,
        "title": "测验",
        "mode": Exam.Mode.ONLINE,
        "closes_at": "2030-01-01 10:00",
        "duration_minutes": "30",
        "full_marks": "100",
        "pass_mark": "60",
    }
    extend = reverse("discussions:essay-extend", args=[code, class_.a.pk])

    refused = client.post(
        reverse("exams:exam-create", args=[code]), {**exam_form, "opens_at": moment}
    )
    client.post(extend, {"until": moment})

    assert refused.status_code == 200 and "opens_at" in refused.context["form"].errors
    assert not Exam.objects.filter(program=class_.program).exists()
    assert not Essay.objects.filter(enrollment=class_.a, extended_until__isnull=False).exists()
    control = client.post(
        reverse("exams:exam-create", args=[code]), {**exam_form, "opens_at": "2030-01-01 08:00"}
    )
    assert control.status_code == 302, control.context["form"].errors
    assert Exam.objects.filter(program=class_.program).count() == 1


# --- the personal-data download -------------------------------------------------------------


def my_data(client, enrollment):
    as_trainee(client, enrollment)
    response = client.get(reverse("trainees:my-data"))
    assert response.status_code == 200
    return response.content.decode(), json.loads(response.content)


@pytest.mark.django_db
def test_my_data_holds_nothing_of_a_classmate_who_shares_my_group_and_activities(
    client, organizer, class_
):
    """B shares A's group, record, lecture and exam: B's idea on A's record, B's leave, B's
    essay, B's answer about the lecture, B's talk, B's exam and the roll call the organizer
    took for both. A's download holds A's part of each, and nothing of B's."""
    program, a, b = class_.program, class_.a, class_.b
    lecture = yesterdays_lecture(program)
    discussion = activity(
        program,
        day=program.start_date,
        kind=Activity.Kind.DISCUSSION,
        group=class_.group_1,
        title="分组讨论",
    )
    record = DiscussionRecord.objects.create(
        activity=discussion, group=class_.group_1, recorder=a.trainee.user
    )
    Idea.objects.create(record=record, author=a, text="警务前移")
    Idea.objects.create(record=record, author=b, text="乙的金点子")
    ForumTalk.objects.create(program=program, presenter=b, order=1, title="乙的论坛发言")
    for enrollment in (a, b):
        rollcall.attendance_set(
            activity=lecture,
            enrollment=enrollment,
            status=Attendance.Status.PRESENT,
            user=organizer,
            reason="sheet",
        )
    leave_services.leave_request(
        enrollment=b,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        reason="乙的请假事由",
    )
    essay_services.essay_save(
        essay=essay_services.essay_for(enrollment=b),
        title="乙的心得",
        body="乙的心得正文",
        revision=1,
        base=0,
    )
    answer(lecture, b, score=2, comment="乙的评教意见")
    answer(lecture, a, score=5)
    single = question()
    paper = exam(program, [single])
    attempts_services.attempt_submit(
        attempt=attempts_services.attempt_start(exam=paper, enrollment=b)
    )

    text, data = my_data(client, a)

    for hers in ("李娜", "520402", "乙的"):
        assert hers not in text
    assert [idea["text"] for idea in data["ideas"]] == ["警务前移"]
    assert len(data["attendance"]) == 1 and data["leave_requests"] == []
    assert data["exams"] == [] and data["essays"] == []
    assert [e["activity__title"] for e in data["evaluated_activities"]] == ["聚焦派出所主防"]


@pytest.mark.django_db
def test_my_data_shows_no_score_the_organizer_has_not_released(client, class_):
    """A's graduation exam is graded, not released: the results page is a 404, the exam list
    says "handed in", the learning file leaves the score out. The download should not be the
    way round."""
    single = question()
    graduation = exam(class_.program, [single], kind=Exam.Kind.GRADUATION, title="结业考试")
    attempt = attempts_services.attempt_start(exam=graduation, enrollment=class_.a)
    attempts_services.answer_save(
        attempt_id=attempt.pk,
        user=class_.a.trainee.user,
        question_id=single.pk,
        choices=right_choices(single),
        revision=1,
    )
    attempts_services.attempt_submit(attempt=attempt)
    as_trainee(client, class_.a)
    assert client.get(reverse("exams:attempt-result", args=[attempt.pk])).status_code == 404

    _text, data = my_data(client, class_.a)

    assert [row["score"] for row in data["exams"]] == [None]


# --- materials, the timetable and its calendar ----------------------------------------------


@pytest.fixture
def material(class_, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handout = Material(program=class_.program, title="讲义")
    handout.file.save("讲义.pdf", ContentFile(PDF))
    return handout


@pytest.mark.django_db
def test_a_trainee_of_another_program_downloads_no_material_of_this_one(
    client, class_, material, other_program
):
    """The sweep's trainees are both in P: 龚定俊 of LY2024 asks for P's handout, under P's
    code and under his own. The control: A, of P, downloads it."""
    url = reverse("timetable:material-download", args=[class_.program.code, material.pk])
    under_his = reverse("timetable:material-download", args=["LY2024", material.pk])
    as_trainee(client, other_program.enrollment)

    assert client.get(url).status_code == 404
    assert client.get(under_his).status_code == 404
    assert as_trainee(client, class_.a).get(url).status_code == 200


def under_way(program, group=None, title="警情研判"):
    """An activity that started five minutes ago (check-in is open)."""
    now = timezone.now()
    return Activity.objects.create(
        program=program,
        kind=Activity.Kind.LECTURE,
        title=title,
        group=group,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
    )


@pytest.mark.django_db
def test_withdrawal_closes_every_door_of_the_program_but_the_trainees_own_records(
    client, organizer, class_, material
):
    """A, withdrawn from JT2024, tries the program's doors with what he kept: the timetable's
    address, the calendar feed's, the handout, the essay, the check-in code on the screen, the
    exam, the evaluation, a leave request. Each is shut; his own records stay his (the data
    download, the learning file, the certificate)."""
    program, a = class_.program, class_.a
    feed = timetable_services.calendar_feed_for(program=program, enrollment=a)
    lecture = yesterdays_lecture(program)
    Attendance.objects.create(activity=lecture, enrollment=a, status=Attendance.Status.PRESENT)
    now_on = under_way(program)
    paper = exam(program, [question()])
    certificate = Certificate.objects.create(
        enrollment=a, serial="JT2024-0001", hours=12, issued_at=timezone.now()
    )
    Enrollment.objects.filter(pk=a.pk).update(status=Enrollment.Status.WITHDRAWN)
    as_trainee(client, a)
    code = program.code
    before = sweep.snapshot()

    shut = {
        "my timetable": client.get(reverse("timetable:my-timetable", args=[code])),
        "feed": client.get(reverse("timetable:feed", args=[feed.token])),
        "new feed": client.post(reverse("timetable:my-feed-revoke", args=[code])),
        "handout": client.get(reverse("timetable:material-download", args=[code, material.pk])),
        "essay": client.get(reverse("discussions:essay-edit", args=[code])),
        "essay save": client.post(
            reverse("discussions:essay-save", args=[code]),
            {"title": "心得", "body": "退学后写的", "revision": "1"},
        ),
        "evaluation": client.get(reverse("completion:evaluation-answer", args=[lecture.pk])),
        "exam": client.post(reverse("exams:exam-start", args=[paper.pk])),
    }
    check_in = client.post(
        reverse("timetable:check-in"),
        {"a": now_on.pk, "code": rollcall.current_code(now_on)[0]},
    )
    leave = client.post(
        reverse("timetable:my-leave"),
        {"starts_at": "2030-01-01 08:00", "ends_at": "2030-01-01 10:00", "reason": "就医"},
    )

    assert {what: r.status_code for what, r in shut.items()} == dict.fromkeys(shut, 404)
    assert check_in.status_code == 200 and leave.status_code == 200
    assert sweep.snapshot() == before
    _text, data = my_data(client, a)
    assert [p["code"] for p in data["programs"]] == [code]
    assert client.get(reverse("completion:my-file")).status_code == 200
    own = reverse("completion:my-certificate-pdf", args=[certificate.pk])
    assert client.get(own).status_code == 200


@pytest.mark.django_db
def test_a_check_in_names_no_one_but_the_trainee_who_sends_it(client, class_):
    """A posts the right code with B's enrollment, B's account and B's police ID in the body:
    A is checked in, B is not."""
    now_on = under_way(class_.program)
    b = class_.b
    as_trainee(client, class_.a)

    client.post(
        reverse("timetable:check-in"),
        {
            "a": now_on.pk,
            "code": rollcall.current_code(now_on)[0],
            "enrollment": b.pk,
            "user": b.trainee.user_id,
            "police_id": b.trainee.police_id,
        },
    )

    checked_in = Attendance.objects.filter(activity=now_on)
    assert list(checked_in.values_list("enrollment_id", flat=True)) == [class_.a.pk]


@pytest.mark.django_db
def test_the_check_out_code_checks_no_one_in_and_the_check_in_code_checks_no_one_out(
    client, class_
):
    """The projector shows one code to check in and another to check out: each is refused
    for the other purpose."""
    now_on = under_way(class_.program)
    now_on.ends_at = timezone.now() + timedelta(minutes=10)  # check-out is open too
    now_on.save()
    url = reverse("timetable:check-in")
    as_trainee(client, class_.a)

    client.post(url, {"a": now_on.pk, "code": rollcall.current_code(now_on, purpose="out")[0]})
    assert not Attendance.objects.filter(activity=now_on).exists()
    client.post(url, {"a": now_on.pk, "code": rollcall.current_code(now_on)[0]})
    client.post(url, {"a": now_on.pk, "code": rollcall.current_code(now_on)[0], "p": "out"})

    assert Attendance.objects.get(activity=now_on).checked_out_at is None


@pytest.mark.django_db
def test_a_trainee_replaces_no_feed_of_another_program_and_never_sees_the_programs_own(
    client, class_, other_program
):
    """A's form to replace a feed, sent with LY2024's code: 404, 龚定俊's address keeps
    working. A's pages give A's own address, never the whole program's (every group's
    timetable, the organizers' feed)."""
    his = timetable_services.calendar_feed_for(
        program=other_program.program, enrollment=other_program.enrollment
    )
    programs_own = timetable_services.calendar_feed_for(program=class_.program)
    as_trainee(client, class_.a)

    refused = client.post(reverse("timetable:my-feed-revoke", args=["LY2024"]))
    pages = [
        client.get(reverse("timetable:my-timetable", args=[class_.program.code])),
        client.get(reverse("timetable:my-day")),
    ]

    assert refused.status_code == 404
    assert CalendarFeed.objects.get(pk=his.pk).token == his.token
    mine = CalendarFeed.objects.get(enrollment=class_.a).token
    assert mine in pages[0].content.decode()
    assert all(programs_own.token not in page.content.decode() for page in pages)


# --- the course evaluation (评教): who said what ----------------------------------------------


@pytest.mark.django_db
def test_four_answers_are_read_nowhere_a_leader_looks_nor_pooled_into_the_speaker(client, class_):
    """吕平洋 gave two lectures: five trainees answered the first (all 5s), four the second
    (all 1s, one with a comment). Four answers are too few to show (EVALUATION_MIN_ANSWERS):
    whoever knows who attended would know who said what. The province's leadership looks at
    the results, the lecture's page, the .xlsx, the speakers' page and its .xlsx: the comment
    is nowhere, and the speaker's means are the first lecture's alone (5.00)."""
    program = class_.program
    first = yesterdays_lecture(program, title="第一讲", start="08:30", end="10:00")
    second = yesterdays_lecture(program, title="第二讲", start="14:00", end="15:30")
    for enrollment in answered(first, 5, start=10, score=5):
        Attendance.objects.create(
            activity=second, enrollment=enrollment, status=Attendance.Status.ABSENT
        )
    answered(second, 4, start=20, score=1, comments=["讲得太差，某某同学说"])
    province = factories.unit("江苏省公安厅（评教）", kind=Unit.Kind.PROVINCE)
    client.force_login(factories.user("leadership", unit=province))
    code = program.code

    texts = [
        sweep.answer_text(client.get(url))
        for url in (
            reverse("completion:evaluation-results", args=[code]),
            reverse("completion:evaluation-activity", args=[code, second.pk]),
            reverse("completion:evaluation-export", args=[code]),
            reverse("completion:speaker-list"),
            reverse("completion:speaker-export"),
        )
    ]

    assert all("某某同学" not in text for text in texts)
    assert all("1.00" not in text for text in texts)
    assert "5.00" in texts[3]
