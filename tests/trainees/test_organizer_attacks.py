"""Red team: one ordinary organizer (教务) of program A attacks program Q, organized by someone
else in the same installation (README "Roles": another program is a 404, or a refusal that
reveals nothing, whatever carries its id; a trainee's record is shared, what a program holds
about him is not).

tests/config/test_access_sweep.py already sends Q's ids in paths, single form fields, query
parameters and one-row uploads. What is tried here is what it leaves out: ids in the rows of
a formset and of a parallel activity, a bulk withdrawal, the unit tree that every program's
score report reads, a trainee A enrolls by proving his name, the difference between a
foreign id and an unknown one, ?next= written the ways browsers forgive, a form posted
without its CSRF token, and uploads reached by their media path.
"""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from reports.services import outbox
from sessions.models import Activity, Attendance, LeaveRequest, Material, Venue
from sessions.services import leave as leave_services
from tests import factories, rosters
from tests.exams.factories import exam
from tests.files import PDF
from tests.redirects import OFF_SITE, stays_on_site
from trainees.models import Enrollment, Group, Unit

pytestmark = pytest.mark.django_db

# What no answer to A's organizer may hold: Q's code, and words only Q's objects are named with.
Q_TEXT = ("ZK2023", "夏训", "儒林讲堂", "夏训一组")


@pytest.fixture
def world(organizer):
    """Program A (CZ2023, `organizer`'s) and program Q (ZK2023, another organizer's), both
    running now under 常州市公安局. A: 张伟 of 红梅派出所 (天宁分局) in group 1, groups 1 and
    2. Q: 龚定俊 of 儒林派出所 (金坛分局) in Q's group 1 "夏训一组", Q's venue, an activity,
    a leave request and a material."""
    today, now = timezone.localdate(), timezone.now()
    bureau = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    tianning = factories.unit("常州市公安局天宁分局", parent=bureau, kind=Unit.Kind.BRANCH)
    jintan = factories.unit("常州市公安局金坛分局", parent=bureau, kind=Unit.Kind.BRANCH)
    station_a = factories.unit("红梅派出所", parent=tianning)
    rulin = factories.unit("儒林派出所", parent=jintan)
    dates = {"start_date": today - timedelta(days=1), "end_date": today + timedelta(days=1)}

    a = factories.program(organizers=[organizer], code="CZ2023", bureau=bureau, **dates)
    group_1, group_2 = factories.group(a, 1), factories.group(a, 2)
    zhang = factories.trainee("320401", name="张伟", unit=station_a)
    enrollment_a = factories.enrollment(a, zhang, group=group_1)
    lecture = Activity.objects.create(
        program=a,
        kind=Activity.Kind.LECTURE,
        title="专题辅导",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
    )

    other_organizer = factories.user("organizer", username="organizer2")
    q = factories.program(
        organizers=[other_organizer], code="ZK2023", title="金坛夏训班", bureau=bureau, **dates
    )
    q_group = factories.group(q, 1, name="夏训一组")
    gong = factories.trainee("320499", name="龚定俊", unit=rulin, phone="15203529646")
    q_enrollment = factories.enrollment(q, gong, group=q_group)
    q_venue = Venue.objects.create(program=q, name="儒林讲堂")
    q_activity = Activity.objects.create(
        program=q,
        venue=q_venue,
        kind=Activity.Kind.LECTURE,
        title="夏训专题讲座",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
    )
    q_leave = leave_services.leave_request(
        enrollment=q_enrollment,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="夏训期间家中有事",
    )
    return {
        "a": a,
        "q": q,
        "bureau": bureau,
        "tianning": tianning,
        "jintan": jintan,
        "group_1": group_1,
        "group_2": group_2,
        "zhang": zhang,
        "enrollment_a": enrollment_a,
        "lecture": lecture,
        "other_organizer": other_organizer,
        "q_group": q_group,
        "gong": gong,
        "q_enrollment": q_enrollment,
        "q_venue": q_venue,
        "q_activity": q_activity,
        "q_leave": q_leave,
    }


@pytest.fixture
def attacker(client, organizer):
    client.force_login(organizer)
    return client


def shown(response):
    """The answer's text and its messages, as the next page would show them."""
    text = response.content.decode(errors="replace")
    messages = response.wsgi_request._messages if hasattr(response, "wsgi_request") else []
    return text + "".join(str(message) for message in messages)


