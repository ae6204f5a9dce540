"""Issue 18: a bureau's own roster imports in one go. A Zhoukou-style class: 220 chiefs of
the county bureaus of one city, 8 groups named in 分组 that the program does not have yet;
the county bureaus are filed under the city bureau that runs the program."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests import factories, rosters
from trainees.import_errors import HintedError, error_report, row_ranges
from trainees.models import Enrollment, Group, Program, Unit
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db

IMPORT = "/trainees/programs/ZK2026/roster/import/"


@pytest.fixture
def zhoukou(organizer):
    """ZK2026, run by 周口市公安局 (the only unit so far), without groups."""
    bureau = factories.unit(rosters.ZHOUKOU, kind=Unit.Kind.BUREAU)
    return factories.program(organizers=[organizer], code="ZK2026", bureau=bureau)


def upload(content, name="周口名册.xlsx"):
    return SimpleUploadedFile(name, content)


def test_a_220_chief_roster_with_new_groups_and_county_bureaus_imports_in_one_go(
    client, organizer, zhoukou
):
    client.force_login(organizer)
    content = rosters.xlsx(rosters.zhoukou_rows(220, group_count=8))  # a title row first

    preview = client.post(IMPORT, {"file": upload(content)})
    digest = preview.context["digest"]
    confirmed = client.post(IMPORT, {"digest": digest, "confirm": "1"})

    assert preview.status_code == 200 and preview.context["plan"].errors == []
    assert [g.number for g in preview.context["plan"].new_groups] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert 'id="import-new-groups"' in preview.content.decode()
    assert confirmed.status_code == 302
    assert list(zhoukou.groups.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7, 8]
    sizes = [zhoukou.enrollments.filter(group__number=n).count() for n in range(1, 9)]
    assert sizes == [27, 28, 28, 28, 28, 27, 27, 27]
    bureau = zhoukou.bureau
    assert list(Unit.objects.filter(parent=None)) == [bureau]
    counties = Unit.objects.filter(name__in=rosters.ZHOUKOU_COUNTIES)
    assert set(counties.values_list("parent_id", "kind")) == {(bureau.pk, Unit.Kind.BRANCH)}
    assert counties.count() == 11
    assert Unit.objects.filter(name="城关派出所").count() == 11  # one in every county
    assert set(
        Enrollment.objects.filter(program=zhoukou).values_list(
            "trainee__unit__parent__parent", flat=True
        )
    ) == {bureau.pk}
    roster = client.get("/trainees/programs/ZK2026/roster/").content.decode()
    assert "川汇区分局城关派出所" in roster  # 城关派出所 alone would not say which


def test_the_new_groups_are_created_with_the_import_and_not_by_a_preview(zhoukou):
    content = rosters.xlsx(rosters.zhoukou_rows(30, group_count=8))
    factories.group(zhoukou, number=2, host_name="王局长")

    preview = roster_import(program=zhoukou, name="r.xlsx", content=content, dry_run=True)
    groups_after_preview = zhoukou.groups.count()
    roster_import(program=zhoukou, name="r.xlsx", content=content)

    assert [g.number for g in preview.new_groups] == [1, 3, 4, 5, 6, 7, 8]
    assert groups_after_preview == 1
    assert zhoukou.groups.count() == 8
    assert Group.objects.get(program=zhoukou, number=2).host_name == "王局长"
    created = Group.history.filter(program_id=zhoukou.pk, history_type="+").first()
    assert created.history_change_reason == "roster import:ZK2026"


def test_an_import_that_fails_creates_no_group(zhoukou):
    data = rosters.zhoukou_rows(10, group_count=8)
    data[-1][7] = "12345"  # the last row's phone

    plan = roster_import(program=zhoukou, name="r.xlsx", content=rosters.xlsx(data))

    assert len(plan.errors) == 1
    assert zhoukou.groups.count() == 0


def test_a_moved_trainee_goes_to_a_group_created_by_the_same_import(zhoukou):
    data = rosters.zhoukou_rows(4, group_count=2)
    roster_import(program=zhoukou, name="r.xlsx", content=rosters.xlsx(data))
    data[0][8] = "5"

    plan = roster_import(program=zhoukou, name="r.xlsx", content=rosters.xlsx(data))

    assert plan.summary == "created 0, updated 1, unchanged 3"
    moved = Enrollment.objects.get(program=zhoukou, trainee__police_id=data[0][2])
    assert moved.group.number == 5


def test_the_program_form_offers_the_bureaus_and_a_new_program_names_one(
    client, organizer, zhoukou
):
    county = factories.unit("商水县公安局", parent=zhoukou.bureau, kind=Unit.Kind.BRANCH)
    factories.unit("城关派出所", parent=county)
    client.force_login(organizer)

    form = client.get("/trainees/programs/new/").context["form"]
    response = client.post(
        "/trainees/programs/new/",
        {
            "title": "周口市派出所所长专业化延伸培训班（第二期）",
            "code": "ZK2027",
            "start_date": "2027-03-22",
            "end_date": "2027-03-26",
            "bureau": zhoukou.bureau.pk,
            "essay_min_chars": "1500",
        },
    )

    assert list(form.fields["bureau"].queryset) == [zhoukou.bureau]
    assert form.initial["bureau"] == zhoukou.bureau.pk  # the organizer's latest program's
    assert response.status_code == 302
    assert Program.objects.get(code="ZK2027").bureau == zhoukou.bureau


def test_a_station_whose_name_spells_no_parent_goes_under_the_program_bureau(zhoukou):
    header = ["姓名", "警号", "单位"]
    data = [
        ["王伟", "410001", "城关派出所"],
        ["李强", "410002", "周口市公安局"],
        ["张敏", "410003", "周口市公安局川汇分局荷花派出所"],
    ]

    roster_import(program=zhoukou, name="r.xlsx", content=rosters.xlsx(data, header))

    parents = dict(Unit.objects.values_list("name", "parent__name"))
    assert parents == {
        "周口市公安局": None,
        "城关派出所": "周口市公安局",
        "周口市公安局川汇分局": "周口市公安局",
        "周口市公安局川汇分局荷花派出所": "周口市公安局川汇分局",
    }


def test_a_program_without_a_bureau_keeps_new_county_bureaus_at_the_top():
    program = factories.program()

    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.zhoukou_rows(3)))

    assert set(Unit.objects.filter(parent=None).values_list("name", flat=True)) == {
        "川汇区分局",
        "淮阳区公安局",
        "项城市公安局",
    }


def test_an_error_on_200_rows_is_shown_once_with_its_rows(client, organizer, zhoukou):
    client.force_login(organizer)
    data = rosters.zhoukou_rows(220)
    for row in data[:200]:
        row[8] = "99"  # rows 3 to 202 (row 1: the title, row 2: the header)
    data[209][8] = "99"  # row 212

    response = client.post(IMPORT, {"file": upload(rosters.xlsx(data))})

    page = response.content.decode()
    errors = page[page.index('id="import-errors"') :]
    assert len(response.context["plan"].errors) == 201
    assert errors.count("本培训班没有第 99 组") == 1
    assert re.search(r"3–202(、|, )212", errors)
    assert errors.count("<li>") == 1
    assert zhoukou.groups.count() == 0


def test_row_ranges_compresses_runs():
    with translation.override("en"):
        assert row_ranges([12, 3, 4, 5, 9, *range(13, 41)]) == ("3–5, 9, 12–40", False)
        assert row_ranges([7]) == ("7", False)
        assert row_ranges(range(3, 60, 2), limit=3) == ("3, 5, 7", True)


def test_error_report_groups_one_problem_and_keeps_the_others_apart():
    errors = [
        HintedError(None, "", "file"),
        HintedError(3, "分组", "same", "a hint"),
        HintedError(3, "性别", "other"),
        HintedError(4, "分组", "same", "a hint"),
        HintedError(5, "分组", "same", "a hint"),
        HintedError(9, "分组", "same", "a hint"),
    ]

    with translation.override("en"):
        report = error_report(errors)
        lines = [str(line) for line in report.lines]

    assert lines == [
        "file",
        "Rows 3–5, 9, 分组: same",
        "Row 3, 性别: other",
    ]
    assert [line.hint for line in report.lines] == ["", "a hint", ""]


def test_error_report_counts_what_it_leaves_off():
    errors = [HintedError(n, "警号", f"police ID {n}") for n in range(3, 63)]

    report = error_report(errors, max_lines=50)

    assert (len(report.lines), report.left_off) == (50, 10)


def test_a_unit_ambiguity_without_a_parent_column_hints_to_add_one(zhoukou):
    for county in ("商水县公安局", "沈丘县公安局"):
        factories.unit("城关派出所", parent=factories.unit(county, parent=zhoukou.bureau))
    header = ["姓名", "警号", "单位"]

    content = rosters.xlsx([["王伟", "410001", "城关派出所"]], header)

    with translation.override("en"):
        plan = roster_import(program=zhoukou, name="r.xlsx", content=content)

    assert [(e.row, e.hint) for e in plan.errors] == [(3, "Add a 上级单位 column to the file.")]
