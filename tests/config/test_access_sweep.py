"""The access-control sweep (issues 10 and 17): every URL of the project, asked by every role,
gives the answer its rule declares; and every place where a URL of one program takes an id,
given the id of another program's object, refuses it without revealing that object.

What it covers:

1. URL × role (RULES, test_access): every URL pattern with the ids in its PATH, asked by each
   role below. Other people's objects are 404; a refused request changes no row.
2. Foreign ids elsewhere (PROBES, test_foreign_id): P's organizer (or trainee A) sends an id of
   program Q's object in a FORM BODY (a group, an enrollment, a trainee's account, an
   activity, an exam to copy from, an answer, a unit to scope a report to …), in an UPLOADED
   FILE (a group number, a police ID), in a QUERY PARAMETER (?unit=, ?copy=, ?vs=, ?group=,
   ?a=, ?next= …) or in a second PATH id. Each probe is sent twice: with P's own id (the
   control: the view does read the field, and accepts it) and with Q's (refused: a 404, or a
   form error; no row changed; no name of Q's object in the answer or its messages; no
   redirect off the site).
3. A branch's leadership reads what is its own (FILTERED, test_branch_leader_reads_own_units):
   the leader of A's branch, who has trainees in P, reads the dashboards, the drill-downs and
   every .xlsx export without a trainee or a unit of another branch; ?unit= of another
   branch is a 404 (PROBES).
4. Choice lists (CHOICE_PAGES, test_choices_offer_nothing_of_another_program): the forms of P
   offer no object of Q (a ModelChoiceField whose queryset is not limited to the program
   shows it there first).

One world of objects serves every case (built once for the module, inside a transaction that
is rolled back at the end; each case runs in a savepoint of its own, so an allowed POST that
changes data changes it for that case only):

- program P (CZ2023), organized by `organizer`, with trainee A (group 1, 红梅派出所) and
  trainee B (group 2, 青龙派出所), both stations of 天宁分局, and trainee C (group 2, 湖塘派出所
  of 武进分局, no login). A owns the objects: the discussion record of group 1 (A is its
  recorder) and its idea, the forum talk, the essay and its version, the leave request, the
  exam attempts (one handed in and released, one under way) and the calendar feed. B sits in
  the same class: B's answer on A's things is the "other people's objects" check;
- program Q (ZK2023, 金坛…), organized by `other_organizer`, with 龚定俊 of 儒林派出所 (金坛分局):
  his group, activity, exam and attempt, essay (similar to A's) and a report delivery are
  the foreign objects of the probes. Every name of Q's objects holds "金坛", so that one
  look for "金坛", "儒林" and "龚定俊" finds any of them in an answer;
- `other_leader`: the leadership of 金坛分局, a branch with no trainee in P;
- `branch_leader`: the leadership of 天宁分局, A's and B's branch (not C's);
- `bureau_leader`: the leadership of the city bureau, 常州市公安局, under the province
  (江苏省公安厅, the root unit): P and Q are organized by it (Program.bureau), so it reads them
  and changes none (403 on a change);
- `city_leader`: the leadership of another city bureau under the province, 无锡市公安局, with no
  trainee in P: P's pages and dashboards are a 404 to it, as to another branch's;
- `organizer_no_code`: an organizer of P with two-factor sign-in (TOTP) on, who has given
  only the password: every page but the code page and signing out sends him to the code page.

The roles are the columns of RULES. One more column, "other organizer, own code", asks the
other organizer for P's objects through the URL of their own program Q (/programs/ZK2023/
…/<P's object>/): a view that finds the object without checking it belongs to the program in
the URL would answer 200 there. It applies to the URLs that name a program and an object.

A new URL fails test_every_url_has_a_rule until it is given a Rule here. The tables (URL ×
role, and the probes): .venv/bin/pytest tests/config/test_access_sweep.py -q -s -k print_table
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from completion.models import Certificate
from discussions.models import DiscussionRecord, EssayMatch, ForumTalk, Idea
from discussions.services import essays as essay_services
from exams.models import Exam, Question
from exams.services import attempts as attempts_services
from reports.models import ReportDelivery, ReportFile, ReportRecipient, ScoreReport
from sessions.models import Activity, Material, Venue
from sessions.services import leave as leave_services
from sessions.services import rollcall
from sessions.services import timetable as timetable_services
from tests import factories, rosters
from tests.exams.factories import exam, question
from tests.files import PDF
from tests.timetable.factories import activity
from trainees.models import Unit

# --- the URLs of the project --------------------------------------------------------------

# Left out of the sweep, and why:
# - the admin (namespace "admin"): Django's own, for staff accounts (is_staff), which none of
#   the roles here is; the admin checks its users itself;
# - "set_language": Django's language switch, open to everyone on purpose (the login page
#   has it); it reads and changes nothing but the visitor's language cookie.
# - static and media files: no URL pattern serves them (whitenoise serves /static/ before the
#   URLs; uploads are only sent by views that check who asks: timetable:material-download,
#   discussions:forum-slides), so there is nothing to skip.
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = ("set_language",)


def url_patterns(patterns=None, namespace=""):
    """{full name ("reports:report-log"): the route} of every URL pattern, recursively. A pattern
    without a name is listed under its route, so that it fails the sweep too."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if inner.split(":")[0] in SKIPPED_NAMESPACES:
                continue
            for name, route in url_patterns(entry.url_patterns, inner).items():
                found[name] = str(entry.pattern) + route
        elif isinstance(entry, URLPattern):
            route = str(entry.pattern)
            if entry.name is None:
                found[f"(unnamed) {namespace}:{route}"] = route
            else:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                if name not in SKIPPED_NAMES:
                    found[name] = route
    return found


# --- roles and expectations ----------------------------------------------------------------

NO_CODE = "organizer_no_code"  # an organizer of P, two-factor on, password given, no code
ROLES = (
    "anonymous",
    "trainee_a",
    "trainee_b",
    "other_organizer",
    "other_leader",
    "branch_leader",
    "bureau_leader",
    "city_leader",
    "organizer",
    NO_CODE,
)
CROSS = "other_organizer_own_code"  # the other organizer, P's objects under Q's code
COLUMNS = {
    "anonymous": "anonymous",
    "trainee_a": "trainee A (owner)",
    "trainee_b": "trainee B",
    "other_organizer": "organizer, other program",
    "other_leader": "leader, other branch",
    "branch_leader": "leader, A's branch",
    "bureau_leader": "city bureau leader",
    "city_leader": "leader, other city",
    "organizer": "organizer (control)",
    NO_CODE: "organizer, password only (2FA)",
    CROSS: "other organizer, own code",
}

LOGIN = "login"  # 302 to /accounts/login/?next=…
TO_CODE = "code"  # 302 to /accounts/two-factor/verify/?next=…
NOT_FOUND = 404
REDIRECTS = {LOGIN: "/accounts/login/?next=", TO_CODE: "/accounts/two-factor/verify/?next="}
STAFF_ROLES = (
    "other_organizer",
    "other_leader",
    "branch_leader",
    "bureau_leader",
    "city_leader",
    "organizer",
)


def expect(*presets, **statuses):
    """The expected answer of each role: anonymous visitors are sent to the login page, and
    the organizer who has not given his code to the code page, unless said otherwise; the
    leader of A's branch, and the leader of another city, get what the other branch's leader
    gets unless said otherwise (none of them reads P's pages). Later presets and keywords
    override earlier ones."""
    expected = {"anonymous": LOGIN, NO_CODE: TO_CODE}
    for preset in presets:
        expected.update(preset)
    expected.update(statuses)
    for role in ("branch_leader", "city_leader"):
        if role not in expected and "other_leader" in expected:
            expected[role] = expected["other_leader"]
    missing = set(ROLES) - set(expected)
    assert not missing, f"no expectation for {missing}"
    return expected


# program_for: the program's organizers and the city bureau's leadership read; everyone else,
# trainees of the program included, 404.
READ = {
    "trainee_a": 404,
    "trainee_b": 404,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 200,
    "organizer": 200,
}
# program_for(change=True): the leadership that reads gets 403.
CHANGE = {**READ, "bureau_leader": 403}
DONE = {"organizer": 302}  # the organizer's action goes through and redirects
# role_required(ORGANIZER): any organizer, every other role 403 (the question bank, the units).
ORGANIZERS = {
    "trainee_a": 403,
    "trainee_b": 403,
    "other_organizer": 200,
    "other_leader": 403,
    "bureau_leader": 403,
    "organizer": 200,
}
# role_required(TRAINEE): both trainees, every other role 403.
TRAINEES = {
    "trainee_a": 200,
    "trainee_b": 200,
    "other_organizer": 403,
    "other_leader": 403,
    "bureau_leader": 403,
    "organizer": 403,
}
# Everyone (the code page still comes first for the organizer who has not given his code).
EVERYONE = {role: 200 for role in ROLES if role != NO_CODE}


def signed_in(status):
    """The same answer for every signed-in role (but the organizer without his code)."""
    return {role: status for role in ROLES if role not in ("anonymous", NO_CODE)}


