"""成绩通报: the report's numbers on a class worked out by hand, its scope, its files, its
preview page and who may see it."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from discussions.models import Essay, Grade
from exams.models import Exam
from reports import files as report_files
from reports.branches import unit_branches
from reports.selectors.report import program_report, report_units
from sessions.models import Attendance
from tests import factories
from tests.exams.factories import exam
from tests.reports.report_class import DAY, NIGHT, scores_set
from tests.timetable.factories import activity
from trainees.models import Unit

pytestmark = pytest.mark.django_db


def summary_figures(summary):
    return (
        summary.name,
        summary.trainees,
        summary.entry,
        summary.graduation,
        summary.gain,
        summary.sat,
        summary.passed,
        summary.pass_rate,
        summary.attendance_rate,
    )


def test_report_rows_equal_the_hand_computed_class(program, small_class):
    report = program_report(program, now=NIGHT)

    # Roster order: group 1 (100001, 100003, 100005), then group 2 (100002, 100004).
    jintan, liyang = "常州市公安局金坛分局", "溧阳市公安局"
    assert [
        (row.police_id, row.name, row.unit, row.branch, row.group.number) for row in report.rows
    ] == [
        ("100001", "张伟", "儒林派出所", jintan, 1),
        ("100003", "王强", "竹箦派出所", liyang, 1),
        ("100005", "陈静", jintan, jintan, 1),
        ("100002", "李娜", "薛埠派出所", jintan, 2),
        ("100004", "刘洋", "竹箦派出所", liyang, 2),
    ]
    # Attendance: 3/3 = 100.0 %, 2/3 = 66.7 %, 2/3 = 66.7 %, 1/2 = 50.0 %, 2/2 = 100.0 %.
    assert [
        (
            *(row.entry, row.graduation, row.gain, row.passed, row.essay_grade),
            *(row.attendance_rate, row.late, row.absent, row.leave),
        )
        for row in report.rows
    ] == [
        (60, 80, 20, True, "A", 100.0, 1, 0, 0),
        (50, 90, 40, True, "", 66.7, 0, 0, 1),
        (None, 58, None, False, "", 66.7, 0, 1, 0),
        (70, 60, -10, True, "C", 50.0, 0, 1, 0),
        (66, None, None, None, "B", 100.0, 2, 0, 0),
    ]
    assert report.rows[0].essay_grade_label == str(Grade.EXCELLENT.label)


def test_report_summaries_equal_the_hand_computed_class(program, small_class):
    report = program_report(program, now=NIGHT)

    # 金坛 (张伟, 李娜, 陈静): entry (60+70)/2 = 65.0; graduation (80+60+58)/3 = 66.0;
    #   gain (20−10)/2 = 5.0; 3 sat, 2 passed → 66.7 %; attended 3+1+2 of 3+2+3 → 6/8 = 75.0 %.
    # 溧阳 (王强, 刘洋): entry (50+66)/2 = 58.0; graduation 90.0; gain 40.0; 1 sat, 1 passed →
    #   100.0 %; attended 2+2 of 3+2 → 4/5 = 80.0 %.
    assert [summary_figures(s) for s in report.units] == [
        ("常州市公安局金坛分局", 3, Decimal(65), Decimal(66), Decimal(5), 3, 2, 66.7, 75.0),
        ("溧阳市公安局", 2, Decimal(58), Decimal(90), Decimal(40), 1, 1, 100.0, 80.0),
    ]
    assert [s.key for s in report.units] == [
        Unit.objects.get(name="常州市公安局金坛分局").pk,
        Unit.objects.get(name="溧阳市公安局").pk,
    ]
    # Group 1 (张伟, 王强, 陈静): entry (60+50)/2 = 55.0; graduation (80+90+58)/3 = 76.0;
    #   gain (20+40)/2 = 30.0; 3 sat, 2 passed → 66.7 %; attended 3+2+2 of 9 → 77.8 %.
    # Group 2 (李娜, 刘洋): entry (70+66)/2 = 68.0; graduation 60.0; gain −10.0; 1 sat, 1
    #   passed → 100.0 %; attended 1+2 of 2+2 → 75.0 %.
    first, second = (str(g) for g in program.groups.order_by("number"))
    assert [summary_figures(s) for s in report.groups] == [
        (first, 3, Decimal(55), Decimal(76), Decimal(30), 3, 2, 66.7, 77.8),
        (second, 2, Decimal(68), Decimal(60), Decimal(-10), 1, 1, 100.0, 75.0),
    ]
    # Whole class: entry 246/4 = 61.5; graduation 288/4 = 72.0; gain 50/3 = 16.7; 4 sat,
    #   3 passed → 75.0 %; attended 10 of 13 → 76.9 %; late 1+2 = 3, absent 1+1 = 2, leave 1.
    assert summary_figures(report.overall)[1:] == (
        5,
        Decimal("61.5"),
        Decimal(72),
        Decimal("16.7"),
        4,
        3,
        75.0,
        76.9,
    )
    assert (report.pass_rate, report.pass_mark) == (75.0, Decimal(60))
    overall = report.overall.attendance
    assert (overall.late, overall.absent, overall.leave) == (3, 2, 1)
    # Four graduation scores: two best (王强 90, 张伟 80), two lowest (陈静 58, 李娜 60).
    assert [row.name for row in report.top] == ["王强", "张伟"]
    assert [row.name for row in report.bottom] == ["陈静", "李娜"]


def test_report_scope_unit_keeps_its_units_rows_and_sums_them_alone(program, small_class, units):
    report = program_report(program, scope_unit=units["jintan"], now=NIGHT)

    assert [row.police_id for row in report.rows] == ["100001", "100005", "100002"]
    assert [summary_figures(s) for s in report.units] == [
        ("常州市公安局金坛分局", 3, Decimal(65), Decimal(66), Decimal(5), 3, 2, 66.7, 75.0),
    ]
    # Group 1 here is 张伟 and 陈静 only: graduation (80+58)/2 = 69.0, 1 of 2 passed,
    # attended 3+2 of 6 → 83.3 %.
    assert [summary_figures(s)[1:] for s in report.groups] == [
        (2, Decimal(60), Decimal(69), Decimal(20), 2, 1, 50.0, 83.3),
        (1, Decimal(70), Decimal(60), Decimal(-10), 1, 1, 100.0, 50.0),
    ]
    assert summary_figures(report.overall)[1:] == summary_figures(report.units[0])[1:]
    # Three scores: one best, one lowest.
    assert ([r.name for r in report.top], [r.name for r in report.bottom]) == (["张伟"], ["陈静"])


def test_report_scope_of_a_station_and_of_the_city_bureau(program, small_class, units):
    station = program_report(program, scope_unit=units["zhuze"], now=NIGHT)
    bureau = program_report(program, scope_unit=units["bureau"], now=NIGHT)

    assert [row.name for row in station.rows] == ["王强", "刘洋"]
    assert [s.name for s in station.units] == ["溧阳市公安局"]
    assert [row.name for row in bureau.rows] == ["张伟", "陈静", "李娜"]


def test_report_branch_is_the_highest_branch_below_the_root():
    bureau = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    jintan = factories.unit("常州市公安局金坛分局", parent=bureau, kind=Unit.Kind.BRANCH)
    brigade = factories.unit("刑警大队", parent=factories.unit("儒林派出所", parent=jintan))
    liyang = factories.unit("溧阳市公安局", kind=Unit.Kind.BUREAU)
    zhuze = factories.unit("竹箦派出所", parent=liyang)
    detachment = factories.unit("刑警支队", parent=bureau, kind=Unit.Kind.DEPARTMENT)

    before = unit_branches({brigade.pk, zhuze.pk, detachment.pk, bureau.pk})
    liyang.parent = bureau  # an organizer puts the county bureau under the city's
    liyang.save()
    after = unit_branches({zhuze.pk})

    assert before == {
        brigade.pk: (jintan.pk, "常州市公安局金坛分局"),
        zhuze.pk: (liyang.pk, "溧阳市公安局"),
        detachment.pk: (bureau.pk, "常州市公安局"),
        bureau.pk: (bureau.pk, "常州市公安局"),
    }
    assert after == {zhuze.pk: (liyang.pk, "溧阳市公安局")}


def test_report_best_and_lowest_take_ties_and_never_overlap(program, organizer):
    graduation = exam(program, kind=Exam.Kind.GRADUATION, mode=Exam.Mode.PAPER)
    marks = [95, 90, 90, 88, 85, 85, 80, 70, 65, 60, 60, 50]
    enrollments = [factories.enrollment(program) for _ in marks]
    scores_set(graduation, dict(zip(enrollments, marks, strict=True)), organizer)

    report = program_report(program)

    # The fifth best, 85, is shared by two: six best. Of the other six (80 70 65 60 60 50)
    # the fifth lowest is 70: five lowest, 80 is in neither.
    assert [row.graduation for row in report.top] == [95, 90, 90, 88, 85, 85]
    assert [row.graduation for row in report.bottom] == [50, 60, 60, 65, 70]


# The files ------------------------------------------------------------------------------------


def test_report_xlsx_has_its_sheets_frozen_header_and_numbers(program, small_class):
    report = program_report(program, now=NIGHT)

    content = report_files.report_xlsx(report, title="测试班成绩通报")

    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [_("Scores"), _("By unit"), _("By group"), _("Top and bottom")]
    sheet = workbook[_("Scores")]
    assert sheet["A1"].value == "测试班成绩通报"
    assert sheet.freeze_panes == "D4"  # title, note, header; police ID and name stay in view
    assert [cell.value for cell in sheet[3]][:3] == [_("No."), _("Police ID"), _("Full name")]
    assert all(cell.font.b for cell in sheet[3])
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    group = _("Group %(number)s") % {"number": 1}
    assert [row[1:9] for row in rows[:2]] == [
        ["100001", "张伟", "儒林派出所", "常州市公安局金坛分局", group, 60, 80, 20],
        ["100003", "王强", "竹箦派出所", "溧阳市公安局", group, 50, 90, 40],
    ]
    assert (rows[1][10], sheet["K5"].number_format, sheet["H4"].number_format) == (
        pytest.approx(0.667),
        "0.0%",
        "0.0",
    )
    units = [[cell.value for cell in row] for row in workbook[_("By unit")].iter_rows(min_row=4)]
    assert [row[:3] for row in units] == [
        ["常州市公安局金坛分局", 3, 3],
        ["溧阳市公安局", 2, 1],
        [_("Whole program"), 5, 4],
    ]
    ends = [row[1] for row in workbook[_("Top and bottom")].iter_rows(min_row=4, values_only=True)]
    # The best, a gap, the lowest's note (in column A) and header, the lowest.
    assert ends == ["王强", "张伟", None, None, _("Full name"), "陈静", "李娜"]


def test_report_pdf_is_a_pdf_with_the_chinese_names(program, small_class):
    report = program_report(program, now=NIGHT)

    content = report_files.report_pdf(report, title="测试班成绩通报")

    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert "测试班成绩通报" in text
    for name in ("张伟", "李娜", "王强", "刘洋", "陈静", "常州市公安局金坛分局"):
        assert name in text
    assert "赵敏" not in text  # withdrawn


# The preview page -----------------------------------------------------------------------------


def test_report_page_shows_the_rows_and_links_the_files(client, organizer, program, small_class):
    client.force_login(organizer)

    page = client.get("/reports/programs/CZ2023/report/")
    xlsx = client.get("/reports/programs/CZ2023/report/xlsx/")
    pdf = client.get("/reports/programs/CZ2023/report/pdf/")

    assert page.status_code == 200
    assert [row.name for row in page.context["report"].rows] == [
        "张伟",
        "王强",
        "陈静",
        "李娜",
        "刘洋",
    ]
    html = page.content.decode()
    assert 'href="/reports/programs/CZ2023/report/xlsx/"' in html
    assert 'href="/reports/programs/CZ2023/report/pdf/"' in html
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]


def test_report_page_of_a_unit_scope(client, organizer, program, small_class, units):
    client.force_login(organizer)
    url = f"/reports/programs/CZ2023/report/?unit={units['liyang'].pk}"

    page = client.get(url)
    xlsx = client.get(f"/reports/programs/CZ2023/report/xlsx/?unit={units['liyang'].pk}")

    assert [row.name for row in page.context["report"].rows] == ["王强", "刘洋"]
    assert f'href="/reports/programs/CZ2023/report/pdf/?unit={units["liyang"].pk}"' in (
        page.content.decode()
    )
    sheet = load_workbook(io.BytesIO(xlsx.content))[_("Scores")]
    assert [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["王强", "刘洋"]


@pytest.mark.parametrize("unit", ["abc", "²", "999999"])
def test_report_page_unknown_unit_is_404(client, organizer, program, unit):
    client.force_login(organizer)

    assert client.get(f"/reports/programs/CZ2023/report/?unit={unit}").status_code == 404


def test_report_units_are_those_of_the_active_trainees_and_above(program, small_class, units):
    """The units a report can be cut to (issue 17): the trainees' stations and every unit
    above them; a station without an active trainee of the program is none of them."""
    bieqiao = factories.unit("别桥派出所", parent=units["liyang"])
    factories.enrollment(program, factories.trainee(unit=bieqiao), status="withdrawn")

    assert set(report_units(program)) == set(units.values())


@pytest.mark.parametrize("suffix", ["", "xlsx/", "pdf/"])
def test_report_of_a_unit_without_the_programs_trainees_is_404(
    client, organizer, program, small_class, units, suffix
):
    """Another branch's report is not this program's to cut (issue 17)."""
    wujin = factories.unit("常州市公安局武进分局", parent=units["bureau"], kind=Unit.Kind.BRANCH)
    client.force_login(organizer)

    response = client.get(f"/reports/programs/CZ2023/report/{suffix}?unit={wujin.pk}")

    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "xlsx/", "pdf/"])
def test_report_closed_to_trainees_and_other_programs_organizers(
    client, program, small_class, suffix
):
    url = f"/reports/programs/CZ2023/report/{suffix}"
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    other_organizer = factories.user("organizer")
    factories.program(organizers=[other_organizer])
    leader = factories.user("leadership")

    client.force_login(trainee.user)
    as_trainee = client.get(url)
    client.force_login(other_organizer)
    as_other_organizer = client.get(url)
    client.force_login(leader)
    as_leader = client.get(url)

    assert (as_trainee.status_code, as_other_organizer.status_code) == (404, 404)
    assert as_leader.status_code == 200


# Query counts: the same at 10 and 200 trainees ------------------------------------------------


def grow(program, count, groups, units, entry, graduation, activities, organizer):
    """`count` more trainees spread over the groups and units, with both scores, a graded
    essay and a roll-call record of every activity."""
    enrollments = [
        factories.enrollment(
            program,
            factories.trainee(with_login=False, unit=units[n % len(units)]),
            group=groups[n % len(groups)],
        )
        for n in range(count)
    ]
    scores_set(entry, {e: 40 + n % 50 for n, e in enumerate(enrollments)}, organizer)
    scores_set(graduation, {e: 50 + n % 50 for n, e in enumerate(enrollments)}, organizer)
    Attendance.objects.bulk_create(
        Attendance(activity=act, enrollment=e, status="present")
        for act in activities
        for e in enrollments
    )
    Essay.objects.bulk_create(
        Essay(enrollment=e, status="submitted", submitted_at=NIGHT, grade="B") for e in enrollments
    )


@pytest.fixture
def growing(program, units, organizer):
    groups = [factories.group(program, n) for n in (1, 2, 3)]
    stations = [units["rulin"], units["xuebu"], units["zhuze"], units["jintan"]]
    entry = exam(program, kind=Exam.Kind.ENTRY, mode=Exam.Mode.PAPER)
    graduation = exam(program, kind=Exam.Kind.GRADUATION, mode=Exam.Mode.PAPER)
    activities = [
        activity(program, day=DAY, start="08:30", end="10:00"),
        activity(program, day=DAY, start="19:00", end="20:30", group=groups[0]),
    ]
    return lambda count: grow(
        program, count, groups, stations, entry, graduation, activities, organizer
    )


def test_report_selector_query_count_same_at_10_and_200_trainees(
    program, units, growing, django_assert_max_num_queries
):
    growing(10)
    with django_assert_max_num_queries(15) as small:
        assert len(program_report(program, scope_unit=units["jintan"]).rows) == 8
    growing(190)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(program_report(program, scope_unit=units["jintan"]).rows) == 151


@pytest.mark.parametrize("suffix", ["", "xlsx/", "pdf/"])
def test_report_page_query_count_same_at_10_and_200_trainees(
    client, organizer, program, growing, suffix, django_assert_max_num_queries
):
    growing(10)
    client.force_login(organizer)
    url = f"/reports/programs/CZ2023/report/{suffix}"
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    growing(190)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
