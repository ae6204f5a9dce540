"""Hostile input sweep: every URL of the project, asked by an ordinary organizer, trainee and
leader with hostile values in every query parameter and form field the view reads, answers
with a clear refusal (a 400 or 404, or the form shown again), never a 500; and a request it
refuses (4xx) writes nothing.

The parameters are not listed by hand: a first request (the control) records every name the
view reads from request.GET or request.POST (RecordingQueryDict), a second one fills those
names with "1" and records again (a form bound only to a non-empty POST, the fields read
once others are valid); then each hostile value is sent in all of them at once. The world,
the roles and the URLs are those of the access sweep (tests/config/test_access_sweep.py):
each (URL, method, role) case that it allows. VARIANTS hold a POST body to start from where
a view reads some fields only after a choice (an action, a formset's management form).

Then what the URL sweep cannot reach: the exam autosave's JSON list of answers, the API
(/api/v1/, a bearer token) with hostile query parameters and paths, and every import given
a file that is not what it claims.

VALUES are the values sent by default (a few seconds); HOSTILE_SWEEP=full sends MORE_VALUES
as well. For numbers, run it on PostgreSQL too:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingxun_x .venv/bin/pytest <this file>
"""

import codecs
import io
import json
import os
import zipfile
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiClient
from api.services import client_token_issue
from tests.config.test_access_sweep import RULES, sign_in
from tests.config.test_access_sweep import world as world
from trainees.models import Enrollment, Program

# --- what the view reads --------------------------------------------------------------------

READ = set()  # the names read from request.GET or request.POST since the last clear()


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes each name asked for."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        READ.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


def recording(query):
    if isinstance(query, RecordingQueryDict):
        return query
    copied = RecordingQueryDict(mutable=True)
    for key, values in query.lists():
        copied.setlist(key, values)
    copied._mutable = query._mutable
    return copied


@pytest.fixture(autouse=True)
def _recording_requests(monkeypatch):
    """request.GET and request.POST are RecordingQueryDicts (ControlCharactersMiddleware's
    cleaned copies too)."""

    def get_get(request):
        if "_recorded_get" not in request.__dict__:
            request.__dict__["_recorded_get"] = recording(
                QueryDict(request.META.get("QUERY_STRING", ""), encoding=request._encoding)
            )
        return request.__dict__["_recorded_get"]

    def set_get(request, value):
        request.__dict__["_recorded_get"] = recording(value)

    def get_post(request):
        post = WSGIRequest._get_post(request)
        if not isinstance(post, RecordingQueryDict):
            post = request._post = recording(post)
        return post

    monkeypatch.setattr(WSGIRequest, "GET", property(get_get, set_get))
    monkeypatch.setattr(WSGIRequest, "POST", property(get_post, WSGIRequest._set_post))


# --- hostile values -------------------------------------------------------------------------

THIRTY = "9" * 30
VALUES = {
    "30 digits": THIRTY,  # beyond SQLite's integer and PostgreSQL's bigint
    "5000 digits": "9" * 5000,  # beyond int()'s 4,300 digits
    "superscript two": "²",  # isdigit(), and int() refuses it
    "year 1, midnight": "0001-01-01 00:00",  # before year 1 in UTC
    "1e400": "1e400",  # a Decimal beyond every column, inf as a float; no path (?next=)
    "repeated": ["1", THIRTY],
}
MORE_VALUES = {
    "NUL": "\x00",  # dropped from every query and form by ControlCharactersMiddleware
    "-1": "-1",
    "empty": "",
    "100,000 characters": "警" * 100_000,
    "30 February": "2026-02-30",
    "year 9999, late": "9999-12-31 23:59",
    "full-width three": "３",
    "hex": "0x10",
    "exponent": "1e5",
    "%00": "%00",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "24:00": "24:00",
    "NaN": "NaN",
    "-0": "-0",
    "2**31": str(2**31),
    "2**63": str(2**63),
}
if os.environ.get("HOSTILE_SWEEP") == "full":
    VALUES = {**VALUES, **MORE_VALUES}
SKIPPED_NAMES = {"csrfmiddlewaretoken"}

# --- the URL cases --------------------------------------------------------------------------