# Staff pages (two-factor sign-in): organizers and leadership; a trainee is sent home (302).
STAFF = {"trainee_a": 302, "trainee_b": 302, **dict.fromkeys(STAFF_ROLES, 200)}
# The trainee's own essay (own_enrollment): each trainee of the program, nobody else.
OWN_ESSAY = {
    "trainee_a": 200,
    "trainee_b": 200,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 404,
    "organizer": 404,
}
# A's exam attempt (own_attempt): A alone.
A_ONLY = {
    "trainee_a": 200,
    "trainee_b": 404,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 404,
    "organizer": 404,
}
# discussions.permissions.access_for: the program's trainees, organizers and leadership.
CLASS = {
    "trainee_a": 200,
    "trainee_b": 200,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 200,
    "organizer": 200,
}
# Group 1's record, A its recorder, not shared: B may not read it (404); who may read it and
# not change it gets 403.
RECORD_ORGANIZER = {
    "trainee_a": 403,
    "trainee_b": 404,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 403,
    "organizer": 302,
}
RECORD_WRITE = {**RECORD_ORGANIZER, "trainee_a": 302}
# The forum changed: the class and the leadership read it (403), the others 404.
FORUM_CHANGE = {
    "trainee_a": 403,
    "trainee_b": 403,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 403,
    "organizer": 200,
}
# discussions.permissions.essay_access: organizers and leadership read the essays; a
# trainee reaches only their own, through the editor.
ESSAYS = {
    "trainee_a": 404,
    "trainee_b": 404,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 200,
    "organizer": 200,
}
ESSAYS_CHANGE = {**ESSAYS, "bureau_leader": 403, "organizer": 302}
# The dashboards (trainees.permissions.dashboard_scope): organizers and leadership, within
# their scope (A's branch reads P, counting its own units); trainees 403.
DASHBOARD = {
    "trainee_a": 403,
    "trainee_b": 403,
    "other_organizer": 404,
    "other_leader": 404,
    "branch_leader": 200,
    "bureau_leader": 200,
    "organizer": 200,
}


# The API (api.gate): a token, never a session; without one, 401 for everyone signed in or not.
TOKEN_ONLY = {role: 401 for role in ROLES if role != NO_CODE}
# The API's reads (api.routers), by the arguments of their URL.
API_READS = {
    "api-root": lambda world, code: {},
    "program_list": lambda world, code: {},
    "trainee_list": lambda world, code: {},
    "trainee_record": lambda world, code: {"police_id": world.police_id_a},
    **{
        name: lambda world, code: {"code": code}
        for name in (
            "program_detail",
            "program_roster",
            "program_groups",
            "program_timetable",
            "program_attendance",
            "program_score_list",
            "program_essays",
            "program_completion",
        )
    },
}


@dataclass(frozen=True)
class Rule:
    """How to reach a URL and what each role gets.

    `args(world, code)` gives the URL's arguments, `code` being the program code to put in the
    URL (P's, or Q's for the "own code" column). `get` and `post` are the expected statuses per
    role of each method the view answers (None: the method is not tried; POST-only views are
    not asked GET, which is 405 for everyone). `data(world)` is the minimal POST body (empty by
    default). `cross` is the expectation of the "own code" column."""

    args: Callable = lambda world, code: {}
    get: dict | None = None
    post: dict | None = None
    data: Callable = lambda world: {}
    cross: int = NOT_FOUND
    to_login: bool = False  # an allowed 302 may lead to the login page (signing out)


def code_only(world, code):
    return {"code": code}


def program_object(attribute, key="pk"):
    """The arguments of a URL that names a program and one of its objects."""
    return lambda world, code: {"code": code, key: getattr(world, attribute)}


