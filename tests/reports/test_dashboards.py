"""Dashboards: who sees what (the leadership's unit scope), the same figures as the score
report, the drill-down, the export of a table, bad input, and query counts that do not grow
with programs or trainees."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import BranchSummary, ProgramSummary
from reports.selectors.bureau_dashboard import bureau_dashboard
from reports.selectors.program_dashboard import program_dashboard, summary_rows
from reports.selectors.report import program_report
from reports.summaries import summaries_backfill
from tests import factories
from tests.reports.dashboard_data import populate, stations
from tests.reports.report_class import NIGHT
from trainees.models import Program, Unit

pytestmark = pytest.mark.django_db


def page(client, user, name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=args) + query)


# Who sees what ------------------------------------------------------------------------------


def test_a_leader_of_jintan_sees_jintans_stations_and_not_liyangs(
    client, program, small_class, units
):
    leader = factories.user("leadership", unit=units["jintan"])

    bureau = page(client, leader, "reports:dashboard")
    board = page(client, leader, "reports:dashboard-program", "CZ2023")

    text = bureau.content.decode()
    assert "常州市公安局金坛分局" in text and "溧阳市公安局" not in text
    assert bureau.context["board"].kpis[1][1] == 3  # trainees trained: 张伟, 李娜, 陈静
    rows = board.context["board"].report.rows
    assert [row.name for row in rows] == ["张伟", "陈静", "李娜"]
    text = board.content.decode()
    assert "儒林派出所" in text and "薛埠派出所" in text
    assert "竹箦派出所" not in text and "王强" not in text and "刘洋" not in text
    unit_page = page(client, leader, "reports:dashboard-unit", units["jintan"].pk)
    # By unit name, then police ID: 儒林派出所, 常州市公安局金坛分局, 薛埠派出所.
    assert [t.name for t in unit_page.context["page"]] == ["张伟", "陈静", "李娜"]
    own = small_class["100001"].trainee
    assert page(client, leader, "reports:dashboard-trainee", own.pk).status_code == 200
    # Liyang's unit, trainee and filter are not there at all; nor are the program's pages,
    # which show every unit.
    other = small_class["100003"].trainee
    assert page(client, leader, "reports:dashboard-unit", units["liyang"].pk).status_code == 404
    assert page(client, leader, "reports:dashboard-trainee", other.pk).status_code == 404
    liyang = f"?unit={units['liyang'].pk}"
    assert page(client, leader, "reports:dashboard", query=liyang).status_code == 404
    assert (
        page(client, leader, "reports:dashboard-program", "CZ2023", query=liyang).status_code == 404
    )
    assert page(client, leader, "trainees:roster", "CZ2023").status_code == 404
    assert page(client, leader, "reports:report", "CZ2023").status_code == 404
    # The menu does not lead a branch's leader to program pages they cannot open.
    assert 'data-nav="programs"' not in text
    city = factories.user("leadership", unit=units["bureau"])
    assert 'data-nav="programs"' in page(client, city, "reports:dashboard").content.decode()


def test_the_city_bureau_sees_every_unit_and_a_program_without_jintan_is_not_jintans(
    client, program, small_class, units
):
    city = factories.user("leadership", unit=units["bureau"])
    jintan = factories.user("leadership", unit=units["jintan"])
    elsewhere = factories.program(code="LY2023")
    factories.enrollment(elsewhere, factories.trainee(unit=units["zhuze"], with_login=False))

    text = page(client, city, "reports:dashboard").content.decode()
    assert "溧阳市公安局" in text and "LY2023" in text
    assert page(client, city, "reports:dashboard-program", "LY2023").status_code == 200
    assert "LY2023" not in page(client, jintan, "reports:dashboard").content.decode()
    assert page(client, jintan, "reports:dashboard-program", "LY2023").status_code == 404


def test_organizers_see_their_programs_and_others_nothing(client, program, small_class, units):
    other = factories.user("organizer")
    factories.program(organizers=[other], code="OTHER")

    mine = page(client, other, "reports:dashboard")
    assert [p.code for p in mine.context["board"].programs] == ["OTHER"]
    assert page(client, other, "reports:dashboard-program", "CZ2023").status_code == 404
    trainee = small_class["100001"].trainee.user
    assert page(client, trainee, "reports:dashboard").status_code == 403
    assert page(client, trainee, "reports:dashboard-program", "CZ2023").status_code == 403
    no_unit = factories.user("leadership")
    no_unit.leader.delete()
    assert page(client, no_unit, "reports:dashboard").status_code == 403


def test_bad_filters_are_404_not_500(client, program, small_class, units, organizer):
    for query in ("?year=二〇二三", "?year=²", "?kind=bogus", "?unit=999999", "?unit=abc"):
        assert page(client, organizer, "reports:dashboard", query=query).status_code == 404, query
    assert page(client, organizer, "reports:dashboard", query="?export=nope").status_code == 404


# One source of numbers --------------------------------------------------------------------


def test_the_program_dashboard_shows_the_score_reports_figures(program, small_class):
    report = program_report(program, now=NIGHT)
    board = program_dashboard(program, now=NIGHT)
    tables = {table.key: table for table in board.tables}

    overall = report.overall
    assert [value for _label, value, _kind in board.kpis[:5]] == [
        5,
        (overall.entry, overall.graduation),
        overall.gain,
        overall.pass_rate,
        overall.attendance_rate,
    ]
    assert tables["units"].rows == summary_rows(report.units)
    assert tables["groups"].rows == summary_rows(report.groups)
    assert [row[0] for row in tables["gains"].rows] == ["王强", "张伟", "李娜"]  # 40, 20, −10
    # 3 activities ended on day 1: the class's two for 5 trainees, group 1's for 3.
    # Present 6, late 3, left early 1 (attended 10 of 13); absent 2 (李娜, 陈静); leave 1.
    (day,) = tables["days"].rows
    assert day[1:] == [13, 6, 3, 1, 2, 1, round(100 * 10 / 13, 1)]
    assert day[-1] == overall.attendance_rate
    assert tables["essays"].rows[0][1] == 1  # 王强 has not started
    assert dict(tables["grades"].rows) == {"优秀": 1, "良好": 1, "合格": 1, "不合格": 0}


def test_the_bureau_dashboard_agrees_with_the_score_report_of_each_program(program, small_class):
    report = program_report(program, now=NIGHT)
    board = bureau_dashboard(Program.objects.all(), now=NIGHT)
    tables = {table.key: table for table in board.tables}

    (row,) = tables["programs"].rows
    overall = report.overall
    assert row[4:] == [
        overall.trainees,
        overall.entry,
        overall.graduation,
        overall.gain,
        overall.pass_rate,
        overall.attendance_rate,
        overall.attendance.late,
        overall.attendance.absent,
    ]
    by_name = sorted(tables["units-gain"].rows)
    assert by_name == sorted(summary_rows(report.units))
    assert [r[0] for r in tables["units-gain"].rows] == ["溧阳市公安局", "常州市公安局金坛分局"]


def test_a_dashboard_table_exports_to_xlsx_with_its_rows(client, program, small_class, organizer):
    response = page(client, organizer, "reports:dashboard-program", "CZ2023", query="?export=units")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [row[:2] for row in values] == [("常州市公安局金坛分局", 3), ("溧阳市公安局", 2)]


def test_trainees_who_attended_several_programs_and_their_trend(organizer):
    units = stations(4)
    populate(programs=2, trainees_per_program=6, stations=units, repeat=3)
    board = bureau_dashboard(Program.objects.all())

    table = {table.key: table for table in board.tables}["repeaters"]
    assert [row[2] for row in table.rows] == [2, 2, 2]
    assert all(row[3].count("→") == 1 for row in table.rows)
    assert board.kpis[1][1] == 9  # 12 enrollments, 3 trainees twice


# Query counts ------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_dashboards_read_as_many_queries_for_1_or_50_programs_and_100_or_400_trainees(
    client,
):
    """Two sizes, small enough for every run; bench/dashboard_scale.py counts the queries
    again at 50 programs and 10,100 trainees on PostgreSQL."""
    leader = factories.user("leadership")
    client.force_login(leader)
    units = stations(20)
    (small,) = populate(programs=1, trainees_per_program=100, stations=units)
    client.get(reverse("reports:dashboard"))  # the session's first request writes it once
    bureau_small = count_queries(client, reverse("reports:dashboard"))
    program_small = count_queries(client, reverse("reports:dashboard-program", args=[small.code]))
    trainee = small.enrollments.first().trainee
    unit_small = count_queries(client, reverse("reports:dashboard-unit", args=[units[0].pk]))

    (large,) = populate(programs=1, trainees_per_program=400, stations=units)
    populate(programs=48, trainees_per_program=20, stations=units, repeat=5)
    assert Program.objects.count() == 50
    # The refreshes the writes asked for, as the worker runs them after commit: the dashboards
    # read fresh summaries (a stale one is refreshed first: tests/reports/test_summaries.py).
    summaries_backfill()

    # One query more, and only this once: the graduation scores of the trainees who attended
    # several programs (with one program there are none, and an empty IN asks nothing).
    assert count_queries(client, reverse("reports:dashboard")) == bureau_small + 1
    program_large = count_queries(client, reverse("reports:dashboard-program", args=[large.code]))
    assert program_large == program_small
    assert (
        count_queries(client, reverse("reports:dashboard-unit", args=[units[0].pk])) == unit_small
    )
    assert count_queries(client, reverse("reports:dashboard-trainee", args=[trainee.pk])) < 30


def test_the_tallies_count_the_trainees_and_repeaters_as_the_enrollments_do():
    """A leader's dashboard (every program of his units' trainees) reads the trainees' tallies;
    the same dashboard read from the enrollments says the same."""
    units = stations(6)
    populate(programs=2, trainees_per_program=30, stations=units)
    populate(programs=6, trainees_per_program=10, stations=units, repeat=4)
    summaries_backfill()
    for unit_ids in (None, {units[0].pk, units[1].pk}):
        programs = Program.objects.all()
        if unit_ids is not None:
            programs = programs.filter(enrollments__trainee__unit_id__in=unit_ids).distinct()
        read = [
            bureau_dashboard(programs, unit_ids=unit_ids, complete=complete)
            for complete in (True, False)
        ]
        tallied, counted = ((board.kpis[1], board.tables[-1].rows) for board in read)
        assert tallied == counted
        assert tallied[0][1] > 0 and tallied[1]  # trainees, and some repeaters among them


def test_the_branches_follow_the_unit_tree_when_a_station_moves():
    """The bureau dashboard of every unit adds up the summaries' rows per program and branch;
    moved to another branch, a station counts in it at the next read (its rows added up again
    from the unit rows for the new tree), as for a reader who counts some units only (their
    unit rows added up by branch)."""
    units = stations(4)  # 分局1: stations 0 and 2; 分局2: stations 1 and 3
    populate(programs=2, trainees_per_program=12, stations=units)
    summaries_backfill()
    every_unit = set(Unit.objects.values_list("pk", flat=True))

    def branches(unit_ids=None):
        table = bureau_dashboard(Program.objects.all(), unit_ids=unit_ids).tables[2]
        return {row[0]: row[1:] for row in table.rows}

    before = branches()
    assert {name: row[0] for name, row in before.items()} == {"分局1": 12, "分局2": 12}
    assert branches(every_unit) == before

    units[0].parent = units[1].parent  # station 0 to 分局2
    units[0].save()
    after = branches()
    assert {name: row[0] for name, row in after.items()} == {"分局1": 6, "分局2": 18}
    assert branches(every_unit) == after
    assert set(BranchSummary.objects.values_list("branch__name", "trainees")) == {
        ("分局1", 3),
        ("分局2", 9),
    }

    # As after the upgrade that brings the branch rows, before `refresh_summaries --all`: the
    # first read adds them up from the unit rows.
    BranchSummary.objects.all().delete()
    ProgramSummary.objects.update(branches_for="")
    assert branches() == after
    assert BranchSummary.objects.count() == 4


def test_the_page_lists_the_latest_programs_and_the_export_all(client, monkeypatch):
    """A province's hundreds of programs: the page shows the latest, and says so; the .xlsx
    export of the same table holds every one."""
    from reports.selectors import bureau_dashboard as module

    monkeypatch.setattr(module, "PROGRAMS_SHOWN", 2)
    client.force_login(factories.user("leadership"))
    programs = populate(programs=3, trainees_per_program=4, stations=stations(2))
    summaries_backfill()

    page = client.get(reverse("reports:dashboard")).content.decode()
    export = client.get(reverse("reports:dashboard"), {"export": "programs"})
    codes = [row[0].value for row in load_workbook(io.BytesIO(export.content)).active.iter_rows()]

    oldest, *latest = sorted(programs, key=lambda p: (p.start_date, p.code))
    assert all(f">{p.code}<" in page for p in latest)
    assert f">{oldest.code}<" not in page
    assert "2 of 3" in page or "3 个中最近的 2 个" in page or "最近 2 个" in page
    assert {p.code for p in programs} <= set(codes)