def assert_nothing_of_q(response):
    text = shown(response)
    for word in Q_TEXT:
        assert word not in text, f"{word!r} shows to A's organizer"


# --- the unit tree, which every program's score report reads ------------------------------


def test_renaming_units_hands_the_whole_report_of_another_program_to_a_branch(attacker, world):
    """The political department (政治部, under the city bureau) has no trainee and organizes
    no program, so A's organizer may rename it; 天宁分局 holds A's trainees only, so he may
    rename it too. Its email (the administrator's, the branch's mailbox) then belongs to the
    unit that every program's "add the default list" takes, by its name, for the whole
    program: Q's score report, every branch's chiefs, would be mailed to 天宁分局."""
    world["tianning"].email = "tianning@czga.test"
    world["tianning"].save()
    department = Unit.objects.create(
        name="政治部", kind=Unit.Kind.DEPARTMENT, parent=world["bureau"], email="zzb@czga.test"
    )

    for unit, name in ((department, "政治处"), (world["tianning"], "政治部")):
        response = attacker.post(
            f"/trainees/units/{unit.pk}/edit/",
            {"name": name, "kind": Unit.Kind.DEPARTMENT, "parent": world["bureau"].pk},
        )
        assert response.status_code == 302  # back to the tree, with the refusal

    chosen, _missing = outbox.default_recipients(world["q"])
    whole_program = [email for _name, email, scope in chosen if scope is None]
    assert whole_program == ["zzb@czga.test"]
    assert sorted(Unit.objects.exclude(email="").values_list("name", flat=True)) == [
        "常州市公安局天宁分局",
        "政治部",
    ]


# --- ids in bulk actions and in the rows of a form --------------------------------------------


def test_a_bulk_withdrawal_naming_a_trainee_of_q_withdraws_no_one(attacker, world):
    """The sweep moves Q's trainee in bulk; a withdrawal is the other action, and ticked with
    A's own trainee it must not go through for either."""
    for ticked in (
        [world["q_enrollment"].pk],
        [world["enrollment_a"].pk, world["q_enrollment"].pk],
    ):
        response = attacker.post(
            "/trainees/programs/CZ2023/roster/bulk/",
            {"enrollments": ticked, "action": "withdraw"},
        )

        assert response.status_code == 302
        assert_nothing_of_q(response)
    statuses = Enrollment.objects.filter(
        pk__in=[world["enrollment_a"].pk, world["q_enrollment"].pk]
    ).values_list("status", flat=True)
    assert set(statuses) == {Enrollment.Status.ACTIVE}


def test_an_extra_row_of_the_groups_formset_naming_qs_group_changes_it_not(attacker, world):
    """Every group on one page (a model formset, edit only): a row past INITIAL_FORMS that
    carries the id of Q's group is a row Django would treat as new."""
    response = attacker.post(
        "/trainees/programs/CZ2023/groups/edit/",
        {
            "groups-TOTAL_FORMS": "2",
            "groups-INITIAL_FORMS": "1",
            "groups-0-id": world["group_1"].pk,
            "groups-0-name": "社区警务组",
            "groups-1-id": world["q_group"].pk,
            "groups-1-name": "被改名",
            "groups-1-host_name": "被改名",
        },
    )

    assert_nothing_of_q(response)
    world["q_group"].refresh_from_db()
    assert (world["q_group"].program, world["q_group"].name, world["q_group"].host_name) == (
        world["q"],
        "夏训一组",
        "",
    )
    assert Group.objects.filter(name="被改名").count() == 0


def test_a_parallel_activity_cannot_put_a_group_in_qs_venue(attacker, world):
    """One activity per group at once: each group's row has its own venue (group-N-venue),
    a choice of the program's venues built by hand, not a ModelChoiceField."""
    day = timezone.localdate().isoformat()
    response = attacker.post(
        "/timetable/programs/CZ2023/activities/new/",
        {
            "kind": Activity.Kind.DISCUSSION,
            "title": "分组讨论",
            "day": day,
            "start": "19:00",
            "end": "20:30",
            "parallel": "on",
            "group-1-takes_part": "on",
            "group-1-venue": world["q_venue"].pk,
            "group-2-takes_part": "on",
            "group-2-new_venue": "第二会议室",
        },
    )

    assert response.status_code == 200  # shown again, with the row's error
    assert_nothing_of_q(response)
    assert not Activity.objects.filter(program=world["a"], title="分组讨论").exists()
    assert list(world["q_venue"].activities.all()) == [world["q_activity"]]
    # The control: the same rows, group 1 in a room of A's, are taken.
    own = Venue.objects.create(program=world["a"], name="第一会议室")
    form = {**response.wsgi_request.POST.dict(), "group-1-venue": own.pk}
    assert attacker.post("/timetable/programs/CZ2023/activities/new/", form).status_code == 302
    assert Activity.objects.filter(program=world["a"], title="分组讨论").count() == 2


