"""A red team against the province's scoping (README "Roles"), with ordinary accounts only:
常州's organizer (教务所属单位 常州市公安局), 常州's leadership, 金坛分局's leadership and a
trainee of 常州. Every test is one attack; it passes when the defence holds. The world is
test_province's: 江苏省公安厅 above 常州 and 无锡, 张伟 (常州, 儒林派出所) in CZ2024 and
JS2024, 钱坤 (无锡, 荣巷派出所) in WX2024 and JS2024; JS2024 is the province-wide program.

Whatever of 无锡 leaks shows its names: 无锡, 滨湖, 荣巷, 钱坤 or the police ID 320501."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from api.models import ApiClient
from exams.models import Attempt, Exam
from tests import factories, rosters
from tests.api.conftest import TokenClient
from tests.exams.factories import exam
from tests.rosters import csv_bytes
from tests.trainees import test_province
from tests.trainees.test_province import get
from trainees.models import Enrollment, OrganizerUnit, Trainee, Unit
from trainees.permissions import reads_every_program
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db

province = test_province.province  # the fixture: the province, its cities and programs

WUXI = ("无锡", "滨湖", "荣巷", "钱坤", "320501")


def leaks(text):
    """The names of 无锡 that `text` holds."""
    return [word for word in WUXI if word in text]


def workbook_text(content):
    book = load_workbook(io.BytesIO(content))
    return " ".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def graded(exam_, enrollment, score):
    return Attempt.objects.create(
        exam=exam_, enrollment=enrollment, status=Attempt.Status.GRADED, score=score
    )


@pytest.fixture
def scored(province):
    """JS2024's entry and graduation exams graded: 张伟 60 → 80 (gain 20), 钱坤 50 → 90 (gain
    40). The class's mean gain is 30; 常州's, 20."""
    entry = exam(province.js, kind=Exam.Kind.ENTRY, title="入学摸底考试")
    graduation = exam(province.js, kind=Exam.Kind.GRADUATION, title="结业考试")
    a = Enrollment.objects.get(program=province.js, trainee=province.a)
    b = Enrollment.objects.get(program=province.js, trainee=province.b)
    for enrollment, (before, after) in ((a, (60, 80)), (b, (50, 90))):
        graded(entry, enrollment, before)
        graded(graduation, enrollment, after)
    return province


# --- leadership: query parameters naming another city --------------------------------------


@pytest.mark.parametrize("unit", ["wuxi", "binhu", "rongxiang", "top"])
def test_city_leader_dashboard_unit_filter_of_another_city_is_404(client, province, unit):
    leader = province.changzhou_leader
    foreign = getattr(province, unit).pk

    page = get(client, leader, "reports:dashboard", unit=foreign)
    export = get(client, leader, "reports:dashboard", unit=foreign, export="programs")
    own = get(client, leader, "reports:dashboard", unit=province.jintan.pk)

    assert (page.status_code, export.status_code, own.status_code) == (404, 404, 200)


@pytest.mark.parametrize("unit", ["wuxi", "binhu", "rongxiang", "top"])
def test_city_leader_province_program_unit_filter_of_another_city_is_404(client, province, unit):
    leader = province.changzhou_leader
    foreign = getattr(province, unit).pk

    page = get(client, leader, "reports:dashboard-program", "JS2024", unit=foreign)
    export = get(
        client, leader, "reports:dashboard-program", "JS2024", unit=foreign, export="gains"
    )
    own = get(client, leader, "reports:dashboard-program", "JS2024", unit=province.rulin.pk)

    assert (page.status_code, export.status_code, own.status_code) == (404, 404, 200)


def test_city_leader_dashboard_params_that_are_not_numbers_are_404(client, province):
    leader = province.changzhou_leader

    answers = [
        get(client, leader, "reports:dashboard", unit=f"{province.wuxi.pk} ").status_code,
        get(client, leader, "reports:dashboard", unit=f"-{province.wuxi.pk}").status_code,
        get(client, leader, "reports:dashboard", unit="１").status_code,  # a full-width digit
        get(client, leader, "reports:dashboard", year="2023 or 1=1").status_code,
        get(client, leader, "reports:dashboard", kind="x", unit=province.wuxi.pk).status_code,
        get(client, leader, "reports:dashboard", export="nope").status_code,
    ]

    assert answers == [404] * 6


@pytest.mark.parametrize(
    "key", ["programs", "years", "units-gain", "units-attendance", "repeaters"]
)
def test_city_leader_bureau_exports_hold_nothing_of_another_city(client, scored, key):
    response = get(client, scored.changzhou_leader, "reports:dashboard", export=key)

    assert response.status_code == 200
    assert leaks(workbook_text(response.content)) == []


@pytest.mark.parametrize(
    "key", ["distribution", "gains", "groups", "units", "days", "essays", "grades"]
)
def test_city_leader_province_program_exports_hold_nothing_of_another_city(client, scored, key):
    response = get(
        client, scored.changzhou_leader, "reports:dashboard-program", "JS2024", export=key
    )

    assert response.status_code == 200
    assert leaks(workbook_text(response.content)) == []


def test_city_leader_bureau_dashboard_counts_its_city_in_the_province_program(client, scored):
    """The summaries hold JS2024 per unit: 常州's reader adds up 常州's rows only."""
    response = get(client, scored.changzhou_leader, "reports:dashboard", export="programs")

    rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    js = next(row for row in rows if row[0] == "JS2024")
    # code, name, start, kind, trainees, mean entry, mean graduation, mean gain, …
    assert (js[4], js[5], js[6], js[7]) == (1, 60, 80, 20)


def test_city_leader_program_dashboard_counts_its_city_only(client, scored):
    board = get(client, scored.changzhou_leader, "reports:dashboard-program", "JS2024").context[
        "board"
    ]

    assert board.report.overall.trainees == 1
    assert board.report.overall.gain == 20
    assert [row.name for row in board.report.rows] == ["张伟"]


def test_city_leader_trainee_drilldown_shows_no_mean_of_another_city(client, scored):
    """张伟's drill-down shows JS2024's "class mean gain" beside his own gain: over the whole
    province-wide class, it gives away 钱坤's (2 × 30 − 20 = 40). The leader's program
    dashboard counts 常州's chiefs only (mean gain 20): the drill-down counts the same."""
    page = get(client, scored.changzhou_leader, "reports:dashboard-trainee", scored.a.pk)

    reports = {enrollment.program.code: report for enrollment, _row, report in page.context["rows"]}
    assert page.status_code == 200
    assert reports["JS2024"].overall.gain == 20
    assert reports["JS2024"].overall.trainees == 1