RULES = {
    # --- config: accounts and the home page ---
    "home": Rule(get=expect(signed_in(302))),
    "health": Rule(get=expect(EVERYONE)),
    # The load balancer's probe: no login (no broker here, so database and migrations only).
    "ready": Rule(get=expect(EVERYONE)),
    # Prometheus: the test client's address is 127.0.0.1, in the default METRICS_ALLOWED_IPS;
    # another address without the token gets 404 (tests/config/test_metrics.py).
    "metrics": Rule(get=expect(EVERYONE)),
    "favicon": Rule(get=expect(dict.fromkeys(ROLES, 301), organizer_no_code=TO_CODE)),
    # The score report and the dashboards moved from /exams/ to /reports/: a permanent
    # redirect for everyone signed in (the new address then checks who asks).
    "moved-dashboard": Rule(
        args=lambda world, code: {"rest": "dashboard/"},
        get=expect(signed_in(301)),
        post=expect(signed_in(308)),
    ),
    "moved-report": Rule(
        args=lambda world, code: {"rest": f"programs/{code}/report/"},
        get=expect(signed_in(301)),
        post=expect(signed_in(308)),
    ),
    "login": Rule(
        get=expect(signed_in(302), anonymous=200),  # signed in: sent home
        post=expect(signed_in(302), anonymous=200),  # empty form: shown again
    ),
    "logout": Rule(post=expect(signed_in(302), organizer_no_code=302), to_login=True),
    # Not before the second factor (issue 17, finding 5): the code page comes first.
    "password_change": Rule(
        get=expect(signed_in(200)),
        post=expect(signed_in(200)),  # empty form: shown again
    ),
    # Two-factor sign-in is for staff (organizers and leadership); a trainee is sent home.
    "two-factor-setup": Rule(get=expect(STAFF), post=expect(STAFF)),  # a wrong code: shown again
    # Verifying the signed-in staff member's own code; a trainee is sent home too.
    "two-factor-verify": Rule(
        get=expect(STAFF, organizer_no_code=200),
        post=expect(STAFF, organizer_no_code=200),  # no code: asked again
    ),
    # New recovery codes need a verified staff session; without one: to the setup page.
    "two-factor-codes": Rule(post=expect(signed_in(302))),
    # --- trainees: programs, roster, groups, units, personal data ---
    "trainees:program-list": Rule(
        get=expect(ORGANIZERS, other_leader=200, bureau_leader=200),
    ),
    "trainees:program-create": Rule(get=expect(ORGANIZERS), post=expect(ORGANIZERS)),
    "trainees:program-detail": Rule(code_only, get=expect(READ)),
    "trainees:program-update": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "trainees:roster": Rule(code_only, get=expect(READ)),
    "trainees:roster-export": Rule(code_only, get=expect(READ)),
    "trainees:roster-import": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "trainees:roster-slips": Rule(code_only, get=expect(CHANGE)),
    # The ticked trainees moved or withdrawn; an empty POST ticks none: refused, redirected.
    "trainees:roster-bulk": Rule(code_only, post=expect(CHANGE, DONE)),
    "trainees:enrollment-detail": Rule(program_object("enrollment_a"), get=expect(READ)),
    "trainees:enrollment-move": Rule(program_object("enrollment_a"), post=expect(CHANGE, DONE)),
    "trainees:enrollment-status": Rule(program_object("enrollment_a"), post=expect(CHANGE, DONE)),
    "trainees:trainee-password-reset": Rule(
        program_object("enrollment_a"), post=expect(CHANGE, DONE)
    ),
    # Erasing a trainee's personal data (A is active: refused with a message, redirected).
    "trainees:enrollment-erase": Rule(program_object("enrollment_a"), post=expect(CHANGE, DONE)),
    # Each trainee downloads their own data; the URL names no one.
    "trainees:my-data": Rule(get=expect(TRAINEES)),
    "trainees:group-list": Rule(code_only, get=expect(READ)),
    "trainees:groups-create": Rule(code_only, post=expect(CHANGE, DONE)),
    "trainees:groups-split": Rule(code_only, post=expect(CHANGE, DONE)),
    "trainees:groups-print": Rule(code_only, get=expect(READ)),
    # Every group on one page; an empty POST (no management form) is shown again.
    "trainees:groups-update": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "trainees:group-update": Rule(
        program_object("group_1", key="number"), get=expect(CHANGE), post=expect(CHANGE, DONE)
    ),
    # The units are the bureau's one tree: an organizer corrects a unit that holds no trainee
    # of programs of others (A's station: P's organizer only; the other is refused, 302).
    "trainees:unit-list": Rule(get=expect(ORGANIZERS)),
    "trainees:unit-update": Rule(
        lambda world, code: {"pk": world.station_a},
        get=expect(ORGANIZERS),
        post=expect(ORGANIZERS, other_organizer=302),
    ),
    # --- timetable (the sessions app): the week, the trainee's day, roll call, leave ---
    "timetable:my-day": Rule(get=expect(TRAINEES)),
    "timetable:my-timetable": Rule(code_only, get=expect(TRAINEES)),
    "timetable:my-feed-revoke": Rule(
        code_only, post=expect(TRAINEES, trainee_a=302, trainee_b=302)
    ),
    "timetable:week": Rule(code_only, get=expect(READ)),
    "timetable:week-print": Rule(code_only, get=expect(READ)),
    "timetable:activity-create": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "timetable:activity-update": Rule(
        program_object("lecture"), get=expect(CHANGE), post=expect(CHANGE)
    ),
    "timetable:activity-delete": Rule(program_object("lecture"), post=expect(CHANGE, DONE)),
    "timetable:activities-import": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "timetable:day-duplicate": Rule(code_only, post=expect(CHANGE, DONE)),
    "timetable:publish": Rule(code_only, post=expect(CHANGE, DONE)),
    "timetable:program-feed-revoke": Rule(code_only, post=expect(CHANGE, DONE)),
    # The materials page is the organizers' (trainees find the files in their timetable);
    # posting a file is a change.
    "timetable:materials": Rule(code_only, get=expect(READ), post=expect(CHANGE)),
    "timetable:material-download": Rule(
        program_object("material"), get=expect(READ, trainee_a=200, trainee_b=200)
    ),
    "timetable:material-delete": Rule(program_object("material"), post=expect(CHANGE, DONE)),
    # The feed's unguessable token is the key (calendar apps cannot sign in): whoever has the
    # address reads it, and its trainee can replace it (my-feed-revoke).
    "timetable:feed": Rule(lambda world, code: {"token": world.feed_token}, get=expect(EVERYONE)),
    "timetable:check-in": Rule(get=expect(TRAINEES), post=expect(TRAINEES)),
    "timetable:my-leave": Rule(get=expect(TRAINEES), post=expect(TRAINEES)),
    "timetable:rollcall-list": Rule(code_only, get=expect(READ)),
    "timetable:rollcall-sheet": Rule(program_object("lecture"), get=expect(READ)),
    "timetable:rollcall-mark": Rule(
        lambda world, code: {
            "code": code,
            "pk": world.lecture,
            "enrollment_pk": world.enrollment_a,
        },
        post=expect(CHANGE, DONE),
        data=lambda world: {"status": "present"},
    ),
    "timetable:rollcall-all-present": Rule(program_object("lecture"), post=expect(CHANGE, DONE)),
    "timetable:rollcall-screen": Rule(program_object("lecture"), get=expect(CHANGE)),
    "timetable:rollcall-paper": Rule(program_object("lecture"), get=expect(READ)),
    "timetable:leave-list": Rule(code_only, get=expect(READ)),
    "timetable:leave-decide": Rule(program_object("leave"), post=expect(CHANGE, DONE)),
    "timetable:discipline": Rule(code_only, get=expect(READ)),
    # --- discussions: records and ideas, the forum, essays ---
    "discussions:my-discussions": Rule(get=expect(TRAINEES, trainee_a=302, trainee_b=302)),
    "discussions:record-list": Rule(code_only, get=expect(CLASS)),
    "discussions:record-detail": Rule(
        lambda world, code: {"code": code, "activity": world.discussion, "group": 1},
        get=expect(CLASS, trainee_b=404),
        post=expect(RECORD_WRITE),  # an empty summary is saved
    ),
    "discussions:record-recorder": Rule(
        lambda world, code: {"code": code, "activity": world.discussion, "group": 1},
        post=expect(RECORD_ORGANIZER),
    ),
    "discussions:idea-add": Rule(
        lambda world, code: {"code": code, "activity": world.discussion, "group": 1},
        post=expect(RECORD_WRITE),
        data=lambda world: {"text": "警务前移，矛盾不上交"},
    ),
    "discussions:record-share": Rule(program_object("record"), post=expect(RECORD_ORGANIZER)),
    "discussions:idea-delete": Rule(program_object("idea"), post=expect(RECORD_WRITE)),
    "discussions:idea-star": Rule(program_object("idea"), post=expect(RECORD_ORGANIZER)),
    "discussions:idea-list": Rule(code_only, get=expect(ESSAYS)),
    "discussions:idea-export": Rule(code_only, get=expect(ESSAYS)),
    "discussions:forum": Rule(code_only, get=expect(CLASS)),
    "discussions:forum-add": Rule(code_only, get=expect(FORUM_CHANGE), post=expect(FORUM_CHANGE)),
    "discussions:forum-edit": Rule(
        program_object("talk"), get=expect(FORUM_CHANGE), post=expect(FORUM_CHANGE)
    ),
    "discussions:forum-delete": Rule(
        program_object("talk"), post=expect(FORUM_CHANGE, organizer=302)
    ),
    "discussions:forum-slides": Rule(program_object("talk"), get=expect(CLASS)),
    "discussions:my-essay": Rule(get=expect(TRAINEES, trainee_a=302, trainee_b=302)),
    "discussions:essay-edit": Rule(code_only, get=expect(OWN_ESSAY)),
    "discussions:essay-save": Rule(
        code_only,
        post=expect(OWN_ESSAY),
        data=lambda world: {"title": "心得", "body": "派出所是公安工作的根基。", "revision": "99"},
    ),
    "discussions:essay-submit": Rule(
        code_only, post=expect(OWN_ESSAY, trainee_a=302, trainee_b=302)
    ),
    "discussions:essay-restore": Rule(
        program_object("essay_revision"), post=expect(A_ONLY, trainee_a=302)
    ),
    "discussions:essay-list": Rule(code_only, get=expect(ESSAYS)),
    "discussions:essay-export": Rule(code_only, get=expect(ESSAYS)),
    "discussions:essay-reviewers": Rule(
        code_only,
        get=expect(ESSAYS, bureau_leader=404),
        post=expect(ESSAYS, bureau_leader=404),  # the empty form: shown again
    ),
    "discussions:essay-review": Rule(
        program_object("enrollment_a"),
        get=expect(ESSAYS),
        post=expect(ESSAYS, bureau_leader=403),  # the organizer's empty review: shown again
    ),
    "discussions:essay-return": Rule(program_object("enrollment_a"), post=expect(ESSAYS_CHANGE)),
    "discussions:essay-extend": Rule(program_object("enrollment_a"), post=expect(ESSAYS_CHANGE)),
    # --- exams: dashboards ---
    "reports:dashboard": Rule(get=expect(DASHBOARD, other_organizer=200, other_leader=200)),
    "reports:dashboard-program": Rule(lambda world, code: {"code": world.p}, get=expect(DASHBOARD)),
    # The other organizer's drill-down to a unit counts their own programs only: the page
    # answers, without a trainee of P (test_dashboard_unit_shows_no_one_of_another_program).
    "reports:dashboard-unit": Rule(
        lambda world, code: {"pk": world.station_a},
        get=expect(DASHBOARD, other_organizer=200),
    ),
    "reports:dashboard-trainee": Rule(
        lambda world, code: {"pk": world.trainee_a}, get=expect(DASHBOARD)
    ),
    # --- exams: the question bank, one for the bureau: every organizer ---
    "exams:bank": Rule(get=expect(ORGANIZERS)),
    "exams:bank-import": Rule(get=expect(ORGANIZERS), post=expect(ORGANIZERS)),
    "exams:bank-export": Rule(get=expect(ORGANIZERS)),
    "exams:question-create": Rule(get=expect(ORGANIZERS), post=expect(ORGANIZERS)),
    "exams:question-update": Rule(
        lambda world, code: {"pk": world.question_single},
        get=expect(ORGANIZERS),
        post=expect(ORGANIZERS),
    ),
    # --- exams: a program's exams, results and score report ---
    "exams:exam-list": Rule(code_only, get=expect(READ)),
    "exams:exam-create": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "exams:program-gains": Rule(code_only, get=expect(READ)),
    "reports:report": Rule(code_only, get=expect(READ)),
    "reports:report-xlsx": Rule(code_only, get=expect(READ)),
    "reports:report-pdf": Rule(code_only, get=expect(READ)),
    "reports:report-recipients": Rule(code_only, get=expect(READ), post=expect(CHANGE)),
    "reports:report-recipients-default": Rule(code_only, post=expect(CHANGE, DONE)),
    "reports:report-recipient-delete": Rule(program_object("recipient"), post=expect(CHANGE, DONE)),
    "reports:report-publish": Rule(  # the confirmation page; publishing as provisional
        code_only,
        get=expect(CHANGE),
        post=expect(CHANGE, DONE),
        data=lambda w: {"provisional": "on"},
    ),
    "reports:report-log": Rule(program_object("report_number", key="number"), get=expect(READ)),
    "reports:report-resend": Rule(
        program_object("report_number", key="number"), post=expect(CHANGE, DONE)
    ),
    "reports:report-file": Rule(
        lambda world, code: {
            "code": code,
            "number": world.report_number,
            "pk": world.report_file,
            "kind": "pdf",
        },
        get=expect(READ),
    ),
    "exams:exam-detail": Rule(program_object("entry_exam"), get=expect(READ)),
    "exams:exam-update": Rule(
        program_object("entry_exam"), get=expect(CHANGE), post=expect(CHANGE)
    ),
    "exams:exam-questions": Rule(
        program_object("graduation_exam"), get=expect(CHANGE), post=expect(CHANGE, DONE)
    ),
    "exams:exam-release": Rule(program_object("entry_exam"), post=expect(CHANGE, DONE)),
    "exams:exam-grading": Rule(
        lambda world, code: {
            "code": code,
            "pk": world.entry_exam,
            "question_pk": world.question_short,
        },
        get=expect(CHANGE),
        post=expect(CHANGE, DONE),
    ),
    "exams:paper-scores": Rule(
        program_object("paper_exam"), get=expect(CHANGE), post=expect(CHANGE, DONE)
    ),
    "exams:paper-import": Rule(
        program_object("paper_exam"), get=expect(CHANGE), post=expect(CHANGE)
    ),
    "exams:exam-results": Rule(program_object("entry_exam"), get=expect(READ)),
    # --- exams: the trainee's side; A's attempts are A's alone ---
    "exams:my-exams": Rule(get=expect(TRAINEES)),
    "exams:exam-start": Rule(
        lambda world, code: {"pk": world.graduation_exam},
        post=expect(TRAINEES, trainee_a=302, trainee_b=302),  # B starts B's own attempt
    ),
    "exams:attempt": Rule(lambda world, code: {"pk": world.open_attempt}, get=expect(A_ONLY)),
    "exams:answer-save": Rule(
        lambda world, code: {"pk": world.open_attempt},
        post=expect(A_ONLY),
        data=lambda world: {
            "question": world.question_single,
            "revision": "1",
            "choice": world.choice_right,
        },
    ),
    "exams:attempt-submit": Rule(
        lambda world, code: {"pk": world.open_attempt}, post=expect(A_ONLY, trainee_a=302)
    ),
    "exams:attempt-result": Rule(
        lambda world, code: {"pk": world.done_attempt}, get=expect(A_ONLY)
    ),
    # --- completion: certificates (A's); the verification page is public, by token ---
    "completion:certificate-pdf": Rule(program_object("certificate"), get=expect(CHANGE)),
    "completion:certificates-pdf": Rule(code_only, get=expect(CHANGE)),
    "completion:my-certificate-pdf": Rule(
        lambda world, code: {"pk": world.certificate}, get=expect(TRAINEES, trainee_b=404)
    ),
    "completion:verify": Rule(
        lambda world, code: {"token": world.certificate_token}, get=expect(EVERYONE)
    ),
    # --- completion: the learning file (trainees.permissions.trainee_programs) ---
    "completion:my-file": Rule(get=expect(TRAINEES)),
    "completion:my-file-pdf": Rule(get=expect(TRAINEES)),
    # A's file: A, the organizers of A's programs, the leadership of A's unit.
    "completion:trainee-file": Rule(
        lambda world, code: {"pk": world.trainee_a},
        get=expect(DASHBOARD, trainee_a=200, trainee_b=404),
    ),
    "completion:trainee-file-pdf": Rule(
        lambda world, code: {"pk": world.trainee_a},
        get=expect(DASHBOARD, trainee_a=200, trainee_b=404),
    ),
    # A unit's files, as its drill-down page: the other organizer's holds no one of P.
    "completion:unit-file-xlsx": Rule(
        lambda world, code: {"pk": world.station_a}, get=expect(DASHBOARD, other_organizer=200)
    ),
    # --- completion: the close (结业); the trainee named in the POST body is the program's ---
    "completion:closing": Rule(code_only, get=expect(READ)),
    "completion:closing-rules": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    "completion:closing-exception": Rule(
        code_only,
        post=expect(CHANGE, DONE),
        data=lambda world: {"enrollment": world.enrollment_a, "reason": "因公出差"},
    ),
    "completion:closing-close": Rule(
        code_only, post=expect(CHANGE, DONE), data=lambda world: {"confirm": "on"}
    ),
    "completion:certificate-revoke": Rule(
        code_only,
        post=expect(CHANGE, DONE),
        data=lambda world: {"enrollment": world.enrollment_a, "reason": "违纪"},
    ),
    # --- completion: the course evaluation (评教) ---
    "completion:evaluation-waiting": Rule(get=expect(TRAINEES)),
    # The world's lecture is not evaluable (attended by no one, and maybe not over): each
    # trainee of the class is sent back to their list with the reason; an empty form too.
    "completion:evaluation-answer": Rule(
        lambda world, code: {"pk": world.lecture},
        get=expect(TRAINEES, trainee_a=302, trainee_b=302),
        post=expect(TRAINEES, trainee_a=302, trainee_b=302),
    ),
    "completion:evaluation-results": Rule(code_only, get=expect(READ)),
    "completion:evaluation-export": Rule(code_only, get=expect(READ)),
    "completion:evaluation-activity": Rule(program_object("lecture"), get=expect(READ)),
    # The items until the first answer; the empty form is shown again.
    "completion:evaluation-items": Rule(code_only, get=expect(CHANGE), post=expect(CHANGE)),
    # 师资: the speakers of the programs the user reads (none for a branch's leadership).
    "completion:speaker-list": Rule(get=expect(ORGANIZERS, other_leader=200, bureau_leader=200)),
    "completion:speaker-export": Rule(get=expect(ORGANIZERS, other_leader=200, bureau_leader=200)),
    # --- api: a token, never a session (api.gate): every signed-in role and anonymous get 401
    # (tests/api tests the tokens); the schema and its docs page are public. The organizer
    # owing his code is sent to the code page first, as everywhere (SignInStepsMiddleware).
    **{f"api:{name}": Rule(args, get=expect(TOKEN_ONLY)) for name, args in API_READS.items()},
    "api:roster_upload": Rule(code_only, post=expect(TOKEN_ONLY)),
    "api:openapi-json": Rule(get=expect(EVERYONE, anonymous=200)),
    "api:openapi-view": Rule(get=expect(EVERYONE, anonymous=200)),
}