def test_an_imported_activity_in_a_room_named_as_qs_makes_a_room_of_as_own(attacker, world):
    """The activities import finds a venue by name: Q's 儒林讲堂 is Q's, and A's row with that
    name gets a room of A's (venues belong to the program)."""
    content = rosters.csv_bytes(
        [[timezone.localdate().isoformat(), "14:00", "15:00", "专题辅导", "试讲", "儒林讲堂"]],
        header=["日期", "开始", "结束", "类型", "题目", "场地"],
    )
    preview = attacker.post(
        "/timetable/programs/CZ2023/activities/import/",
        {"file": ContentFile(content, name="日程.csv")},
    )
    digest = preview.context["digest"]
    attacker.post("/timetable/programs/CZ2023/activities/import/", {"digest": digest})

    imported = Activity.objects.get(program=world["a"], title="试讲")
    assert (imported.venue.program, imported.venue.name) == (world["a"], "儒林讲堂")
    assert imported.venue != world["q_venue"]
    assert list(world["q_venue"].activities.all()) == [world["q_activity"]]


# --- a foreign id answers as an unknown one ---------------------------------------------------

UNKNOWN = 987654
# (method, URL with {id}, the body, which of Q's objects {id} is): each asked with Q's id and
# with an id that names nothing, the two answers must be the same, so that A's organizer
# cannot tell which of Q's ids exist.
FOREIGN_OR_UNKNOWN = [
    ("get", "/trainees/programs/CZ2023/trainees/{id}/", {}, "q_enrollment"),
    ("post", "/trainees/programs/CZ2023/trainees/{id}/move/", {"group": ""}, "q_enrollment"),
    (
        "post",
        "/trainees/programs/CZ2023/roster/bulk/",
        {"enrollments": "{id}", "action": "withdraw"},
        "q_enrollment",
    ),
    (
        "post",
        "/timetable/programs/CZ2023/roll-call/{lecture}/mark/{id}/",
        {"status": "present"},
        "q_enrollment",
    ),
    ("get", "/timetable/programs/CZ2023/roll-call/{id}/", {}, "q_activity"),
    ("get", "/timetable/programs/CZ2023/activities/new/?copy={id}", {}, "q_activity"),
    ("post", "/timetable/programs/CZ2023/leave/{id}/", {"decision": "approve"}, "q_leave"),
    ("get", "/discussions/programs/CZ2023/essays/{id}/", {}, "q_enrollment"),
    (
        "post",
        "/completion/programs/CZ2023/closing/exception/",
        {"enrollment": "{id}", "reason": "因公"},
        "q_enrollment",
    ),
    ("get", "/completion/trainees/{id}/file/", {}, "gong"),
    ("get", "/reports/dashboard/trainees/{id}/", {}, "gong"),
    ("get", "/reports/programs/CZ2023/report/?unit={id}", {}, "jintan"),
]


def answer(user, method, url, body, value, world):
    """(status, Location, the page and its messages) of one request by `user`, from a client of
    its own (a message left by one answer would show on the next)."""
    client = Client()
    client.force_login(user)
    filled = url.replace("{id}", str(value)).replace("{lecture}", str(world["lecture"].pk))
    data = {key: str(v).replace("{id}", str(value)) for key, v in body.items()}
    response = getattr(client, method)(filled, data) if method == "post" else client.get(filled)
    # The page names its own address (the language switch's next=): that, with the id, differs;
    # so does each answer's masked CSRF token.
    text = shown(response)
    for address in (filled.replace("&", "&amp;"), quote(filled, safe="/?="), filled):
        text = text.replace(address, "<address>")
    text = re.sub(r"[A-Za-z0-9+/_-]{22,}={0,2}", "<token>", text)
    return response.status_code, response.get("Location"), text