ALLOWED = (200, 302)
SWEEP_ROLES = ("organizer", "trainee_a", "bureau_leader")
# The pages a leader reads through code of their own (their units' scope): asked by the city
# bureau's leadership as well as by the organizer; elsewhere the leader only where the
# organizer may not go.
LEADER_PAGES = (
    "reports:dashboard",
    "reports:dashboard-program",
    "reports:dashboard-unit",
    "reports:dashboard-trainee",
    "completion:trainee-file",
    "completion:trainee-file-pdf",
    "completion:unit-file-xlsx",
    "completion:speaker-list",
    "completion:speaker-export",
)
# A POST body to start from ({variant: body(world)}), whose names in FIXED are not attacked.
VARIANTS = {
    "trainees:groups-update": {
        "formset": lambda w: {
            "groups-TOTAL_FORMS": "1",
            "groups-INITIAL_FORMS": "1",
            "groups-0-id": w.group_1_pk,
            "groups-0-name": "社区警务组",
        }
    },
    "exams:exam-questions": {
        "draw": lambda w: {"action": "draw"},
        "copy": lambda w: {"action": "copy", "source": w.entry_exam},
        "pick": lambda w: {"action": "pick", "question": w.question_single},
    },
    "exams:attempt-submit": {
        "answers": lambda w: {
            f"q{w.question_single}": w.choice_right,
            f"r{w.question_single}": "2",
        }
    },
    "exams:answer-save": {
        "one answer": lambda w: {
            "question": w.question_single,
            "revision": "3",
            "choice": w.choice_right,
        }
    },
    "discussions:essay-submit": {
        "save": lambda w: {"action": "save", "title": "心得", "body": "所长", "revision": "5"},
        "submit": lambda w: {"action": "submit", "title": "心得", "body": "所长", "revision": "5"},
    },
    "trainees:roster-bulk": {
        "move": lambda w: {"action": "move", "enrollments": w.enrollment_b},
        "withdraw": lambda w: {"action": "withdraw", "enrollments": w.enrollment_b},
    },
}
FIXED = {"action", "groups-TOTAL_FORMS", "groups-INITIAL_FORMS", "groups-0-id"}


def cases():
    params = []
    for name, rule in RULES.items():
        if name.startswith("api:"):
            continue
        for method, expected in (("GET", rule.get), ("POST", rule.post)):
            if expected is None:
                continue
            for role in SWEEP_ROLES:
                leader_too = name in LEADER_PAGES or expected["organizer"] not in ALLOWED
                if expected[role] not in ALLOWED or (role == "bureau_leader" and not leader_too):
                    continue
                params.append(pytest.param(name, method, role, None, id=f"{name}-{method}-{role}"))
                if method == "POST":
                    params += [
                        pytest.param(name, method, role, variant, id=f"{name}-{role}-{variant}")
                        for variant in VARIANTS.get(name, {})
                    ]
    return params


WRITES = ("INSERT", "UPDATE", "DELETE")
QUIET = ("django_session", "axes_", "api_apicall", "api_apiclient")  # any request may


# The API's roster import makes its client's account once, and makes it an organizer of the
# program for the length of the import (api.routers.roster): not a change of the program.
API_IMPORT_QUIET = (*QUIET, '"auth_user"', "trainees_program_organizers", "trainees_organizerunit")


def writes(queries, quiet=QUIET):
    """The statements among `queries` that changed a row of the app."""
    return [
        query["sql"][:160]
        for query in queries
        if (query["sql"] or "").lstrip().upper().startswith(WRITES)
        and not any(table in query["sql"] for table in quiet)
    ]