# Holes found by the sweep, left for their own fix: {(url name, method, role): why}. Each is a
# strict xfail, so the sweep turns red once the hole is closed and the entry must go.
KNOWN_HOLES = {}


# --- foreign ids in bodies, files and queries ---------------------------------------------

PATH, BODY, FILE, QUERY = "path", "body", "file", "query"
# The names of Q's objects (build_program_q): none may show to P's organizer or trainees.
FOREIGN_TEXT = ("金坛", "儒林", "龚定俊")
OFF_SITE = "https://evil.example/"
# What must not show to A's branch: the trainee, the station and the branch of another branch.
OTHER_BRANCH_TEXT = ("周涛", "湖塘", "武进")


@dataclass(frozen=True)
class Probe:
    """An id of program Q's object sent where a URL of program P takes one.

    `request(world, value)` gives what to send with a value: {"args": the URL's arguments,
    "query": …, "data": the body, "upload": (file name, bytes) as the form's `file`}. It is
    sent twice, as `role`: with `own(world)`, P's object (the control: `allowed`, and taken:
    a POST changes a row, a file is kept for confirmation, a ?next= is followed), and with
    `foreign(world)` (`refused`; not taken; the answer and its messages hold none of
    `hidden`). No answer redirects off the site."""

    name: str
    where: str  # PATH, BODY, FILE or QUERY: where the id travels
    field: str  # the parameter, form field or file column that carries it
    what: str  # the foreign object, in words
    request: Callable
    foreign: Callable
    own: Callable | None = None  # None: no control (it would mail, or changes nothing)
    refused: int = NOT_FOUND
    allowed: int = 302
    role: str = "organizer"
    method: str = "POST"
    hidden: tuple = FOREIGN_TEXT

    @property
    def id(self):
        return f"{self.name}-{self.where}-{self.field}-{self.role}"


def of(attribute):
    """The world's attribute, as a Probe's `own` or `foreign`."""
    return lambda world: getattr(world, attribute)


def of_p(world, **ids):
    """The arguments of a URL of program P."""
    return {"code": world.p, **ids}


def no_args(world):
    return {}


def first_day():
    """P's first day (the world's P runs from yesterday to tomorrow)."""
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def csv_file(name, header, row):
    return name, rosters.csv_bytes([row], header=header)


def check_in_code(activity_pk):
    return rollcall.current_code(Activity.objects.get(pk=activity_pk))[0]


def totp_now(world):
    """The code the organizer's authenticator app shows now."""
    device = TOTPDevice.objects.get(user=world.users[NO_CODE])
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()


def activity_data(value):
    """A valid activity form on P's first day, its group `value`."""
    return {
        "kind": Activity.Kind.LECTURE,
        "title": "试讲",
        "day": first_day(),
        "start": "14:00",
        "end": "15:00",
        "group": value,
    }