def test_branch_leader_trainee_drilldown_shows_no_mean_of_another_city(client, scored):
    page = get(client, scored.jintan_leader, "reports:dashboard-trainee", scored.a.pk)

    reports = {enrollment.program.code: report for enrollment, _row, report in page.context["rows"]}
    assert reports["JS2024"].overall.gain == 20


def test_city_leader_unit_drilldown_of_another_city_is_404_whatever_the_page(client, province):
    leader = province.changzhou_leader

    answers = [
        get(client, leader, "reports:dashboard-unit", province.wuxi.pk).status_code,
        get(client, leader, "reports:dashboard-unit", province.top.pk).status_code,
        get(client, leader, "reports:dashboard-unit", province.rongxiang.pk, page=2).status_code,
    ]
    own = get(client, leader, "reports:dashboard-unit", province.changzhou.pk, page="last")

    assert answers == [404, 404, 404]
    assert own.status_code == 200 and leaks(own.content.decode()) == []


def test_city_leader_learning_files_of_another_city_are_404(client, province):
    leader = province.changzhou_leader

    answers = [
        get(client, leader, "completion:trainee-file", province.b.pk).status_code,
        get(client, leader, "completion:trainee-file-pdf", province.b.pk).status_code,
        get(client, leader, "completion:unit-file-xlsx", province.top.pk).status_code,
        get(client, leader, "completion:unit-file-xlsx", province.rongxiang.pk).status_code,
    ]
    own = get(client, leader, "completion:unit-file-xlsx", province.changzhou.pk)

    assert answers == [404, 404, 404, 404]
    assert own.status_code == 200 and leaks(workbook_text(own.content)) == []


def test_city_leader_learning_file_of_its_trainee_holds_only_his_own(client, province):
    page = get(client, province.changzhou_leader, "completion:trainee-file", province.a.pk)

    assert page.status_code == 200
    assert leaks(page.content.decode()) == []
    codes = {row.program.code for row in page.context["file"].rows}
    assert codes == {"CZ2024", "JS2024"}