@contextmanager
def rolled_back():
    """A request in a savepoint of its own, rolled back: a POST that goes through changes
    nothing for the next value."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def send(send_method, url, data, quiet=QUIET):
    """(the answer's status, or the exception it raised, and the writes it made)."""
    with CaptureQueriesContext(connection) as queries:
        try:
            with rolled_back():
                response = send_method(url, data)
        except Exception as error:  # what the sweep looks for
            return f"{type(error).__name__}: {str(error)[:200]}", writes(queries, quiet)
    return response.status_code, writes(queries, quiet)


def judged(label, status, wrote):
    """What is wrong with an answer, or None: a server error, or a refusal that wrote."""
    if not isinstance(status, int) or status >= 500:
        return f"{label}: {status} (after {len(wrote)} writes)"
    if status >= 400 and wrote:
        return f"{label}: {status}, but wrote {wrote}"
    return None


def hostile_values_for(send_method, url, base, fixed):
    """Every value of VALUES in each name the view reads (but `fixed`), with `base`."""
    READ.clear()
    control, _ = send(send_method, url, base)
    assert control in ALLOWED, f"{url}: the control answered {control}"
    READ.difference_update(base)
    send(send_method, url, {**base, **dict.fromkeys(READ - SKIPPED_NAMES, "1")})
    names = sorted(READ - SKIPPED_NAMES - fixed)
    if not names:
        pytest.skip("reads no parameter")
    found = []
    for label, value in VALUES.items():
        status, wrote = send(send_method, url, {**base, **dict.fromkeys(names, value)})
        found.append(judged(f"{label} in {names}", status, wrote))
    return [problem for problem in found if problem]


# Known holes: {case id: why}, strict xfails.
URL_HOLES = {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "role", "variant"),
    [
        pytest.param(*case.values, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=why)])
        if (why := URL_HOLES.get(case.id))
        else case
        for case in cases()
    ],
)
def test_hostile_values_are_refused_not_a_server_error(client, world, name, method, role, variant):
    rule = RULES[name]
    url = reverse(name, kwargs=rule.args(world, world.p))
    sign_in(client, world, role)
    if method == "GET":
        base, fixed = {}, set()
    else:
        base = {**rule.data(world), "_": "1"}  # never empty: `Form(request.POST or None)`
        if variant:
            base.update(VARIANTS[name][variant](world))
        fixed = FIXED & set(base) if variant else set()
    send_method = client.get if method == "GET" else client.post

    problems = hostile_values_for(send_method, url, base, fixed)

    assert not problems, f"{method} {url} as {role}:\n" + "\n".join(problems)


# --- the exam's autosave: a JSON list of answers ---------------------------------------------


def answers_bodies(world):
    """(label, the `answers` field): JSON of the wrong shape, types and sizes."""
    question, choice = world.question_single, world.choice_right

    def one(**fields):
        return json.dumps([{"question": question, "revision": 7, "choices": [choice], **fields}])

    return [
        ("not JSON", "{"),
        ("null", "null"),
        ("a number", "1"),
        ("a string", '"答案"'),
        ("an object", json.dumps({"question": question, "revision": 1})),
        ("a list of null", "[null]"),
        ("a list of lists", "[[1, 2]]"),
        ("no revision", json.dumps([{"question": question}])),
        ("question null", one(question=None)),
        ("question 30 digits", one(question=int(THIRTY))),
        ("question as 30 digits text", one(question=THIRTY)),
        ("question -1", one(question=-1)),
        ("question 1.5", one(question=1.5)),
        ("question Infinity", one(question=float("inf"))),
        ("question NaN", one(question=float("nan"))),
        ("question 1e400", f'[{{"question": 1e400, "revision": 1, "choices": [{choice}]}}]'),
        ("question an object", one(question={"id": question})),
        ("question true", one(question=True)),
        ("revision 30 digits", one(revision=int(THIRTY))),
        ("revision -1", one(revision=-1)),
        ("revision Infinity", one(revision=float("inf"))),
        ("choices null", one(choices=None)),
        ("choices a number", one(choices=5)),
        ("choices a string", one(choices="12")),
        ("choices an object", one(choices={"a": 1})),
        ("choices nested", one(choices=[[choice]])),
        ("choices 30 digits", one(choices=[int(THIRTY)])),
        ("choices Infinity", one(choices=[float("inf")])),
        ("choices 10,000", one(choices=list(range(10_000)))),
        ("text an object", one(text={"a": [1]})),
        ("text a list", one(text=["x"] * 1000)),
        ("text 100,000 characters", one(text="警" * 100_000)),
        ("text NUL", one(text="\x00")),
        (
            "10,000 answers",
            json.dumps([{"question": question, "revision": n} for n in range(10_000)]),
        ),
        ("deeply nested", "[" * 50_000 + "]" * 50_000),
    ]


@pytest.mark.django_db
def test_the_exam_autosave_refuses_json_of_every_wrong_shape(client, world):
    url = reverse("exams:answer-save", kwargs={"pk": world.open_attempt})
    sign_in(client, world, "trainee_a")

    problems = []
    for label, body in answers_bodies(world):
        status, wrote = send(client.post, url, {"answers": body})
        problems.append(judged(label, status, wrote))

    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api_client(world):
    """A read-write API client of the city bureau that organizes P."""
    bureau = Program.objects.get(code=world.p).bureau
    client = ApiClient(name="人事系统", unit=bureau, access=ApiClient.Access.READ_WRITE)
    token = client_token_issue(client=client)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