# A table: each probe a paragraph, its URL, where the id travels and what it is on one line.
# fmt: off
PROBES = [
    # --- trainees ---
    Probe(
        "trainees:enrollment-move", BODY, "group", "Q's group",
        lambda w, v: {"args": of_p(w, pk=w.enrollment_a), "data": {"group": v}},
        own=of("group_2_pk"), foreign=of("q_group"), refused=302,
    ),
    Probe(
        "trainees:enrollment-move", BODY, "next", "an address off the site",
        lambda w, v: {
            "args": of_p(w, pk=w.enrollment_a),
            "data": {"group": w.group_1_pk, "next": v},
        },
        own=lambda w: f"/trainees/programs/{w.p}/roster/", foreign=lambda w: OFF_SITE,
        refused=302,
    ),
    Probe(
        "trainees:roster", QUERY, "unit", "the station of Q's trainee",
        lambda w, v: {"args": of_p(w), "query": {"unit": v}},
        own=of("station_a"), foreign=of("rulin"), refused=200, allowed=200, method="GET",
    ),
    Probe(
        "trainees:roster", QUERY, "group", "Q's group number",
        lambda w, v: {"args": of_p(w), "query": {"group": v}},
        own=lambda w: "1", foreign=of("q_group_number"), refused=200, allowed=200,
        method="GET",
    ),
    Probe(
        "trainees:roster-bulk", BODY, "enrollments", "Q's trainee",
        lambda w, v: {
            "args": of_p(w),
            "data": {"enrollments": v, "action": "move", "group": w.group_1_pk},
        },
        own=of("enrollment_b"), foreign=of("q_enrollment"), refused=302,
    ),
    Probe(
        "trainees:roster-bulk", BODY, "group", "Q's group",
        lambda w, v: {
            "args": of_p(w),
            "data": {"enrollments": w.enrollment_b, "action": "move", "group": v},
        },
        own=of("group_1_pk"), foreign=of("q_group"), refused=302,
    ),
    Probe(
        "trainees:groups-update", BODY, "groups-0-id", "Q's group",
        lambda w, v: {
            "args": of_p(w),
            "data": {
                "groups-TOTAL_FORMS": "1",
                "groups-INITIAL_FORMS": "1",
                "groups-0-id": v,
                "groups-0-name": "社区警务组",
            },
        },
        own=of("group_1_pk"), foreign=of("q_group"), refused=200,
    ),
    # --- timetable, roll call ---
    Probe(
        "timetable:activity-create", BODY, "group", "Q's group",
        lambda w, v: {"args": of_p(w), "data": activity_data(v)},
        own=of("group_2_pk"), foreign=of("q_group"), refused=200,
    ),
    Probe(
        "timetable:activity-update", BODY, "group", "Q's group",
        lambda w, v: {"args": of_p(w, pk=w.lecture), "data": activity_data(v)},
        own=of("group_2_pk"), foreign=of("q_group"), refused=200,
    ),
    Probe(
        "timetable:activity-create", BODY, "venue", "Q's venue",
        lambda w, v: {"args": of_p(w), "data": {**activity_data(""), "venue": v}},
        own=of("p_venue"), foreign=of("q_venue"), refused=200,
    ),
    Probe(
        "timetable:activity-create", QUERY, "copy", "Q's activity",
        lambda w, v: {"args": of_p(w), "query": {"copy": v}},
        own=of("lecture"), foreign=of("q_activity"), allowed=200, method="GET",
    ),
    Probe(
        "timetable:materials", BODY, "activity", "Q's activity",
        lambda w, v: {
            "args": of_p(w),
            "data": {"title": "讲义二", "activity": v},
            "upload": ("讲义二.pdf", PDF),
        },
        own=of("lecture"), foreign=of("q_activity"), refused=200,
    ),
    Probe(
        "timetable:activities-import", FILE, "分组", "Q's group number",
        lambda w, v: {
            "args": of_p(w),
            "upload": csv_file(
                "日程.csv",
                ["日期", "开始", "结束", "类型", "题目", "分组"],
                [first_day(), "14:00", "15:00", "专题辅导", "试讲", v],
            ),
        },
        own=lambda w: "1", foreign=of("q_group_number"), refused=200, allowed=200,
    ),
    Probe(
        "timetable:my-timetable", PATH, "code", "Q's code (A is not in Q)",
        lambda w, v: {"args": {"code": v}},
        own=of("p"), foreign=of("q"), allowed=200, role="trainee_a", method="GET",
    ),
    Probe(
        "timetable:rollcall-mark", PATH, "enrollment_pk", "Q's trainee",
        lambda w, v: {
            "args": of_p(w, pk=w.lecture, enrollment_pk=v),
            "data": {"status": "present"},
        },
        own=of("enrollment_a"), foreign=of("q_enrollment"),
    ),
    Probe(
        "timetable:leave-decide", PATH, "pk", "the leave request of Q's trainee",
        lambda w, v: {"args": of_p(w, pk=v), "data": {"decision": "approve"}},
        own=of("leave"), foreign=of("q_leave"),
    ),
    # A's own check-in, with the code on the screen of Q's activity under way.
    Probe(
        "timetable:check-in", BODY, "a", "Q's activity and its code now",
        lambda w, v: {"data": {"a": v, "code": check_in_code(v)}},
        own=of("now_on"), foreign=of("q_activity"), refused=200, role="trainee_a",
    ),
    Probe(
        "timetable:check-in", QUERY, "a", "Q's activity",
        lambda w, v: {"query": {"a": v}},
        own=of("now_on"), foreign=of("q_activity"), refused=200, allowed=200,
        role="trainee_a", method="GET",
    ),
    # --- discussions ---
    Probe(
        "discussions:essay-edit", PATH, "code", "Q's code (A is not in Q)",
        lambda w, v: {"args": {"code": v}},
        own=of("p"), foreign=of("q"), allowed=200, role="trainee_a", method="GET",
    ),
    Probe(
        "discussions:essay-restore", PATH, "pk", "a version of Q's trainee's essay",
        lambda w, v: {"args": of_p(w, pk=v)},
        own=of("essay_revision"), foreign=of("q_essay_revision"), role="trainee_a",
    ),
    Probe(
        "discussions:record-recorder", BODY, "recorder", "the account of Q's trainee",
        lambda w, v: {
            "args": of_p(w, activity=w.discussion, group=w.group_1),
            "data": {"recorder": v},
        },
        own=lambda w: "", foreign=of("q_user"), refused=302,
    ),
    Probe(
        "discussions:idea-add", BODY, "author", "Q's trainee",
        lambda w, v: {
            "args": of_p(w, activity=w.discussion, group=w.group_1),
            "data": {"text": "矛盾不上交", "author": v},
        },
        own=of("enrollment_b"), foreign=of("q_enrollment"), refused=400,
    ),
    Probe(
        "discussions:idea-star", BODY, "next", "an address off the site",
        lambda w, v: {"args": of_p(w, pk=w.idea), "data": {"starred": "0", "next": v}},
        own=lambda w: f"/discussions/programs/{w.p}/ideas/", foreign=lambda w: OFF_SITE,
        refused=302,
    ),
    Probe(
        "discussions:forum-add", BODY, "presenter", "Q's trainee",
        lambda w, v: {
            "args": of_p(w),
            "data": {"presenter": v, "title": "警务前移", "order": "2"},
        },
        own=of("enrollment_b"), foreign=of("q_enrollment"), refused=200,
    ),
    Probe(
        "discussions:forum-edit", BODY, "presenter", "Q's trainee",
        lambda w, v: {
            "args": of_p(w, pk=w.talk),
            "data": {"presenter": v, "title": "枫桥经验新解", "order": "1"},
        },
        own=of("enrollment_a"), foreign=of("q_enrollment"), refused=200,
    ),
    Probe(
        "discussions:essay-review", QUERY, "vs", "Q's essay, similar to A's",
        lambda w, v: {"args": of_p(w, pk=w.enrollment_a), "query": {"vs": v}},
        foreign=of("q_essay"), refused=200, method="GET",
    ),
    Probe(
        "discussions:essay-list", QUERY, "group", "Q's group number",
        lambda w, v: {"args": of_p(w), "query": {"group": v}},
        own=lambda w: "1", foreign=of("q_group_number"), refused=200, allowed=200,
        method="GET",
    ),
    Probe(
        "discussions:essay-reviewers", BODY, "reviewers", "the account of Q's trainee",
        lambda w, v: {"args": of_p(w), "data": {"reviewers": v}},
        own=of("other_organizer"), foreign=of("q_user"), refused=200,
    ),
    # --- exams ---
    Probe(
        "exams:exam-questions", BODY, "source", "Q's exam, to copy its questions",
        lambda w, v: {"args": of_p(w, pk=w.paper_exam), "data": {"action": "copy", "source": v}},
        own=of("entry_exam"), foreign=of("q_exam"),
    ),
    Probe(
        "exams:exam-grading", PATH, "question_pk", "a question of Q's exam",
        lambda w, v: {"args": of_p(w, pk=w.entry_exam, question_pk=v)},
        own=of("question_short"), foreign=of("q_question_short"), allowed=200, method="GET",
    ),
    Probe(
        "exams:exam-grading", BODY, "points_<answer>", "the answer of Q's trainee",
        lambda w, v: {
            "args": of_p(w, pk=w.entry_exam, question_pk=w.question_short),
            "data": {f"points_{v}": "2", f"was_points_{v}": ""},
        },
        own=of("short_answer_a"), foreign=of("q_short_answer"), refused=302,
    ),
    Probe(
        "exams:paper-scores", BODY, "score_<enrollment>", "Q's trainee",
        lambda w, v: {
            "args": of_p(w, pk=w.paper_exam),
            "data": {f"score_{v}": "80", f"was_score_{v}": ""},
        },
        own=of("enrollment_a"), foreign=of("q_enrollment"), refused=302,
    ),
    Probe(
        "trainees:roster-import", FILE, "警号", "the police ID of Q's trainee, another name",
        lambda w, v: {
            "args": of_p(w),
            "upload": csv_file(
                "名册.csv", ["姓名", "警号", "单位"], ["张三", v, "天宁分局新丰街派出所"]
            ),
        },
        own=lambda w: "330001", foreign=of("q_police_id"), refused=200, allowed=200,
    ),
    Probe(
        "exams:paper-import", FILE, "警号", "the police ID of Q's trainee",
        lambda w, v: {
            "args": of_p(w, pk=w.paper_exam),
            "upload": csv_file("成绩.csv", ["警号", "成绩"], [v, "80"]),
        },
        own=of("police_id_a"), foreign=of("q_police_id"), refused=200, allowed=200,
    ),
    Probe(
        "exams:exam-start", PATH, "pk", "Q's exam",
        lambda w, v: {"args": {"pk": v}},
        foreign=of("q_exam"), role="trainee_a",
    ),
    Probe(
        "exams:answer-save", BODY, "question, choice", "a question and option of Q's exam",
        lambda w, v: {
            "args": {"pk": w.open_attempt},
            "data": {"question": v[0], "revision": "5", "choice": v[1]},
        },
        own=lambda w: (w.question_single, w.choice_right),
        foreign=lambda w: (w.q_question, w.q_choice),
        refused=200, allowed=200, role="trainee_a",
    ),
    # --- reports: the score report and the dashboards ---
    Probe(
        "reports:report", QUERY, "unit", "a branch with no trainee in P",
        lambda w, v: {"args": of_p(w), "query": {"unit": v}},
        own=of("tianning"), foreign=of("jintan"), allowed=200, method="GET",
    ),
    Probe(
        "reports:report-xlsx", QUERY, "unit", "a branch with no trainee in P",
        lambda w, v: {"args": of_p(w), "query": {"unit": v}},
        own=of("tianning"), foreign=of("jintan"), allowed=200, method="GET",
    ),
    Probe(
        "reports:report-pdf", QUERY, "unit", "a branch with no trainee in P",
        lambda w, v: {"args": of_p(w), "query": {"unit": v}},
        own=of("tianning"), foreign=of("jintan"), allowed=200, method="GET",
    ),
    Probe(
        "reports:report-recipients", BODY, "scope_unit", "a branch with no trainee in P",
        lambda w, v: {
            "args": of_p(w),
            "data": {"name": "分局政治处", "email": "zzc@czga.test", "scope_unit": v},
        },
        own=of("tianning"), foreign=of("jintan"), refused=200,
    ),
    Probe(
        "reports:report-resend", BODY, "delivery", "a delivery of Q's report",
        lambda w, v: {"args": of_p(w, number=w.report_number), "data": {"delivery": v}},
        foreign=of("q_delivery"),
    ),
    Probe(
        "reports:dashboard-program", QUERY, "unit", "a branch with no trainee in P",
        lambda w, v: {"args": of_p(w), "query": {"unit": v}},
        own=of("tianning"), foreign=of("jintan"), allowed=200, method="GET",
    ),
    Probe(
        "reports:dashboard-trainee", PATH, "pk", "Q's trainee",
        lambda w, v: {"args": {"pk": v}},
        own=of("trainee_a"), foreign=of("q_trainee"), allowed=200, method="GET",
    ),
    # The units are the bureau's (every organizer reads their names): his trainee is Q's.
    Probe(
        "reports:dashboard-unit", PATH, "pk", "the station of Q's trainee",
        lambda w, v: {"args": {"pk": v}},
        own=of("station_a"), foreign=of("rulin"), refused=200, allowed=200, method="GET",
        hidden=("龚定俊",),
    ),
    # A branch's leadership, and another branch's units and trainees.
    Probe(
        "reports:dashboard", QUERY, "unit", "another branch",
        lambda w, v: {"query": {"unit": v}},
        own=of("tianning"), foreign=of("wujin"), allowed=200, role="branch_leader",
        method="GET", hidden=OTHER_BRANCH_TEXT,
    ),
    Probe(
        "reports:dashboard-program", QUERY, "unit", "another branch",
        lambda w, v: {"args": of_p(w), "query": {"unit": v}},
        own=of("station_a"), foreign=of("wujin"), allowed=200, role="branch_leader",
        method="GET", hidden=OTHER_BRANCH_TEXT,
    ),
    Probe(
        "reports:dashboard-unit", PATH, "pk", "another branch",
        lambda w, v: {"args": {"pk": v}},
        own=of("tianning"), foreign=of("wujin"), allowed=200, role="branch_leader",
        method="GET", hidden=OTHER_BRANCH_TEXT,
    ),
    Probe(
        "reports:dashboard-trainee", PATH, "pk", "a trainee of P in another branch",
        lambda w, v: {"args": {"pk": v}},
        own=of("trainee_a"), foreign=of("trainee_c"), allowed=200, role="branch_leader",
        method="GET", hidden=OTHER_BRANCH_TEXT,
    ),
    # The learning file: Q's trainee and his station; a trainee and a unit of another branch.
    *[
        Probe(
            name, PATH, "pk", "Q's trainee",
            lambda w, v: {"args": {"pk": v}},
            own=of("trainee_a"), foreign=of("q_trainee"), allowed=200, method="GET",
        )
        for name in ("completion:trainee-file", "completion:trainee-file-pdf")
    ],
    # The units are the bureau's: the file of Q's trainee's station holds none of Q's rows.
    Probe(
        "completion:unit-file-xlsx", PATH, "pk", "the station of Q's trainee",
        lambda w, v: {"args": {"pk": v}},
        own=of("station_a"), foreign=of("rulin"), refused=200, allowed=200, method="GET",
        hidden=("龚定俊",),
    ),
    Probe(
        "completion:trainee-file", PATH, "pk", "a trainee of P in another branch",
        lambda w, v: {"args": {"pk": v}},
        own=of("trainee_a"), foreign=of("trainee_c"), allowed=200, role="branch_leader",
        method="GET", hidden=OTHER_BRANCH_TEXT,
    ),
    Probe(
        "completion:unit-file-xlsx", PATH, "pk", "another branch",
        lambda w, v: {"args": {"pk": v}},
        own=of("tianning"), foreign=of("wujin"), allowed=200, role="branch_leader",
        method="GET", hidden=OTHER_BRANCH_TEXT,
    ),
    # --- completion: the close names a trainee in its body ---
    Probe(
        "completion:closing-exception", BODY, "enrollment", "Q's trainee",
        lambda w, v: {"args": of_p(w), "data": {"enrollment": v, "reason": "因公出差"}},
        own=of("enrollment_a"), foreign=of("q_enrollment"),
    ),
    Probe(
        "completion:certificate-revoke", BODY, "enrollment", "Q's trainee",
        lambda w, v: {"args": of_p(w), "data": {"enrollment": v, "reason": "违纪"}},
        own=of("enrollment_a"), foreign=of("q_enrollment"),
    ),
    # --- signing in: where to go next ---
    Probe(
        "login", QUERY, "next", "an address off the site",
        lambda w, v: {"query": {"next": v}},
        own=lambda w: "/trainees/programs/", foreign=lambda w: OFF_SITE, refused=302,
        method="GET",
    ),
    Probe(
        "two-factor-verify", QUERY, "next", "an address off the site",
        lambda w, v: {"query": {"next": v}, "data": {"token": totp_now(w)}},
        own=lambda w: "/trainees/programs/", foreign=lambda w: OFF_SITE, refused=302,
        role=NO_CODE,
    ),
]
# fmt: on