@pytest.mark.parametrize(
    "name",
    [
        "trainees:program-detail",
        "trainees:roster",
        "trainees:roster-export",
        "trainees:group-list",
        "reports:report",
        "reports:report-xlsx",
        "reports:report-pdf",
        "completion:certificates-pdf",
        "completion:closing",
        "completion:evaluation-results",
    ],
)
def test_city_leader_province_program_pages_are_404(client, province, name):
    assert get(client, province.changzhou_leader, name, "JS2024").status_code == 404
    assert get(client, province.changzhou_leader, name, "WX2024").status_code == 404


def test_city_leader_certificate_of_its_trainee_in_the_province_program_is_404(client, province):
    from completion.models import Certificate

    enrollment = Enrollment.objects.get(program=province.js, trainee=province.a)
    certificate = Certificate.objects.create(
        enrollment=enrollment, serial="JS2024-001", token="t" * 32, issued_at=timezone.now()
    )

    response = get(
        client, province.changzhou_leader, "completion:certificate-pdf", "JS2024", certificate.pk
    )

    assert response.status_code == 404


def test_branch_leader_cannot_climb_to_its_city(client, province):
    leader = province.jintan_leader

    answers = [
        get(client, leader, "reports:dashboard", unit=province.changzhou.pk).status_code,
        get(client, leader, "reports:dashboard-unit", province.changzhou.pk).status_code,
        get(client, leader, "completion:unit-file-xlsx", province.changzhou.pk).status_code,
        get(
            client, leader, "reports:dashboard-program", "JS2024", unit=province.changzhou.pk
        ).status_code,
    ]

    assert answers == [404, 404, 404, 404]


# --- the navbar, rendered once per kind of account -----------------------------------------


def test_navbar_of_a_branch_leader_is_not_a_city_leaders(client, province):
    """The navbar is rendered once per kind of account: a city's leadership reads programs
    (培训班), a branch's does not; the first rendered must not serve the other."""
    branch_first = get(client, province.jintan_leader, "reports:dashboard").content.decode()
    city_next = get(client, province.changzhou_leader, "reports:dashboard").content.decode()
    branch_again = get(client, province.jintan_leader, "reports:dashboard").content.decode()
    programs = reverse("trainees:program-list")

    assert (programs in branch_first, programs in city_next, programs in branch_again) == (
        False,
        True,
        False,
    )


# --- the organizer of a city ---------------------------------------------------------------


def test_city_organizer_does_not_reach_the_admin(client, province):
    client.force_login(province.organizer_cz)

    index = client.get("/admin/")
    units = client.get("/admin/trainees/unit/")
    own_unit = client.get("/admin/trainees/organizerunit/")

    for response in (index, units, own_unit):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_city_organizer_corrects_no_unit_of_another_city_by_any_field(client, province):
    client.force_login(province.organizer_cz)
    empty = factories.unit("金城派出所", parent=province.jintan)
    before = sorted(Unit.objects.values_list("pk", "name", "kind", "parent_id"))

    foreign_get = client.get(reverse("trainees:unit-update", args=[province.rongxiang.pk]))
    foreign_post = client.post(
        reverse("trainees:unit-update", args=[province.rongxiang.pk]),
        {"name": "荣巷派出所", "kind": "station", "parent": province.jintan.pk},
    )
    to_province = client.post(
        reverse("trainees:unit-update", args=[empty.pk]),
        {"name": "金城派出所", "kind": "station", "parent": province.top.pk},
    )
    own_city = client.post(
        reverse("trainees:unit-update", args=[province.changzhou.pk]),
        {"name": "常州市公安局", "kind": "bureau", "parent": province.wuxi.pk},
    )

    assert (foreign_get.status_code, foreign_post.status_code) == (404, 404)
    assert to_province.status_code == 200 and "parent" in to_province.context["form"].errors
    assert own_city.status_code == 302  # refused with its reason
    assert sorted(Unit.objects.values_list("pk", "name", "kind", "parent_id")) == before


def test_city_organizer_moves_no_bureau_of_its_program_to_another_city(client, province):
    client.force_login(province.organizer_cz)
    data = {
        "title": province.cz.title,
        "code": "CZ2024",
        "kind": province.cz.kind,
        "start_date": province.cz.start_date.isoformat(),
        "end_date": province.cz.end_date.isoformat(),
        "essay_min_chars": 1500,
    }

    to_wuxi = client.post(
        reverse("trainees:program-update", args=["CZ2024"]), {**data, "bureau": province.wuxi.pk}
    )
    to_top = client.post(
        reverse("trainees:program-update", args=["CZ2024"]), {**data, "bureau": province.top.pk}
    )

    province.cz.refresh_from_db()
    assert to_wuxi.status_code == 200 and "bureau" in to_wuxi.context["form"].errors
    assert to_top.status_code == 200 and "bureau" in to_top.context["form"].errors
    assert province.cz.bureau_id == province.changzhou.pk


