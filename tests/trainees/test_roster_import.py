from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tests import factories, rosters
from trainees.models import Enrollment, Trainee, Unit
from trainees.roster import derived_parent
from trainees.services.groups import groups_create, groups_split
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db


def import_file(program, content, name="roster.xlsx", **options):
    return roster_import(program=program, name=name, content=content, **options)


def test_roster_import_220_rows_then_again_creates_nothing():
    program = factories.program(code="ZK2013")
    content = rosters.xlsx(rosters.rows(220))

    first = import_file(program, content)
    second = import_file(program, content)

    assert first.errors == []
    assert first.summary == "created 220, updated 0, unchanged 0"
    assert second.summary == "created 0, updated 0, unchanged 220"
    assert program.enrollments.count() == 220
    assert Trainee.objects.exclude(initial_password="").count() == 220


def test_roster_import_corrected_file_updates_only_what_changed():
    program = factories.program()
    data = rosters.rows(10)
    import_file(program, rosters.xlsx(data))
    data[2][5] = "教导员"  # 职务
    data[7][7] = "13800001111"  # 手机号

    plan = import_file(program, rosters.xlsx(data))

    assert plan.summary == "created 0, updated 2, unchanged 8"
    assert Trainee.objects.get(police_id=data[2][2]).position == "教导员"
    assert Trainee.objects.get(police_id=data[7][2]).phone == "13800001111"


def test_roster_import_dry_run_writes_nothing():
    program = factories.program()

    plan = import_file(program, rosters.xlsx(rosters.rows(5)), dry_run=True)

    assert plan.summary == "created 5, updated 0, unchanged 0"
    assert (Trainee.objects.count(), Unit.objects.count()) == (0, 0)


def test_roster_import_trainee_of_another_program_is_enrolled_not_duplicated():
    first, second = factories.program(), factories.program()
    content = rosters.xlsx(rosters.rows(3))
    import_file(first, content)

    plan = import_file(second, content)

    assert plan.summary == "created 3, updated 0, unchanged 0"
    assert Trainee.objects.count() == 3
    assert Enrollment.objects.filter(program=second).count() == 3


def test_roster_import_finds_header_after_title_rows_and_reads_english_headers():
    program = factories.program()
    header = ["No.", "name", "police_id", "unit", "position", "phone"]
    data = [[1, "Li Wei", "A1001", "常州市公安局钟楼分局西林派出所", "所长", "13912345678"]]

    plan = import_file(program, rosters.xlsx(data, header=header))

    assert plan.errors == []
    trainee = Trainee.objects.get()
    assert (trainee.name, trainee.police_id, trainee.position) == ("LiWei", "A1001", "所长")


def test_roster_import_keeps_police_ids_as_text():
    program = factories.program()
    data = rosters.rows(2)
    data[0][2] = 31245  # a numeric cell
    data[1][2] = "031245"  # a text cell with its zero

    import_file(program, rosters.xlsx(data))

    assert sorted(Trainee.objects.values_list("police_id", flat=True)) == ["031245", "31245"]


def test_roster_import_normalizes_full_width_and_spaces():
    program = factories.program()
    data = rosters.rows(1)
    data[0][1] = " 王　伟 "  # ideographic space inside the name
    data[0][2] = "４１００９９"
    data[0][7] = "１３９１２３４５６７８"

    import_file(program, rosters.xlsx(data))

    trainee = Trainee.objects.get()
    assert (trainee.name, trainee.police_id, trainee.phone) == ("王伟", "410099", "13912345678")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_roster_import_reads_csv_in_the_encodings_excel_writes(encoding):
    program = factories.program()

    plan = import_file(program, rosters.csv_bytes(rosters.rows(3), encoding=encoding), "名册.csv")

    assert plan.errors == []
    assert set(Trainee.objects.values_list("unit__name", flat=True)) == {
        rosters.STATIONS[1][0],
        rosters.STATIONS[2][0],
        rosters.STATIONS[3][0],
    }