# Probes that find a hole, left for their own fix: {probe id: why}, strict xfails as above.
FOREIGN_HOLES = {}


# --- the world -----------------------------------------------------------------------------


def build_world():
    """The objects every case uses; returns the users by role and the ids of the objects."""
    now = timezone.now()
    today = timezone.localdate()
    province = factories.unit("江苏省公安厅", kind=Unit.Kind.PROVINCE)
    bureau = factories.unit("常州市公安局", parent=province, kind=Unit.Kind.BUREAU)
    wuxi = factories.unit("无锡市公安局", parent=province, kind=Unit.Kind.BUREAU)
    tianning = factories.unit("常州市公安局天宁分局", parent=bureau, kind=Unit.Kind.BRANCH)
    jintan = factories.unit("常州市公安局金坛分局", parent=bureau, kind=Unit.Kind.BRANCH)
    station_a = factories.unit("红梅派出所", parent=tianning)
    station_b = factories.unit("青龙派出所", parent=tianning)
    rulin = factories.unit("儒林派出所", parent=jintan)

    wujin = factories.unit("常州市公安局武进分局", parent=bureau, kind=Unit.Kind.BRANCH)
    station_c = factories.unit("湖塘派出所", parent=wujin)

    organizer = factories.user("organizer", username="organizer")
    other_organizer = factories.user("organizer", username="organizer2")
    no_code = factories.user("organizer", username="organizer3")
    TOTPDevice.objects.create(user=no_code, name="phone", confirmed=True)
    a = factories.trainee("320401", name="张伟", unit=station_a)
    b = factories.trainee("320402", name="李娜", unit=station_b)
    c = factories.trainee("320403", name="周涛", unit=station_c, with_login=False)
    users = {
        "trainee_a": a.user,
        "trainee_b": b.user,
        "other_organizer": other_organizer,
        "other_leader": factories.user("leadership", username="jintan", unit=jintan),
        "branch_leader": factories.user("leadership", username="tianning", unit=tianning),
        "bureau_leader": factories.user("leadership", username="leader", unit=bureau),
        "city_leader": factories.user("leadership", username="wuxi", unit=wuxi),
        "organizer": organizer,
        NO_CODE: no_code,
        CROSS: other_organizer,
    }

    p = factories.program(
        organizers=[organizer, no_code],
        code="CZ2023",
        bureau=bureau,
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        essay_deadline=now + timedelta(days=2),
    )
    group_1, group_2 = factories.group(p, 1), factories.group(p, 2)
    enrollment_a = factories.enrollment(p, a, group=group_1)
    enrollment_b = factories.enrollment(p, b, group=group_2)
    factories.enrollment(p, c, group=group_2)

    # The timetable, roll call, leave, materials, calendar feeds
    lecture = activity(p, day=today, start="08:30", end="10:00", title="专题辅导")
    # Under way now, so that A may check in to it (the control of the check-in probe).
    now_on = Activity.objects.create(
        program=p,
        kind=Activity.Kind.LECTURE,
        title="警情研判",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
    )
    discussion = activity(
        p,
        day=today,
        start="19:00",
        end="20:30",
        kind=Activity.Kind.DISCUSSION,
        group=group_1,
        title="分组讨论",
    )
    leave = leave_services.leave_request(
        enrollment=enrollment_a,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="就医",
    )
    material = Material(program=p, title="讲义")
    material.file.save("讲义.pdf", ContentFile(PDF))
    feed = timetable_services.calendar_feed_for(program=p, enrollment=enrollment_a)
    timetable_services.calendar_feed_for(program=p, enrollment=enrollment_b)
    timetable_services.calendar_feed_for(program=p)

    # Discussions: group 1's record (A writes it) and its idea, the forum, A's essay
    record = DiscussionRecord.objects.create(
        activity=discussion, group=group_1, recorder=a.user, summary="社区警务"
    )
    idea = Idea.objects.create(record=record, author=enrollment_a, text="警务前移")
    talk = ForumTalk.objects.create(program=p, presenter=enrollment_a, order=1, title="枫桥经验")
    talk.slides.save("课件.pdf", ContentFile(PDF))
    essay = essay_services.essay_for(enrollment=enrollment_a)
    essay_services.essay_save(
        essay=essay, title="心得", body="所长既是指挥员又是战斗员。", revision=1, base=0
    )

    # Exams: the entry exam handed in and released, the graduation exam under way, a paper
    # exam; a published score report
    single = question()
    short = question(kind=Question.Kind.SHORT_ANSWER)
    entry = exam(p, [single, short], kind=Exam.Kind.ENTRY)
    done = attempts_services.attempt_start(exam=entry, enrollment=enrollment_a)
    attempts_services.attempt_submit(attempt=done)
    Exam.objects.filter(pk=entry.pk).update(released_at=now)
    graduation = exam(p, [single], kind=Exam.Kind.GRADUATION, title="结业考试")
    under_way = attempts_services.attempt_start(exam=graduation, enrollment=enrollment_a)
    paper = exam(p, kind=Exam.Kind.OTHER, mode=Exam.Mode.PAPER, title="笔试")
    recipient = ReportRecipient.objects.create(program=p, name="市局政治部", email="zzb@czga.test")
    report = ScoreReport.objects.create(
        program=p, number=1, title="成绩通报", created_by=organizer, fingerprint="0"
    )
    report_file = ReportFile.objects.create(
        report=report, title="成绩通报", rows=2, xlsx=b"PK", pdf=PDF
    )
    certificate = Certificate.objects.create(
        enrollment=enrollment_a, serial="CZ2023-0001", hours=12, issued_at=now
    )

    foreign = build_program_q(other_organizer, rulin, essay)
    return SimpleNamespace(
        users=users,
        p=p.code,
        station_a=station_a.pk,
        tianning=tianning.pk,
        jintan=jintan.pk,
        rulin=rulin.pk,
        wujin=wujin.pk,
        trainee_a=a.pk,
        trainee_c=c.pk,
        police_id_a=a.police_id,
        enrollment_a=enrollment_a.pk,
        enrollment_b=enrollment_b.pk,
        group_1=group_1.number,
        group_1_pk=group_1.pk,
        group_2_pk=group_2.pk,
        p_venue=Venue.objects.create(program=p, name="第二报告厅").pk,
        lecture=lecture.pk,
        now_on=now_on.pk,
        discussion=discussion.pk,
        leave=leave.pk,
        material=material.pk,
        feed_token=feed.token,
        record=record.pk,
        idea=idea.pk,
        talk=talk.pk,
        essay_revision=essay.revisions.get().pk,
        question_single=single.pk,
        question_short=short.pk,
        choice_right=single.choices.get(is_correct=True).pk,
        entry_exam=entry.pk,
        graduation_exam=graduation.pk,
        paper_exam=paper.pk,
        done_attempt=done.pk,
        short_answer_a=done.answers.get(question=short).pk,
        open_attempt=under_way.pk,
        recipient=recipient.pk,
        report_number=report.number,
        report_file=report_file.pk,
        certificate=certificate.pk,
        certificate_token=certificate.token,
        other_organizer=other_organizer.pk,
        **vars(foreign),
    )