def roster_file(rows, header=("姓名", "警号", "单位", "上级单位")):
    return csv_bytes(header=list(header), data=[list(row) for row in rows])


@pytest.mark.parametrize(
    "row",
    [
        ("王芳", "320502", "荣巷派出所", ""),  # a name 无锡 holds once
        ("王芳", "320502", "新单位派出所", "无锡市公安局滨湖分局"),  # under 无锡, by 上级单位
        ("王芳", "320502", "新单位派出所", "江苏省公安厅"),  # under the province
        ("王芳", "320502", "无锡市公安局", ""),  # the city bureau itself
        ("王芳", "320502", "江苏省公安厅", ""),  # the province itself
        ("王芳", "320502", "无锡市公安局新区分局", ""),  # a new branch of 无锡
        ("王芳", "320502", "无锡市公安局新区分局梅村派出所", ""),  # two new levels of 无锡
    ],
)
def test_city_organizer_files_no_trainee_outside_the_city(client, province, row):
    before = (Unit.objects.count(), Trainee.objects.count())

    client.force_login(province.organizer_cz)
    response = client.post(
        reverse("trainees:roster-import", args=["CZ2024"]),
        {"file": SimpleUploadedFile("名册.csv", roster_file([row]))},
    )

    plan = response.context["plan"]
    assert [(error.row, error.column) for error in plan.errors] == [(2, "单位")]
    assert (Unit.objects.count(), Trainee.objects.count()) == before


def test_city_organizer_xlsx_roster_enrolls_no_trainee_of_another_city(client, province):
    content = rosters.xlsx(
        [["钱坤", "320501", "常州市公安局金坛分局", "", "所长"]],
        header=["姓名", "警号", "单位", "上级单位", "职务"],
    )
    client.force_login(province.organizer_cz)

    response = client.post(
        reverse("trainees:roster-import", args=["CZ2024"]),
        {"file": SimpleUploadedFile("名册.xlsx", content)},
    )

    plan = response.context["plan"]
    assert [(error.row, error.column) for error in plan.errors] == [(3, "警号")]
    assert not province.cz.enrollments.filter(trainee=province.b).exists()
    province.b.refresh_from_db()
    assert province.b.unit_id == province.rongxiang.pk


def test_city_organizer_police_id_in_another_case_or_spacing_is_the_same_trainee(province):
    """警号 are compared upper-cased and stripped: 钱坤's, written otherwise, is still his."""
    wuxi_chief = factories.trainee("WX0001", name="周强", unit=province.rongxiang, with_login=False)
    content = roster_file([("周强", " wx0001 ", "常州市公安局金坛分局", "")])

    plan = roster_import(
        program=province.cz, name="名册.csv", content=content, user=province.organizer_cz
    )

    assert [(error.row, error.column) for error in plan.errors] == [(2, "警号")]
    wuxi_chief.refresh_from_db()
    assert wuxi_chief.unit_id == province.rongxiang.pk


def test_city_organizer_reads_no_dashboard_nor_file_of_another_city(client, province):
    client.force_login(province.organizer_cz)

    answers = [
        client.get(reverse("reports:dashboard-program", args=["JS2024"])).status_code,
        client.get(reverse("reports:dashboard-program", args=["WX2024"])).status_code,
        client.get(reverse("reports:dashboard-trainee", args=[province.b.pk])).status_code,
        client.get(reverse("completion:trainee-file", args=[province.b.pk])).status_code,
    ]
    unit_file = client.get(reverse("completion:unit-file-xlsx", args=[province.top.pk]))
    board = client.get(reverse("reports:dashboard"))

    assert answers == [404, 404, 404, 404]
    assert unit_file.status_code == 200 and leaks(workbook_text(unit_file.content)) == []
    assert board.status_code == 200 and leaks(board.content.decode()) == []