@pytest.mark.parametrize(("method", "url", "body", "what"), FOREIGN_OR_UNKNOWN)
def test_an_id_of_q_answers_as_an_id_that_names_nothing(organizer, world, method, url, body, what):
    foreign = answer(organizer, method, url, body, world[what].pk, world)
    unknown = answer(organizer, method, url, body, UNKNOWN, world)

    assert foreign[:2] == unknown[:2]
    assert foreign[2] == unknown[2]
    assert foreign[0] in (302, 404)
    world["q_leave"].refresh_from_db()
    assert world["q_leave"].status == LeaveRequest.Status.PENDING
    assert not Attendance.objects.filter(enrollment=world["q_enrollment"]).exists()


# --- ?next=, written the ways a browser forgives ----------------------------------------------

# Each is a way off the site that a naive check ("starts with /", "no http://") lets through:
# a browser reads /\\ as //, drops leading blanks and tabs, and follows a scheme without //.


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_the_site(attacker, world, target):
    """The roster's bulk action, a move and the language switch go back to ?next= (the sweep
    tries https://evil.example/ on the first two only)."""
    enrollment = world["enrollment_a"].pk
    answers = [
        attacker.post(
            "/trainees/programs/CZ2023/roster/bulk/",
            {"enrollments": enrollment, "action": "move", "group": "none", "next": target},
        ),
        attacker.post(
            f"/trainees/programs/CZ2023/trainees/{enrollment}/move/",
            {"group": world["group_2"].pk, "next": target},
        ),
        attacker.post("/i18n/setlang/", {"language": "en", "next": target}),
        Client().get("/accounts/login/", {"next": target}),
    ]

    for response in answers:
        location = response.get("Location", "/")
        assert stays_on_site(location), (response.request["PATH_INFO"], location)


# --- a change posted from another site ---------------------------------------------------------


