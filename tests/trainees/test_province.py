"""A province in one installation (issue 21): 江苏省公安厅 above two city bureaus, 常州 and
无锡. A city's leadership reads its city's programs and its trainees' figures in a
province-wide program; the province's reads everything; an organizer with a unit stays in it.
The single-city installation (a root city bureau, no province) behaves as before."""

import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.branches import unit_branches
from tests import factories
from tests.rosters import csv_bytes
from trainees.models import OrganizerUnit, Unit
from trainees.permissions import dashboard_scope, organizer_bound, reads_every_program
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    """The province, its two cities and a branch of each, one trainee in each city, and the
    programs: 常州's (CZ), 无锡's (WX) and the province's (JS, both trainees)."""
    top = factories.unit("江苏省公安厅", kind=Unit.Kind.PROVINCE)
    changzhou = factories.unit("常州市公安局", parent=top, kind=Unit.Kind.BUREAU)
    wuxi = factories.unit("无锡市公安局", parent=top, kind=Unit.Kind.BUREAU)
    jintan = factories.unit("常州市公安局金坛分局", parent=changzhou, kind=Unit.Kind.BRANCH)
    binhu = factories.unit("无锡市公安局滨湖分局", parent=wuxi, kind=Unit.Kind.BRANCH)
    rulin = factories.unit("儒林派出所", parent=jintan)
    rongxiang = factories.unit("荣巷派出所", parent=binhu)
    a = factories.trainee("320401", name="张伟", unit=rulin, with_login=False)
    b = factories.trainee("320501", name="钱坤", unit=rongxiang, with_login=False)
    organizer_cz = factories.user("organizer", username="org_cz")
    OrganizerUnit.objects.create(user=organizer_cz, unit=changzhou)
    organizer_wx = factories.user("organizer", username="org_wx")
    OrganizerUnit.objects.create(user=organizer_wx, unit=wuxi)
    organizer_js = factories.user("organizer", username="org_js")
    cz = factories.program(organizers=[organizer_cz], code="CZ2024", bureau=changzhou)
    wx = factories.program(organizers=[organizer_wx], code="WX2024", bureau=wuxi)
    js = factories.program(organizers=[organizer_js], code="JS2024", bureau=top)
    factories.enrollment(cz, a)
    factories.enrollment(wx, b)
    factories.enrollment(js, a)
    factories.enrollment(js, b)
    return SimpleNamespace(
        **locals(),
        province_leader=factories.user("leadership", unit=top),
        changzhou_leader=factories.user("leadership", unit=changzhou),
        wuxi_leader=factories.user("leadership", unit=wuxi),
        jintan_leader=factories.user("leadership", unit=jintan),
    )