def test_city_organizer_names_no_unit_of_another_city_on_the_dashboards(client, province):
    """The dashboard's unit filter offered every bureau and branch of the province, and
    ?unit=, a unit's drill-down or its learning files named by id printed another city's
    unit: the units page shows a city's organizer its city only."""
    client.force_login(province.organizer_cz)

    answers = [
        client.get(reverse("reports:dashboard"), {"unit": province.wuxi.pk}).status_code,
        client.get(reverse("reports:dashboard"), {"unit": province.binhu.pk}).status_code,
        client.get(reverse("reports:dashboard-unit", args=[province.wuxi.pk])).status_code,
        client.get(reverse("completion:unit-file-xlsx", args=[province.binhu.pk])).status_code,
    ]
    own = client.get(reverse("reports:dashboard"), {"unit": province.jintan.pk})

    assert answers == [404, 404, 404, 404]
    assert own.status_code == 200
    assert [unit.name for unit in own.context["units"]] == ["常州市公安局", "常州市公安局金坛分局"]


def test_city_organizer_drills_into_another_citys_unit_holding_their_trainee(client, province):
    """The control: a trainee of their program in 无锡 (enrolled by an administrator) is
    theirs to read, and so is the unit he sits in (the dashboard's links lead there)."""
    factories.enrollment(province.cz, province.b)
    client.force_login(province.organizer_cz)

    unit = client.get(reverse("reports:dashboard-unit", args=[province.binhu.pk]))

    assert unit.status_code == 200 and "钱坤" in unit.content.decode()


def test_city_organizer_enrollment_of_another_city_under_own_code_is_404(client, province):
    foreign = Enrollment.objects.get(program=province.wx, trainee=province.b)
    shared = Enrollment.objects.get(program=province.js, trainee=province.a)
    client.force_login(province.organizer_cz)

    answers = [
        client.get(reverse("trainees:enrollment-detail", args=["CZ2024", foreign.pk])),
        client.get(reverse("trainees:enrollment-detail", args=["CZ2024", shared.pk])),
        client.get(reverse("trainees:enrollment-detail", args=["JS2024", shared.pk])),
        client.get(reverse("trainees:roster", args=["CZ2024"]), {"unit": province.wuxi.pk}),
    ]

    assert [answer.status_code for answer in answers[:3]] == [404, 404, 404]
    assert leaks(answers[3].content.decode()) == []


# --- a trainee -----------------------------------------------------------------------------


def test_trainee_reads_no_dashboard_nor_other_city(client, province):
    chief = factories.trainee("320403", name="李强", unit=province.rulin)
    factories.enrollment(province.js, chief)
    client.force_login(chief.user)

    dashboards = [
        client.get(reverse("reports:dashboard")).status_code,
        client.get(reverse("reports:dashboard-program", args=["JS2024"])).status_code,
    ]
    others = [
        client.get(reverse("reports:dashboard-trainee", args=[province.b.pk])).status_code,
        client.get(reverse("completion:trainee-file", args=[province.b.pk])).status_code,
        client.get(reverse("completion:unit-file-xlsx", args=[province.wuxi.pk])).status_code,
        client.get(reverse("trainees:roster", args=["JS2024"])).status_code,
    ]

    assert dashboards == [403, 403]
    assert others == [403, 404, 403, 404]  # the dashboards are no trainee's: 403 before any id


# --- the API: a city's client --------------------------------------------------------------


def api(unit, access=ApiClient.Access.READ):
    from api.services import client_token_issue

    client = ApiClient(name=f"{unit.name}系统-{access}", unit=unit, access=access)
    return TokenClient(client_token_issue(client=client))


def test_city_api_client_reads_its_city_only(province):
    city = api(province.changzhou)

    programs = [row["code"] for row in city.get("/api/v1/programs").json()["items"]]
    foreign = [
        city.get("/api/v1/programs/WX2024").status_code,
        city.get("/api/v1/programs/WX2024/roster").status_code,
        city.get("/api/v1/trainees/320501").status_code,
    ]
    paths = ("roster", "attendance", "scores", "essays", "completion")
    lists = {
        path: [
            row["police_id"] for row in city.get(f"/api/v1/programs/JS2024/{path}").json()["items"]
        ]
        for path in paths
    }
    trainees = [row["police_id"] for row in city.get("/api/v1/trainees?limit=200").json()["items"]]

    assert sorted(programs) == ["CZ2024", "JS2024"]
    assert foreign == [404, 404, 404]
    assert lists == {path: ["320401"] for path in paths}
    assert trainees == ["320401"]


def test_city_api_client_record_of_its_trainee_holds_his_own_programs(province):
    record = api(province.changzhou).get("/api/v1/trainees/320401").json()

    assert sorted(row["code"] for row in record["programs"]) == ["CZ2024", "JS2024"]