API_LISTS = [
    ("api:program_list", {}),
    ("api:trainee_list", {}),
    *[
        (f"api:{name}", {"code": "CZ2023"})
        for name in (
            "program_roster",
            "program_groups",
            "program_timetable",
            "program_attendance",
            "program_score_list",
            "program_essays",
            "program_completion",
        )
    ],
]
PATH_VALUES = {
    "30 digits": THIRTY,
    "5000 digits": "9" * 5000,
    "superscript two": "²",
    "%00": "%00",
    "a space": "CZ 2023",
    "a dot": "..",
    "100,000 characters": "警" * 100_000,
}


@pytest.mark.django_db
def test_the_api_refuses_hostile_query_parameters_and_paths(api_client, world):
    problems = []
    for name, args in API_LISTS:
        url = reverse(name, kwargs=args)
        for label, value in VALUES.items():
            status, wrote = send(api_client.get, url, {"limit": value, "offset": value})
            problems.append(judged(f"{name} {label} in limit and offset", status, wrote))
    for label, value in PATH_VALUES.items():
        for name, kwargs in (
            ("api:program_detail", {"code": value}),
            ("api:program_roster", {"code": value}),
            ("api:trainee_record", {"police_id": value}),
        ):
            path = reverse(name, kwargs=dict.fromkeys(kwargs, "X")).replace("/X", f"/{value}")
            status, wrote = send(api_client.get, path, {})
            problems.append(judged(f"{name} {label} in the path", status, wrote))

    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


# --- uploads: files that are not what they claim ------------------------------------------------