def test_roster_import_reports_every_error_with_row_and_column_and_writes_nothing():
    program = factories.program()
    factories.group(program, number=1)
    factories.trainee(police_id="410005", name="赵六")
    data = rosters.rows(6, group_count=1)
    data[0][1] = ""  # row 3: 姓名 empty
    data[1][2] = data[2][2]  # rows 4 and 5: the same 警号
    data[3][7] = "12345"  # row 6: 手机号
    data[4][8] = "70"  # row 7: 分组 70, beyond the groups an import creates
    # row 7's police ID 410005 belongs to 赵六, under another name
    units_before = Unit.objects.count()

    plan = import_file(program, rosters.xlsx(data))

    assert [str(error) for error in plan.errors] == [
        "第 3 行，姓名：必填，但为空",
        "第 5 行，警号：警号 410003 与第 4 行重复",
        "第 6 行，手机号：“12345”不是有效的电话号码",
        f"第 7 行，警号：警号 410005 已属于 赵六，不是 {data[4][1]}",
        "第 7 行，分组：本培训班没有第 70 组",
    ]
    assert Enrollment.objects.count() == 0
    assert program.groups.count() == 1
    assert Unit.objects.count() == units_before


def test_roster_import_refuses_files_it_cannot_read():
    program = factories.program()
    workbook = Workbook()
    workbook.active.append(["序号", "名字", "编号"])
    no_header = BytesIO()
    workbook.save(no_header)

    assert [str(e) for e in import_file(program, b"", "empty.csv").errors] == ["文件是空的。"]
    assert [str(e) for e in import_file(program, b"x", "roster.pdf").errors] == [
        "只能导入 .xlsx 和 .csv 文件。"
    ]
    assert [str(e) for e in import_file(program, b"not a zip", "roster.xlsx").errors] == [
        "这不是可读取的 .xlsx 文件。"
    ]
    assert [str(e) for e in import_file(program, no_header.getvalue()).errors] == [
        "找不到表头：名册需要“姓名”“警号”“单位”三列。"
    ]


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("溧阳市公安局竹箦派出所", "溧阳市公安局"),
        ("常州市公安局金坛分局儒林派出所", "常州市公安局金坛分局"),
        ("常州市公安局金坛分局", "常州市公安局"),
        ("武进公安分局湖塘派出所", "武进公安分局"),
        ("常州市公安局", None),
        ("竹箦派出所", None),
    ],
)
def test_derived_parent_reads_the_parent_from_the_name(name, parent):
    assert derived_parent(name) == parent


def test_roster_import_builds_the_unit_tree_from_names():
    program = factories.program()
    header = ["姓名", "警号", "单位"]

    import_file(
        program, rosters.xlsx([["王伟", "410001", "常州市公安局金坛分局儒林派出所"]], header)
    )

    station = Unit.objects.get(name="常州市公安局金坛分局儒林派出所")
    assert station.kind == Unit.Kind.STATION
    assert station.parent.name == "常州市公安局金坛分局"
    assert station.parent.kind == Unit.Kind.BRANCH
    assert station.parent.parent.name == "常州市公安局"
    assert station.parent.parent.parent is None


def test_roster_import_keeps_a_unit_where_an_organizer_moved_it():
    program = factories.program()
    content = rosters.xlsx(rosters.rows(1))
    import_file(program, content)
    station = Unit.objects.get(name=rosters.STATIONS[1][0])
    bureau = Unit.objects.create(name="常州市公安局", kind=Unit.Kind.BUREAU)
    station.parent.parent = bureau
    station.parent.save()

    plan = import_file(program, content)

    assert plan.summary == "created 0, updated 0, unchanged 1"
    assert Unit.objects.get(name="溧阳市公安局").parent == bureau


def test_roster_import_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    small_program, large_program = factories.program(), factories.program()
    small, large = rosters.xlsx(rosters.rows(20)), rosters.xlsx(rosters.rows(400, start=100))

    with django_assert_max_num_queries(40) as few:
        import_file(small_program, small)
    # Only the bulk INSERTs split into batches: SQLite takes 999 parameters a statement, so 400
    # trainees, their enrollments and the history rows of both take a few statements each.
    with django_assert_max_num_queries(len(few.captured_queries) + 10):
        plan = import_file(large_program, large)

    assert plan.summary == "created 400, updated 0, unchanged 0"


def test_import_roster_command_prints_the_summary(tmp_path):
    factories.program(code="CZ2023")
    path = tmp_path / "roster.xlsx"
    path.write_bytes(rosters.xlsx(rosters.rows(220)))
    out = StringIO()

    call_command("import_roster", "CZ2023", str(path), stdout=out)
    call_command("import_roster", "CZ2023", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "created 220, updated 0, unchanged 0",
        "created 0, updated 0, unchanged 220",
    ]


def test_import_roster_command_dry_run_changes_nothing(tmp_path):
    factories.program(code="CZ2023")
    path = tmp_path / "roster.csv"
    path.write_bytes(rosters.csv_bytes(rosters.rows(4)))
    out = StringIO()

    call_command("import_roster", "CZ2023", str(path), "--dry-run", stdout=out)

    assert out.getvalue() == "created 4, updated 0, unchanged 0\n"
    assert Trainee.objects.count() == 0