def test_a_change_posted_without_the_csrf_token_is_refused(organizer, world):
    """A page on another site that posts to A's (or Q's) URLs in the organizer's browser: the
    session cookie goes along, the token does not. The JSON/htmx endpoints (a roll-call tap,
    the essay's autosave) take the same check as the forms."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    lecture, enrollment = world["lecture"].pk, world["enrollment_a"].pk
    posts = [
        (
            f"/timetable/programs/CZ2023/roll-call/{lecture}/mark/{enrollment}/",
            {"status": "absent"},
        ),
        (f"/timetable/programs/CZ2023/roll-call/{lecture}/all-present/", {}),
        (
            "/trainees/programs/CZ2023/roster/bulk/",
            {"enrollments": enrollment, "action": "withdraw"},
        ),
        (f"/trainees/programs/CZ2023/trainees/{enrollment}/password/", {}),
        ("/reports/programs/CZ2023/report/recipients/", {"name": "x", "email": "m@evil.test"}),
    ]

    for url, body in posts:
        assert client.post(url, body).status_code == 403, url
    assert not Attendance.objects.exists()
    world["enrollment_a"].refresh_from_db()
    assert world["enrollment_a"].status == Enrollment.Status.ACTIVE
    assert not world["a"].report_recipients.exists()


def test_a_trainees_autosave_and_check_in_need_the_csrf_token_too(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["zhang"].user)

    save = client.post(
        "/discussions/programs/CZ2023/essay/save/",
        {"title": "心得", "body": "派出所是公安工作的根基。", "revision": "1"},
    )
    check_in = client.post("/timetable/check-in/", {"a": world["lecture"].pk, "code": "000000"})

    assert (save.status_code, check_in.status_code) == (403, 403)


# --- uploaded files by their media path -------------------------------------------------------


def test_qs_material_is_not_served_by_its_media_path(attacker, world, settings, tmp_path):
    """Uploads are sent only by views that check who asks; the media URL serves nothing."""
    settings.MEDIA_ROOT = tmp_path
    material = Material.objects.create(
        program=world["q"], title="夏训讲义", file=ContentFile(PDF, name="夏训讲义.pdf")
    )

    for url in (
        f"{settings.MEDIA_URL}{material.file.name}",
        f"/{material.file.name}",
        f"/timetable/programs/CZ2023/materials/{material.pk}/",
    ):
        response = attacker.get(url)
        assert response.status_code == 404, url
        assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))


# --- a trainee of Q whom A enrolls: the record is shared, Q's part of it is not ----------------


def enroll_gong_in_a(attacker):
    """A's roster import with 龚定俊's name and police ID, previewed then confirmed: he is
    enrolled in A (README "Roles": the file proves name and police ID)."""
    content = rosters.csv_bytes(
        [["龚定俊", "320499", "常州市公安局金坛分局儒林派出所"]], header=["姓名", "警号", "单位"]
    )
    url = "/trainees/programs/CZ2023/roster/import/"
    preview = attacker.post(url, {"file": ContentFile(content, name="名册.csv")})
    assert_nothing_of_q(preview)
    attacker.post(url, {"digest": preview.context["digest"]})


def test_a_trainee_a_enrolls_shows_a_nothing_q_holds_about_him(attacker, world):
    enroll_gong_in_a(attacker)
    mine = Enrollment.objects.get(program=world["a"], trainee=world["gong"])
    world["q_enrollment"].refresh_from_db()
    assert (world["q_enrollment"].group, world["q_enrollment"].status) == (
        world["q_group"],
        Enrollment.Status.ACTIVE,
    )

    pages = [
        f"/trainees/programs/CZ2023/trainees/{mine.pk}/",
        "/trainees/programs/CZ2023/roster/",
        "/timetable/programs/CZ2023/leave/",
        f"/timetable/programs/CZ2023/roll-call/{world['lecture'].pk}/",
        "/discussions/programs/CZ2023/essays/",
        f"/discussions/programs/CZ2023/essays/{mine.pk}/",
        f"/completion/trainees/{world['gong'].pk}/file/",
        f"/reports/dashboard/trainees/{world['gong'].pk}/",
        f"/reports/dashboard/units/{world['gong'].unit_id}/",
        "/reports/programs/CZ2023/report/",
        "/reports/dashboard/",
    ]
    for url in pages:
        response = attacker.get(url)
        assert response.status_code == 200, url
        assert_nothing_of_q(response)
        assert "家中有事" not in shown(response), url  # Q's leave request, and why


def test_a_cannot_decide_qs_leave_request_of_a_trainee_both_hold(attacker, world):
    """The leave request is Q's (it names Q's enrollment), whoever else holds 龚定俊."""
    enroll_gong_in_a(attacker)

    response = attacker.post(
        f"/timetable/programs/CZ2023/leave/{world['q_leave'].pk}/", {"decision": "approve"}
    )

    assert response.status_code == 404
    world["q_leave"].refresh_from_db()
    assert world["q_leave"].status == LeaveRequest.Status.PENDING


# --- numbers that are not numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["²", "9" * 30, "9" * 5000], ids=["superscript", "30 digits", "5000 digits"]
)
def test_a_number_that_is_no_id_or_count_is_refused_not_a_server_error(attacker, world, number):
    """ "²".isdigit() is true and int("²") raises; 30 digits are beyond what the database
    holds (SQLite: OverflowError), 5,000 beyond what int() reads: where a view guarded int()
    with isdigit(), each was a 500 (trainees.text.whole_number reads them now)."""
    paper = exam(world["a"])
    attacker.raise_request_exception = False  # a 500 is an answer here
    lecture, enrollment = world["lecture"].pk, world["enrollment_a"].pk
    answers = [
        attacker.post(
            f"/timetable/programs/CZ2023/roll-call/{lecture}/mark/{enrollment}/",
            {"status": "late", "minutes_late": number},
        ),
        attacker.get("/timetable/programs/CZ2023/activities/new/", {"copy": number}),
        attacker.get("/trainees/programs/CZ2023/roster/", {"unit": number}),
        attacker.post(
            f"/exams/programs/CZ2023/{paper.pk}/questions/", {"action": "pick", "question": number}
        ),
    ]

    trainee = Client(raise_request_exception=False)
    trainee.force_login(world["zhang"].user)
    answers.append(trainee.post("/timetable/check-in/", {"a": number, "code": "123456"}))

    # The tap without its minutes, the form without a copy, the roster unfiltered, the ticks
    # refused with a message, the check-in refused with one.
    assert [response.status_code for response in answers] == [302, 200, 200, 200, 200]