def zipped(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return out.getvalue()


def csv_in(encoding, rows):
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


# Each import: its URL, its header and one good row (the file's columns).
IMPORTS = {
    "roster": (
        "trainees:roster-import",
        lambda w: {"code": w.p},
        ["姓名", "警号", "单位", "分组", "手机号"],
        ["张三", "330001", "天宁分局新丰街派出所", "1", "13912345678"],
    ),
    "activities": (
        "timetable:activities-import",
        lambda w: {"code": w.p},
        ["日期", "开始", "结束", "类型", "题目", "分组"],
        ["2026-03-02", "14:00", "15:00", "专题辅导", "试讲", "1"],
    ),
    "questions": (
        "exams:bank-import",
        lambda w: {},
        ["题型", "分类", "题干", "A", "B", "答案", "分值", "解析"],
        ["单选", "法律法规", "派出所的主责主业是什么？", "打击", "防范", "B", "2", "无"],
    ),
    "paper scores": (
        "exams:paper-import",
        lambda w: {"code": w.p, "pk": w.paper_exam},
        ["警号", "成绩"],
        ["320401", "80"],
    ),
}


def hostile_files(header, row):
    """(label, file name, bytes): files that are not what their name claims, and files whose
    every cell but the header holds one hostile value."""
    good = csv_in("utf-8", [header, row])
    files = [
        ("an .xlsx that is a zip of garbage", "名册.xlsx", zipped({"garbage.bin": b"\x00" * 64})),
        (
            "an .xlsx with a workbook that is not XML",
            "名册.xlsx",
            zipped({"[Content_Types].xml": b"<", "xl/workbook.xml": b"\xff\xfe"}),
        ),
        ("an .xlsx that is not a zip", "名册.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        ("an .xlsx that is a CSV", "名册.xlsx", csv_in("utf-8", [header, row])),
        ("an empty .xlsx", "名册.xlsx", b""),
        ("an empty .csv", "名册.csv", b""),
        ("a .csv of a header only", "名册.csv", csv_in("utf-8", [header])),
        ("a .csv in GBK", "名册.csv", csv_in("gbk", [header, row])),
        ("a .csv in UTF-16", "名册.csv", csv_in("utf-16", [header, row])),
        ("a .csv that is a PNG", "名册.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        (
            "a .csv with NUL bytes",
            "名册.csv",
            good.replace(b",", b"\x00,"),
        ),
        (
            "a .csv with an open quote",
            "名册.csv",
            csv_in("utf-8", [header, ['"' + row[0], *row[1:]]]),
        ),
        ("a .csv of one column", "名册.csv", "\r\n".join(["姓名"] + ["x"] * 5).encode()),
        ("a file named .txt", "名册.txt", csv_in("utf-8", [header, row])),
        ("a file without a name's extension", "名册", csv_in("utf-8", [header, row])),
    ]
    for label, value in VALUES.items():
        if isinstance(value, list) or label == "100,000 characters":
            continue
        cells = [value.replace(",", "") for _cell in row]
        files.append((f"every cell {label}", "名册.csv", csv_in("utf-8", [header, cells])))
        # The good row with one hostile cell each: the other cells valid, each is read on.
        for column in range(len(row)):
            one = [*row[:column], value, *row[column + 1 :]]
            files.append((f"{header[column]} {label}", "名册.csv", csv_in("utf-8", [header, one])))
    return files


@pytest.mark.django_db
@pytest.mark.parametrize("kind", IMPORTS)
def test_imports_refuse_files_that_are_not_what_they_claim(client, world, kind):
    name, args, header, row = IMPORTS[kind]
    url = reverse(name, kwargs=args(world))
    sign_in(client, world, "organizer")

    problems = []
    for label, file_name, content in hostile_files(header, row):
        with CaptureQueriesContext(connection) as queries:
            try:
                with rolled_back():
                    response = client.post(url, {"file": SimpleUploadedFile(file_name, content)})
                    digest = response.context and response.context.get("digest")
                    if digest:  # previewed without an error: confirmed, as a person would
                        status = client.post(url, {"digest": digest}).status_code
                    else:
                        status = response.status_code
            except Exception as error:
                status = f"{type(error).__name__}: {str(error)[:200]}"
        problems.append(judged(label, status, writes(queries)))

    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_api_roster_upload_refuses_files_that_are_not_what_they_claim(api_client, world):
    url = reverse("api:roster_upload", kwargs={"code": world.p})
    _name, _args, header, row = IMPORTS["roster"]
    before = Enrollment.objects.count()

    problems = []
    for label, file_name, content in hostile_files(header, row):
        for dry_run in ("true", "²", THIRTY):
            upload = SimpleUploadedFile(file_name, content)
            status, wrote = send(
                api_client.post, f"{url}?dry_run={dry_run}", {"file": upload}, API_IMPORT_QUIET
            )
            if status != 200 or dry_run != "true":
                problems.append(judged(f"{label}, dry_run={dry_run}", status, wrote))

    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)
    assert Enrollment.objects.count() == before


@pytest.mark.django_db
def test_the_exam_autosave_saves_one_answer_per_question(
    client, world, django_assert_max_num_queries
):
    """10,000 copies of one answer in one autosave are one UPDATE, not 10,000 (and a SELECT
    for each that changed nothing)."""
    url = reverse("exams:answer-save", kwargs={"pk": world.open_attempt})
    given = {"question": world.question_single, "revision": 9, "choices": [world.choice_right]}
    sign_in(client, world, "trainee_a")

    with django_assert_max_num_queries(10):
        response = client.post(url, {"answers": json.dumps([given] * 10_000)})

    assert response.json() == {"saved": [world.question_single], "stale": [], "refused": {}}


@pytest.mark.django_db
def test_an_in_lookup_leaves_out_numbers_no_integer_column_holds(world):
    """trainees.lookups.IntegerIn: as Django's exact, a number beyond the column matches
    nothing (was an OverflowError on SQLite), and excluding it excludes nothing."""
    huge = [10**30, -(10**30)]

    assert list(Program.objects.filter(pk__in=huge)) == []
    assert Program.objects.exclude(pk__in=huge).count() == Program.objects.count()
    assert Program.objects.filter(pk__in=[*huge, Program.objects.get(code=world.p).pk]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/trainees/programs/%00/",
        "/completion/programs/%00/closing/",
        "/exams/programs/%01/",
        "/api/v1/programs/%00",
        "/api/v1/trainees/%00",
    ],
)
def test_a_control_character_in_the_path_is_a_404(client, world, path):
    """A program's code (a `str` path converter) or a police ID with a NUL went to a lookup
    that PostgreSQL refuses (DataError: a 500)."""
    sign_in(client, world, "organizer")

    assert client.get(path).status_code == 404