def build_program_q(other_organizer, rulin, essay_a):
    """Program Q and the objects of it that the probes send to P's URLs (named q_…): 龚定俊 of
    儒林派出所 in Q's group 9, an activity under way, his leave request, a graduation exam he
    has handed in, his essay (similar to A's `essay_a`) and a delivery of Q's score report."""
    now = timezone.now()
    q = factories.program(
        organizers=[other_organizer],
        code="ZK2023",
        title="金坛分局所长培训班",
        bureau=rulin.parent.parent,  # 常州市公安局
    )
    group = factories.group(q, 9, name="金坛九组")
    chief = factories.trainee("320499", name="龚定俊", unit=rulin)
    enrollment = factories.enrollment(q, chief, group=group)
    q_venue = Venue.objects.create(program=q, name="金坛报告厅")
    under_way = Activity.objects.create(
        program=q,
        venue=q_venue,
        kind=Activity.Kind.LECTURE,
        title="金坛专题讲座",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
    )
    leave = leave_services.leave_request(
        enrollment=enrollment,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="金坛家中有事",
    )
    # Bank questions are the bureau's, shared by every program: only the exam is Q's.
    single = question(text="派出所的主责主业是什么？")
    short = question(kind=Question.Kind.SHORT_ANSWER, text="谈谈社区警务。")
    graduation = exam(q, [single, short], kind=Exam.Kind.GRADUATION, title="金坛结业考试")
    attempt = attempts_services.attempt_start(exam=graduation, enrollment=enrollment)
    attempts_services.attempt_submit(attempt=attempt)
    essay = essay_services.essay_for(enrollment=enrollment)
    essay_services.essay_save(
        essay=essay,
        title="金坛心得",
        body="所长既是指挥员又是战斗员。金坛的枫桥经验在儒林落地生根。",
        revision=1,
        base=0,
    )
    EssayMatch.objects.create(essay=essay_a, other=essay, similarity=0.4, containment=0.6)
    report = ScoreReport.objects.create(
        # Not P's number: the "own code" column asks Q's code for P's report no. 1.
        program=q,
        number=7,
        title="金坛成绩通报",
        created_by=other_organizer,
        fingerprint="0",
    )
    delivery = ReportDelivery.objects.create(
        report=report,
        recipient_name="金坛分局政治处",
        recipient_email="zzc@jintan.test",
        subject="金坛成绩通报",
        body="金坛成绩通报",
        status=ReportDelivery.Status.FAILED,
        next_attempt_at=now,
        message_id="<zk2023-7@jingxun.test>",
    )
    return SimpleNamespace(
        q=q.code,
        q_group=group.pk,
        q_group_number=group.number,
        q_venue=q_venue.pk,
        q_trainee=chief.pk,
        q_user=chief.user.pk,
        q_police_id=chief.police_id,
        q_enrollment=enrollment.pk,
        q_activity=under_way.pk,
        q_leave=leave.pk,
        q_exam=graduation.pk,
        q_question=single.pk,
        q_choice=single.choices.get(is_correct=True).pk,
        q_question_short=short.pk,
        q_short_answer=attempt.answers.get(question=short).pk,
        q_essay=essay.pk,
        q_essay_revision=essay.revisions.get().pk,
        q_delivery=delivery.pk,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, in a transaction rolled back after the module's last case; each case runs
    in a savepoint of it (the `db` fixture)."""
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        # One signed-in session per role, made once: each case sends its cookie (a case that
        # signs out, or changes the session, does so in its own savepoint).
        built.sessions = {}
        for role, user in built.users.items():
            browser = Client()
            browser.force_login(user)
            built.sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
        yield built
        transaction.set_rollback(True)


# The tables whose rows a refused request must leave alone: every model of the project's
# apps (their history tables included), the accounts and their two-factor devices.
WATCHED_APPS = (
    "auth",
    "otp_static",
    "otp_totp",
    "trainees",
    "timetable",
    "discussions",
    "exams",
    "reports",
    "completion",
)
WATCHED_TABLES = sorted(
    {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in WATCHED_APPS
    }
)


def snapshot():
    """Every row of the watched tables (plain SQL: it runs twice for each refused case)."""
    rows = {}
    with connection.cursor() as cursor:
        for table in WATCHED_TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


# --- the cases -----------------------------------------------------------------------------

ROUTES = url_patterns()


def has_cross(name):
    """Whether the URL names a program and one of its objects: the "own code" column."""
    route = ROUTES.get(name, "")
    return ":code>" in route and route.count("<") > 1


def checks():
    """[(url name, method, role, expected status)] of every rule."""
    found = []
    for name, rule in RULES.items():
        for method, expected in (("GET", rule.get), ("POST", rule.post)):
            if expected is None:
                continue
            for role in ROLES:
                found.append((name, method, role, expected[role]))
            if has_cross(name):
                found.append((name, method, CROSS, rule.cross))
    return found


def cases():
    params = []
    for name, method, role, expected in checks():
        marks = ()
        hole = KNOWN_HOLES.get((name, method, role))
        if hole:
            marks = pytest.mark.xfail(strict=True, reason=hole)
        params.append(
            pytest.param(name, method, role, expected, marks=marks, id=f"{name}-{method}-{role}")
        )
    return params


def sign_in(client, world, role):
    """Send the role's session, signed in when the world was built."""
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]


def describe(response):
    location = response.get("Location", "")
    return f"{response.status_code}" + (f" → {location}" if location else "")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "expected"), cases())
def test_access(client, world, name, method, role, expected):
    rule = RULES[name]
    code = world.q if role == CROSS else world.p
    url = reverse(name, kwargs=rule.args(world, code))
    if role != "anonymous":
        sign_in(client, world, role)
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, rule.data(world))

    said = f"{method} {url} as {role}: {describe(response)}"
    if expected in REDIRECTS:
        assert response.status_code == 302, f"{said}, expected {cell(expected)}"
        assert response["Location"].startswith(REDIRECTS[expected]), said
    else:
        assert response.status_code == expected, f"{said}, expected {expected}"
        if expected == 302 and not rule.to_login:
            assert not response["Location"].startswith("/accounts/login/"), said
    if expected in (LOGIN, TO_CODE, 403, 404):
        assert snapshot() == before, f"{said}: refused, but data changed"


def probe_cases():
    params = []
    for probe in PROBES:
        for sent in ("own", "foreign"):
            if sent == "own" and probe.own is None:
                continue
            marks = ()
            if sent == "foreign" and probe.id in FOREIGN_HOLES:
                marks = pytest.mark.xfail(strict=True, reason=FOREIGN_HOLES[probe.id])
            params.append(pytest.param(probe, sent, marks=marks, id=f"{probe.id}-{sent}"))
    return params