def test_city_api_client_pagination_counts_its_city_only(province):
    city = api(province.changzhou)

    page = city.get("/api/v1/programs/JS2024/roster?limit=1&offset=1").json()
    groups = city.get("/api/v1/programs/JS2024/groups").json()

    assert (page["count"], page["items"]) == (1, [])
    assert groups["count"] == 0


def test_city_api_client_imports_into_no_program_of_another(province):
    city = api(province.changzhou, ApiClient.Access.READ_WRITE)
    content = roster_file([("李强", "320402", "常州市公安局金坛分局金城派出所", "")])

    answers = [
        city.post(
            f"/api/v1/programs/{code}/roster", {"file": SimpleUploadedFile("名册.csv", content)}
        ).status_code
        for code in ("JS2024", "WX2024")
    ]

    assert answers == [404, 404]


@pytest.mark.parametrize(
    "row, column",
    [
        (("钱坤", "320501", "常州市公安局金坛分局金城派出所", ""), "警号"),
        (("王芳", "320502", "无锡市公安局滨湖分局河埒派出所", ""), "单位"),
        (("王芳", "320502", "荣巷派出所", ""), "单位"),
    ],
)
def test_city_api_client_roster_stays_in_the_city(province, row, column):
    """The API imports "as an organizer of that one program would on the page": 常州's
    client, like 常州's organizer, files no trainee in 无锡 and enrolls none of 无锡's."""
    city = api(province.changzhou, ApiClient.Access.READ_WRITE)
    before = (
        Unit.objects.count(),
        sorted(Trainee.objects.values_list("police_id", "unit_id")),
        province.cz.enrollments.count(),
    )

    response = city.post(
        "/api/v1/programs/CZ2024/roster",
        {"file": SimpleUploadedFile("名册.csv", roster_file([row]))},
    )

    assert response.status_code == 400, response.content
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, column)]
    after = (
        Unit.objects.count(),
        sorted(Trainee.objects.values_list("police_id", "unit_id")),
        province.cz.enrollments.count(),
    )
    assert after == before
    assert not OrganizerUnit.objects.exclude(
        user__in=[province.organizer_cz, province.organizer_wx]
    ).exists()


# --- a single city's organizer makes a province ----------------------------------------------


@pytest.fixture
def single_city():
    """A single-city installation: 常州市公安局 at the root (its leadership reads everything),
    an organizer without a unit and his program without a bureau."""
    city = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    organizer = factories.user("organizer")
    program = factories.program(organizers=[organizer], code="CZ2025", bureau=None)
    return SimpleNamespace(
        city=city,
        organizer=organizer,
        program=program,
        leader=factories.user("leadership", unit=city),
    )


def test_organizer_roster_makes_no_province_above_the_city(single_city):
    """A roster naming a 公安厅 made a unit of the kind 省公安厅: with a province in the tree,
    the city bureau is no longer the top, and its leadership and API client lose every
    program (trainees.permissions.is_top). Only an administrator makes a province."""
    content = csv_bytes(header=["姓名", "警号", "单位"], data=[["李强", "320402", "江苏省公安厅"]])

    plan = roster_import(
        program=single_city.program, name="名册.csv", content=content, user=single_city.organizer
    )

    assert plan.errors == []
    assert not Unit.objects.filter(kind=Unit.Kind.PROVINCE).exists()
    leader = type(single_city.leader).objects.get(pk=single_city.leader.pk)
    assert reads_every_program(leader) is True


def test_organizer_unit_form_makes_no_province(client, single_city):
    empty = factories.unit("空港派出所", parent=single_city.city)
    client.force_login(single_city.organizer)

    response = client.post(
        reverse("trainees:unit-update", args=[empty.pk]),
        {"name": "空港派出所", "kind": "province", "parent": single_city.city.pk},
    )

    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert Unit.objects.get(pk=empty.pk).kind == Unit.Kind.STATION
    assert reads_every_program(single_city.leader) is True


def test_administrator_roster_still_makes_a_province(single_city):
    content = csv_bytes(header=["姓名", "警号", "单位"], data=[["李强", "320402", "江苏省公安厅"]])

    roster_import(program=single_city.program, name="名册.csv", content=content, user=None)

    assert Unit.objects.get(name="江苏省公安厅").kind == Unit.Kind.PROVINCE
