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

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.config import test_access_sweep as sweep
from tests.config.test_access_sweep import world  # noqa: F401  (the sweep's world, a fixture)
from trainees.models import Unit

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
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("leader", LEADERS)
@pytest.mark.parametrize("name", [name for name, _rule in LEADER_REFUSED])
def test_a_leader_changes_nothing_with_another_method(client, world, name, leader, method):
    """PUT, PATCH and DELETE, with the body of the POST: a class-based edit view answers PUT
    with its post(); a function view that asks `request.method == "POST"` treats them as a
    read. Either way nothing changes, and nothing is a server error."""
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