def answer_text(response):
    """What an answer shows: its page, JSON or workbook's text, and the messages it leaves
    for the next page."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # an .xlsx: the values of its cells (XML escapes them)
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        shown = [
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
    else:
        shown = [content.decode(errors="replace")]
    shown += [str(message) for message in get_messages(response.wsgi_request)]
    return "\n".join(shown)


def taken(probe, response, changed, value):
    """Whether the view took the value: followed it (?next=), kept the file for
    confirmation, or changed a row with it (a POST)."""
    if probe.field == "next":
        return response.get("Location") == value
    if probe.where == FILE:
        return bool(response.context and response.context.get("digest"))
    return changed


def send(client, world, probe, value):
    """(the answer to `probe` sent with `value`, whether a row changed)."""
    parts = probe.request(world, value)
    url = reverse(probe.name, kwargs=parts.get("args", {}))
    if "query" in parts:
        url = f"{url}?{urlencode(parts['query'])}"
    data = dict(parts.get("data", {}))
    if "upload" in parts:
        data["file"] = SimpleUploadedFile(*parts["upload"])
    sign_in(client, world, probe.role)
    if probe.method == "GET":
        return client.get(url), False
    before = snapshot()
    response = client.post(url, data)
    return response, snapshot() != before


@pytest.mark.django_db
@pytest.mark.parametrize(("probe", "sent"), probe_cases())
def test_foreign_id(client, world, probe, sent):
    value = probe.own(world) if sent == "own" else probe.foreign(world)

    response, changed = send(client, world, probe, value)

    said = f"{probe.method} {probe.name} as {probe.role}, {probe.field}={value}"
    said = f"{said}: {describe(response)}"
    location = response.get("Location", "")
    assert not urlsplit(location).netloc, f"{said}: leads off the site"
    if sent == "own":
        assert response.status_code == probe.allowed, f"{said}, expected {probe.allowed}"
        if probe.method == "POST" or probe.field == "next":
            assert taken(probe, response, changed, value), f"{said}: P's own id not taken"
        return
    assert response.status_code == probe.refused, f"{said}, expected {probe.refused}"
    if probe.method == "POST" or probe.field == "next":
        assert not taken(probe, response, changed, value), f"{said}: the foreign id was taken"
    shown = answer_text(response)
    leaked = [text for text in probe.hidden if text in shown]
    assert not leaked, f"{said}: the answer shows {leaked}"


# --- what a branch's leadership reads ------------------------------------------------------

# (URL name, its arguments, the query, a text it must show, whether the city bureau's
# leadership finds C's branch there: the control): the leader of A's branch (天宁分局) reads
# each without C, his station or his branch (武进分局), though C is in P.
BRANCH_EXPORTS = ("programs", "years", "units-gain", "units-attendance", "repeaters")
PROGRAM_EXPORTS = ("distribution", "gains", "groups", "units", "days", "essays", "grades")
FILTERED = [
    ("reports:dashboard", no_args, {}, "天宁", True),
    *[
        ("reports:dashboard", no_args, {"export": key}, None, key.startswith("units"))
        for key in BRANCH_EXPORTS
    ],
    ("reports:dashboard-program", of_p, {}, "天宁", True),
    *[
        ("reports:dashboard-program", of_p, {"export": key}, None, key == "units")
        for key in PROGRAM_EXPORTS
    ],
    ("reports:dashboard-unit", lambda w: {"pk": w.tianning}, {}, "张伟", False),
    ("reports:dashboard-trainee", lambda w: {"pk": w.trainee_a}, {}, "张伟", False),
    ("completion:trainee-file", lambda w: {"pk": w.trainee_a}, {}, "张伟", False),
    ("completion:unit-file-xlsx", lambda w: {"pk": w.tianning}, {}, "张伟", False),
]


def filtered_cases(controls=False):
    return [
        pytest.param(name, args, query, shows, id=f"{name}-{query.get('export', 'page')}")
        for name, args, query, shows, control in FILTERED
        if control or not controls
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "query", "shows"), filtered_cases())
def test_branch_leader_reads_own_units(client, world, name, args, query, shows):
    url = reverse(name, kwargs=args(world))
    sign_in(client, world, "branch_leader")

    response = client.get(url, query)

    assert response.status_code == 200
    shown = answer_text(response)
    if shows:
        assert shows in shown
    assert [text for text in OTHER_BRANCH_TEXT if text in shown] == []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "query", "shows"), filtered_cases(controls=True))
def test_bureau_leader_reads_every_branch(client, world, name, args, query, shows):
    """The control of the test above: the same answer, to the city bureau's leadership,
    shows C's branch."""
    sign_in(client, world, "bureau_leader")

    response = client.get(reverse(name, kwargs=args(world)), query)

    assert "武进" in answer_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "names"),
    [("branch_leader", {"张伟", "李娜"}), ("bureau_leader", {"张伟", "李娜", "周涛"})],
)
def test_program_dashboard_counts_the_readers_units(client, world, role, names):
    """Behind every table of P's dashboard: the rows of A's branch for its leadership, every
    row for the city bureau's (the control)."""
    sign_in(client, world, role)

    response = client.get(reverse("reports:dashboard-program", args=[world.p]))

    assert {row.name for row in response.context["board"].report.rows} == names


# --- choice lists --------------------------------------------------------------------------

# (URL name, its arguments): pages of P whose forms offer P's groups, trainees, activities,
# exams or units; P's organizer finds nothing of Q in them.
CHOICE_PAGES = [
    ("trainees:enrollment-detail", lambda w: of_p(w, pk=w.enrollment_a)),
    ("trainees:roster", of_p),
    ("timetable:activity-create", of_p),
    ("timetable:activity-update", lambda w: of_p(w, pk=w.lecture)),
    ("timetable:materials", of_p),
    ("discussions:record-detail", lambda w: of_p(w, activity=w.discussion, group=w.group_1)),
    ("discussions:forum-add", of_p),
    ("discussions:forum-edit", lambda w: of_p(w, pk=w.talk)),
    ("discussions:essay-list", of_p),
    ("discussions:essay-reviewers", of_p),
    ("exams:exam-questions", lambda w: of_p(w, pk=w.paper_exam)),
    ("exams:paper-scores", lambda w: of_p(w, pk=w.paper_exam)),
    ("reports:report", of_p),
    ("reports:report-recipients", of_p),
]
CHOICE_HOLES = {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args"),
    [
        pytest.param(
            name,
            args,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=CHOICE_HOLES[name])]
            if name in CHOICE_HOLES
            else [],
        )
        for name, args in CHOICE_PAGES
    ],
)
def test_choices_offer_nothing_of_another_program(client, world, name, args):
    sign_in(client, world, "organizer")

    response = client.get(reverse(name, kwargs=args(world)))

    assert response.status_code == 200
    shown = answer_text(response)
    assert [text for text in FOREIGN_TEXT if text in shown] == []


@pytest.mark.django_db
def test_dashboard_unit_shows_no_one_of_another_program(client, world):
    """The one page of P's objects the other organizer reaches (200): the drill-down to A's
    unit counts their own programs only, so A is not on it."""
    url = reverse("reports:dashboard-unit", args=[world.station_a])
    a_link = reverse("reports:dashboard-trainee", args=[world.trainee_a])
    sign_in(client, world, "organizer")
    assert a_link in client.get(url).content.decode()  # P's organizer finds A there

    sign_in(client, world, "other_organizer")
    response = client.get(url)

    assert response.status_code == 200
    assert a_link not in response.content.decode()
    assert "张伟" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["trainees:program-list", "reports:dashboard"])
@pytest.mark.parametrize("role", ["other_organizer", "other_leader"])
def test_lists_that_answer_outsiders_do_not_show_program_p(client, world, name, role):
    """The program list and the bureau dashboard answer 200 to the other organizer and the
    other unit's leadership: with their own programs only (P's organizer sees P there)."""
    sign_in(client, world, "organizer")
    assert world.p in client.get(reverse(name)).content.decode()

    sign_in(client, world, role)
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert world.p not in response.content.decode()


def test_every_url_has_a_rule():
    """A new URL fails here until it declares who may reach it."""
    missing = sorted(set(ROUTES) - set(RULES))
    assert not missing, "\n".join(
        f"URL {name!r} ({ROUTES[name]}) has no access rule in tests/config/test_access_sweep.py"
        for name in missing
    )


def test_every_rule_has_a_url():
    stale = sorted(set(RULES) - set(ROUTES))
    assert not stale, "\n".join(
        f"RULES has {name!r}, which is no URL of the project any more" for name in stale
    )


def test_every_known_hole_is_a_case():
    known = {(name, method, role) for name, method, role, _expected in checks()}
    assert set(KNOWN_HOLES) <= known
    assert set(FOREIGN_HOLES) <= {probe.id for probe in PROBES}
    assert set(CHOICE_HOLES) <= {name for name, _args in CHOICE_PAGES}


def test_every_probe_names_a_url():
    assert {probe.name for probe in PROBES} <= set(ROUTES)
    assert len({probe.id for probe in PROBES}) == len(PROBES), "two probes share an id"


# --- the table -----------------------------------------------------------------------------


def cell(status):
    return {LOGIN: "302 → login", TO_CODE: "302 → code"}.get(status, str(status))


def markdown_table():
    """The rules as a Markdown table: URL name and method × role → expected status. A known
    hole is marked with ✗ (the status it should be, not the one it is)."""
    columns = [*ROLES, CROSS]
    lines = [
        "| URL name | method | " + " | ".join(COLUMNS[c] for c in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    rows = {}
    for name, method, role, expected in checks():
        text = cell(expected)
        if (name, method, role) in KNOWN_HOLES:
            text += " ✗"
        rows.setdefault((name, method), {})[role] = text
    for (name, method), by_role in rows.items():
        statuses = " | ".join(by_role.get(c, "—") for c in columns)
        lines.append(f"| `{name}` | {method} | {statuses} |")
    return "\n".join(lines)


PROBE_ROLES = {
    "organizer": "P's organizer",
    "trainee_a": "trainee A",
    "branch_leader": "leader of A's branch",
    NO_CODE: "P's organizer, password only",
}


def probe_table():
    """The probes as a Markdown table: URL name, role, where the foreign id travels, its
    field, what it is, and the answers to it and to P's own id. A probe that finds a hole
    is marked with ✗ (the answer it should give)."""
    lines = [
        "| URL name | role | where | field | the foreign id | answer | P's own id |",
        "|---|---|---|---|---|---|---|",
    ]
    for probe in PROBES:
        refused = str(probe.refused) + (" ✗" if probe.id in FOREIGN_HOLES else "")
        own = "—" if probe.own is None else str(probe.allowed)
        lines.append(
            f"| `{probe.name}` | {PROBE_ROLES[probe.role]} | {probe.where} | {probe.field} "
            f"| {probe.what} | {probe.method} {refused} | {own} |"
        )
    return "\n".join(lines)


def test_print_table():
    """Prints the tables: .venv/bin/pytest tests/config/test_access_sweep.py -q -s -k print_table"""
    table = markdown_table()
    print()
    print(table)
    checked = len(checks())
    print(f"\n{len(RULES)} URL names, {len({r[:2] for r in checks()})} URL × method rows,")
    print(f"{checked} (URL, method, role) cases, {len(KNOWN_HOLES)} known holes.\n")
    print(probe_table())
    print(f"\n{len(PROBES)} probes, {len(FOREIGN_HOLES)} finding a hole.")
    assert table.count("\n") == len({(n, m) for n, m, _r, _e in checks()}) + 1
    assert probe_table().count("\n") == len(PROBES) + 1