def test_import_roster_command_errors_go_to_stderr_with_exit_code_1(tmp_path):
    factories.program(code="CZ2023")
    data = rosters.rows(3)
    data[1][3] = ""
    path = tmp_path / "roster.csv"
    path.write_bytes(rosters.csv_bytes(data))
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_roster", "CZ2023", str(path), stderr=err)

    assert raised.value.returncode == 1
    assert err.getvalue() == "第 3 行，单位：必填，但为空\n"
    assert Trainee.objects.count() == 0


def test_roster_import_empty_group_cells_leave_groups_as_they_are():
    program = factories.program()
    groups_create(program=program, count=3)
    content = rosters.xlsx(rosters.rows(12))  # 分组 column present, every cell empty
    import_file(program, content)
    groups_split(program=program)

    plan = import_file(program, content)

    assert plan.summary == "created 0, updated 0, unchanged 12"
    assert program.enrollments.filter(group__isnull=True).count() == 0


def test_roster_import_reads_group_numbers_written_in_chinese():
    program = factories.program()
    groups_create(program=program, count=12)
    data = rosters.rows(3)
    data[0][8], data[1][8], data[2][8] = "第三组", "十二", "3组"

    import_file(program, rosters.xlsx(data))

    numbers = [e.group.number for e in Enrollment.objects.order_by("trainee__police_id")]
    assert numbers == [3, 12, 3]


def test_roster_import_files_a_unit_under_the_parent_the_row_gives():
    program = factories.program()
    liyang = factories.unit(name="溧阳市公安局", kind="branch")
    chengdong = factories.unit(name="城东派出所", parent=liyang)
    header = ["姓名", "警号", "单位", "上级单位"]
    data = [
        ["王伟", "410001", "城东派出所", "金坛分局"],
        ["李强", "410002", "城东派出所", "溧阳市公安局"],
    ]

    plan = import_file(program, rosters.xlsx(data, header))

    assert plan.errors == []
    units = dict(Trainee.objects.values_list("police_id", "unit__parent__name"))
    assert units == {"410001": "金坛分局", "410002": "溧阳市公安局"}
    assert Trainee.objects.get(police_id="410002").unit == chengdong


def test_roster_import_tells_same_name_units_apart_by_parent():
    program = factories.program()
    a, b = (
        factories.unit(name="甲分局", kind="branch"),
        factories.unit(name="乙分局", kind="branch"),
    )
    in_a = factories.unit(name="城南派出所", parent=a)
    in_b = factories.unit(name="城南派出所", parent=b)
    header = ["姓名", "警号", "单位", "上级单位"]
    data = [
        ["王伟", "410001", "城南派出所", "丙分局"],
        ["李强", "410002", "城南派出所", "甲分局"],
        ["张敏", "410003", "城南派出所", "乙分局"],
        ["赵静", "410004", "城南派出所", ""],
    ]

    plan = import_file(program, rosters.xlsx(data, header))

    assert [str(e) for e in plan.errors] == [
        "第 6 行，单位：有多个名为 城南派出所 的单位，请填写上级单位以便区分"
    ]
    assert Unit.objects.filter(name="城南派出所").count() == 2
    data.pop()
    import_file(program, rosters.xlsx(data, header))
    units = dict(Trainee.objects.values_list("police_id", "unit__parent__name"))
    assert units == {"410001": "丙分局", "410002": "甲分局", "410003": "乙分局"}
    assert {in_a.trainees.count(), in_b.trainees.count()} == {1}


def test_roster_import_refuses_formulas_and_upper_cases_police_ids():
    program = factories.program()
    data = rosters.rows(2)
    data[0][1] = '=HYPERLINK("http://x")'
    data[1][2] = "ab1234"

    plan = import_file(program, rosters.csv_bytes(data), "roster.csv")

    assert [str(e) for e in plan.errors] == ["第 2 行，姓名：不能以 = + - 或 @ 开头"]
    data.pop(0)
    import_file(program, rosters.csv_bytes(data), "roster.csv")
    assert Trainee.objects.get().police_id == "AB1234"


def test_roster_import_refuses_a_header_without_rows():
    program = factories.program()

    plan = import_file(program, rosters.xlsx([]))

    assert [str(e) for e in plan.errors] == ["名册只有表头，没有学员。"]