def get(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


def test_city_leader_reads_its_city_programs_only(client, province):
    leader = province.changzhou_leader

    assert get(client, leader, "trainees:program-detail", "CZ2024").status_code == 200
    assert get(client, leader, "trainees:program-detail", "WX2024").status_code == 404
    # The province-wide program's pages show every city's trainees: its dashboard only.
    assert get(client, leader, "trainees:program-detail", "JS2024").status_code == 404
    assert get(client, leader, "trainees:roster", "JS2024").status_code == 404
    assert get(client, leader, "trainees:program-update", "CZ2024").status_code == 403
    listed = get(client, leader, "trainees:program-list").content.decode()
    assert ("CZ2024" in listed, "WX2024" in listed, "JS2024" in listed) == (True, False, False)


def test_city_leader_reads_its_city_figures_in_a_province_wide_program(client, province):
    leader = province.changzhou_leader

    programs, unit_ids = dashboard_scope(leader)
    page = get(client, leader, "reports:dashboard-program", "JS2024")

    assert sorted(programs.values_list("code", flat=True)) == ["CZ2024", "JS2024"]
    assert unit_ids == province.changzhou.descendant_ids()
    assert page.status_code == 200
    text = page.content.decode()
    assert "金坛分局" in text
    assert "无锡" not in text and "滨湖" not in text and "钱坤" not in text
    assert get(client, leader, "reports:dashboard-program", "WX2024").status_code == 404
    assert get(client, leader, "reports:dashboard-trainee", province.b.pk).status_code == 404
    assert get(client, leader, "reports:dashboard-trainee", province.a.pk).status_code == 200
    assert get(client, leader, "reports:dashboard-unit", province.wuxi.pk).status_code == 404
    assert get(client, leader, "completion:unit-file-xlsx", province.wuxi.pk).status_code == 404
    board = get(client, leader, "reports:dashboard").content.decode()
    assert "JS2024" in board and "CZ2024" in board and "WX2024" not in board


def test_city_leader_export_holds_no_trainee_of_another_city(client, province):
    response = get(
        client, province.wuxi_leader, "reports:dashboard-program", "JS2024", export="units"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "滨湖分局" in cells and "常州" not in cells and "金坛" not in cells


def test_province_leader_reads_everything(client, province):
    leader = province.province_leader

    assert reads_every_program(leader) is True
    for code in ("CZ2024", "WX2024", "JS2024"):
        assert get(client, leader, "trainees:program-detail", code).status_code == 200
    text = get(client, leader, "reports:dashboard-program", "JS2024").content.decode()
    assert "金坛分局" in text and "滨湖分局" in text


def test_branch_leader_under_a_province_keeps_its_rights(client, province):
    leader = province.jintan_leader

    assert get(client, leader, "trainees:program-detail", "CZ2024").status_code == 404
    assert get(client, leader, "reports:dashboard-program", "JS2024").status_code == 200
    assert get(client, leader, "reports:dashboard-program", "WX2024").status_code == 404


def test_a_root_left_by_an_import_under_a_province_does_not_read_everything(province):
    stray = factories.unit("宿迁市公安局", kind=Unit.Kind.BUREAU)  # a root, beside the province
    leader = factories.user("leadership", unit=stray)

    programs, unit_ids = dashboard_scope(leader)

    assert reads_every_program(leader) is False
    assert (list(programs), unit_ids) == ([], {stray.pk})


def test_single_city_bureau_at_the_root_reads_everything():
    city = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    branch = factories.unit("常州市公安局金坛分局", parent=city, kind=Unit.Kind.BRANCH)
    other = factories.program(bureau=None)
    leader = factories.user("leadership", unit=city)
    branch_leader = factories.user("leadership", unit=branch)

    assert reads_every_program(leader) is True
    assert dashboard_scope(leader)[1] is None
    assert list(dashboard_scope(leader)[0]) == [other]
    assert reads_every_program(branch_leader) is False
    assert list(dashboard_scope(branch_leader)[0]) == []


def test_organizer_of_one_city_cannot_reach_another_citys_units(client, province):
    organizer = province.organizer_cz
    empty = factories.unit("金城派出所", parent=province.jintan)  # no trainee: theirs to correct
    client.force_login(organizer)

    units = client.get(reverse("trainees:unit-list")).content.decode()
    foreign = client.get(reverse("trainees:unit-update", args=[province.binhu.pk]))
    moved = client.post(
        reverse("trainees:unit-update", args=[empty.pk]),
        {"name": "金城派出所", "kind": "station", "parent": province.binhu.pk},
    )
    renamed = client.post(
        reverse("trainees:unit-update", args=[empty.pk]),
        {"name": "金城派出所", "kind": "station", "parent": province.changzhou.pk},
    )

    assert "金坛分局" in units and "无锡" not in units and "江苏省公安厅" not in units
    assert foreign.status_code == 404
    assert moved.status_code == 200 and "parent" in moved.context["form"].errors
    assert renamed.status_code == 302  # the control: within the city, it moves
    empty.refresh_from_db()
    assert empty.parent_id == province.changzhou.pk
    own = client.post(
        reverse("trainees:unit-update", args=[province.changzhou.pk]),
        {"name": "常州市公安局", "kind": "bureau", "parent": province.changzhou.pk},
    )
    assert own.status_code == 302 and Unit.objects.get(pk=province.changzhou.pk).parent_id == (
        province.top.pk
    )


def test_organizer_bureau_is_bounded_by_their_unit(client, province):
    client.force_login(province.organizer_cz)
    form = client.get(reverse("trainees:program-create")).context["form"]
    data = {
        "title": "常州新任所长班",
        "code": "CZ2025",
        "kind": "chiefs",
        "start_date": "2025-03-01",
        "end_date": "2025-03-03",
        "essay_min_chars": 1500,
        "bureau": province.wuxi.pk,
    }

    refused = client.post(reverse("trainees:program-create"), data)
    created = client.post(reverse("trainees:program-create"), {**data, "bureau": ""})

    assert set(form.fields["bureau"].queryset) == {province.changzhou}
    assert form.initial["bureau"] == province.changzhou.pk
    assert refused.status_code == 200 and "bureau" in refused.context["form"].errors
    assert created.status_code == 200 and "bureau" in created.context["form"].errors


def test_roster_import_of_a_city_organizer_stays_in_the_city(province):
    content = csv_bytes(
        header=["姓名", "警号", "单位"],
        data=[
            ["李强", "320402", "常州市公安局金坛分局金城派出所"],
            ["王芳", "320502", "无锡市公安局滨湖分局河埒派出所"],
            ["钱坤", "320501", "常州市公安局金坛分局金城派出所"],
        ],
    )

    plan = roster_import(
        program=province.cz, name="名册.csv", content=content, user=province.organizer_cz
    )

    assert [(error.row, error.column) for error in plan.errors] == [(3, "单位"), (4, "警号")]
    assert "无锡市公安局滨湖分局" in str(plan.errors[0])
    assert "钱坤" not in str(plan.errors[1])
    assert not Unit.objects.filter(name__contains="河埒").exists()
    assert organizer_bound(province.organizer_js) is None


def test_province_wide_roster_files_units_under_the_right_city(province):
    content = csv_bytes(
        header=["姓名", "警号", "单位"],
        data=[
            ["李强", "320402", "常州市公安局金坛分局金城派出所"],
            ["王芳", "320502", "无锡市公安局滨湖分局河埒派出所"],
            ["孙杰", "321301", "宿迁市公安局宿城分局项里派出所"],
        ],
    )

    plan = roster_import(
        program=province.js, name="名册.csv", content=content, user=province.organizer_js
    )

    assert plan.errors == []
    parent_of = {
        u.name: (u.parent and u.parent.name, u.kind) for u in Unit.objects.select_related("parent")
    }
    assert parent_of["常州市公安局金坛分局金城派出所"][0] == "常州市公安局金坛分局"
    assert parent_of["无锡市公安局滨湖分局河埒派出所"][0] == "无锡市公安局滨湖分局"
    assert parent_of["宿迁市公安局宿城分局"] == ("宿迁市公安局", Unit.Kind.BRANCH)
    assert parent_of["宿迁市公安局"] == ("江苏省公安厅", Unit.Kind.BUREAU)


def test_report_branches_under_a_province_are_below_the_city(province):
    branches = unit_branches([province.rulin.pk, province.rongxiang.pk, province.changzhou.pk])

    assert branches == {
        province.rulin.pk: (province.jintan.pk, "常州市公安局金坛分局"),
        province.rongxiang.pk: (province.binhu.pk, "无锡市公安局滨湖分局"),
        province.changzhou.pk: (province.changzhou.pk, "常州市公安局"),
    }
