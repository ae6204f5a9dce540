"""The access-control sweep (issue 10): every URL pattern of the project, asked by each role,
gives the answer its rule declares. Other people's objects are 404.

One world of objects serves every case (built once for the module, inside a transaction that
is rolled back at the end; each case runs in a savepoint of its own, so an allowed POST that
changes data changes it for that case only):

- program P (CZ2023), organized by `organizer`, with trainee A (group 1, 红梅派出所) and
  trainee B (group 2, 青龙派出所), both stations of 天宁分局. A owns the objects: the
  discussion record of group 1 (A is its recorder) and its idea, the forum talk, the essay
  and its version, the leave request, the exam attempts (one handed in and released, one
  under way) and the calendar feed. B sits in the same class: B's answer on A's things is
  the "other people's objects" check;
- program Q (ZK2023), organized by `other_organizer`, with a chief of 儒林派出所
  (金坛分局), no login;
- `other_leader`: the leadership of 金坛分局, a branch with no trainee in P;
- `bureau_leader`: the leadership of the city bureau (the root unit), who reads every
  program and changes none (403 on a change).

The roles are the columns of RULES. One more column, "other organizer, own code", asks the
other organizer for P's objects through the URL of their own program Q (/programs/ZK2023/
…/<P's object>/): a view that finds the object without checking it belongs to the program in
the URL would answer 200 there. It applies to the URLs that name a program and an object.

A new URL fails test_every_url_has_a_rule until it is given a Rule here. The table of
URL × role:  .venv/bin/pytest tests/config/test_access_sweep.py -q -s -k print_table
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from discussions.models import DiscussionRecord, ForumTalk, Idea
from discussions.services import essays as essay_services
from exams.models import Exam, Question
from exams.services import attempts as attempts_services
from reports.models import ReportFile, ReportRecipient, ScoreReport
from sessions.models import Activity, Material
from sessions.services import leave as leave_services
from sessions.services import timetable as timetable_services
from tests import factories
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

ROLES = (
    "anonymous",
    "trainee_a",
    "trainee_b",
    "other_organizer",
    "other_leader",
    "bureau_leader",
    "organizer",
)
CROSS = "other_organizer_own_code"  # the other organizer, P's objects under Q's code
COLUMNS = {
    "anonymous": "anonymous",
    "trainee_a": "trainee A (owner)",
    "trainee_b": "trainee B",
    "other_organizer": "organizer, other program",
    "other_leader": "leader, other unit",
    "bureau_leader": "city bureau leader",
    "organizer": "organizer (control)",
    CROSS: "other organizer, own code",
}

LOGIN = "login"  # 302 to /accounts/login/?next=…
NOT_FOUND = 404


def expect(*presets, **statuses):
    """The expected answer of each role: anonymous visitors are sent to the login page unless
    said otherwise; later presets and keywords override earlier ones."""
    expected = {"anonymous": LOGIN}
    for preset in presets:
        expected.update(preset)
    expected.update(statuses)
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
EVERYONE = dict.fromkeys(ROLES, 200)


def signed_in(status):
    """The same answer for every signed-in role."""
    return dict.fromkeys(ROLES[1:], status)


# Staff pages (two-factor sign-in): organizers and leadership; a trainee is sent home (302).
STAFF = {
    "trainee_a": 302,
    "trainee_b": 302,
    "other_organizer": 200,
    "other_leader": 200,
    "bureau_leader": 200,
    "organizer": 200,
}
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
# their scope; trainees 403.
DASHBOARD = {
    "trainee_a": 403,
    "trainee_b": 403,
    "other_organizer": 404,
    "other_leader": 404,
    "bureau_leader": 200,
    "organizer": 200,
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
    "favicon": Rule(get=expect(dict.fromkeys(ROLES, 301))),
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
    "logout": Rule(post=expect(signed_in(302)), to_login=True),
    "password_change": Rule(
        get=expect(signed_in(200)),
        post=expect(signed_in(200)),  # empty form: shown again
    ),
    # Two-factor sign-in is for staff (organizers and leadership); a trainee is sent home.
    "two-factor-setup": Rule(get=expect(STAFF), post=expect(STAFF)),  # a wrong code: shown again
    # Verifying the signed-in staff member's own code; a trainee is sent home too.
    "two-factor-verify": Rule(get=expect(STAFF), post=expect(STAFF)),
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
    # The units are the bureau's one tree: every organizer corrects it.
    "trainees:unit-list": Rule(get=expect(ORGANIZERS)),
    "trainees:unit-update": Rule(
        lambda world, code: {"pk": world.station_a}, get=expect(ORGANIZERS), post=expect(ORGANIZERS)
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
}

# Holes found by the sweep, left for their own fix: {(url name, method, role): why}. Each is a
# strict xfail, so the sweep turns red once the hole is closed and the entry must go.
KNOWN_HOLES = {}


# --- the world -----------------------------------------------------------------------------


def build_world():
    """The objects every case uses; returns the users by role and the ids of the objects."""
    now = timezone.now()
    today = timezone.localdate()
    bureau = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    tianning = factories.unit("常州市公安局天宁分局", parent=bureau, kind=Unit.Kind.BRANCH)
    jintan = factories.unit("常州市公安局金坛分局", parent=bureau, kind=Unit.Kind.BRANCH)
    station_a = factories.unit("红梅派出所", parent=tianning)
    station_b = factories.unit("青龙派出所", parent=tianning)
    rulin = factories.unit("儒林派出所", parent=jintan)

    organizer = factories.user("organizer", username="organizer")
    other_organizer = factories.user("organizer", username="organizer2")
    a = factories.trainee("320401", name="张伟", unit=station_a)
    b = factories.trainee("320402", name="李娜", unit=station_b)
    users = {
        "trainee_a": a.user,
        "trainee_b": b.user,
        "other_organizer": other_organizer,
        "other_leader": factories.user("leadership", username="jintan", unit=jintan),
        "bureau_leader": factories.user("leadership", username="leader", unit=bureau),
        "organizer": organizer,
        CROSS: other_organizer,
    }

    p = factories.program(
        organizers=[organizer],
        code="CZ2023",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        essay_deadline=now + timedelta(days=2),
    )
    q = factories.program(organizers=[other_organizer], code="ZK2023")
    factories.enrollment(q, factories.trainee("320499", with_login=False, unit=rulin))
    group_1, group_2 = factories.group(p, 1), factories.group(p, 2)
    enrollment_a = factories.enrollment(p, a, group=group_1)
    enrollment_b = factories.enrollment(p, b, group=group_2)

    # The timetable, roll call, leave, materials, calendar feeds
    lecture = activity(p, day=today, start="08:30", end="10:00", title="专题辅导")
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

    return SimpleNamespace(
        users=users,
        p=p.code,
        q=q.code,
        station_a=station_a.pk,
        trainee_a=a.pk,
        enrollment_a=enrollment_a.pk,
        group_1=group_1.number,
        lecture=lecture.pk,
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
        open_attempt=under_way.pk,
        recipient=recipient.pk,
        report_number=report.number,
        report_file=report_file.pk,
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
    if expected == LOGIN:
        assert response.status_code == 302, said
        assert response["Location"].startswith("/accounts/login/?next="), said
    else:
        assert response.status_code == expected, f"{said}, expected {expected}"
        if expected == 302 and not rule.to_login:
            assert not response["Location"].startswith("/accounts/login/"), said
    if expected in (LOGIN, 403, 404):
        assert snapshot() == before, f"{said}: refused, but data changed"


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


# --- the table -----------------------------------------------------------------------------


def cell(status):
    return "302 → login" if status == LOGIN else str(status)


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


def test_print_table():
    """Prints the table: .venv/bin/pytest tests/config/test_access_sweep.py -q -s -k print_table"""
    table = markdown_table()
    print()
    print(table)
    checked = len(checks())
    print(f"\n{len(RULES)} URL names, {len({r[:2] for r in checks()})} URL × method rows,")
    print(f"{checked} (URL, method, role) cases, {len(KNOWN_HOLES)} known holes.")
    assert table.count("\n") == len({(n, m) for n, m, _r, _e in checks()}) + 1
