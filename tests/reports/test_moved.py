"""The score report and the dashboards moved from the exams app to the reports app: an
installation's rows come along when it migrates, and bookmarked addresses still lead there."""

from datetime import date, datetime, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reports.models import ReportDelivery, ReportFile, ReportRecipient, ScoreReport
from tests import factories

# The last migrations before the move: exams still held the report's models.
BEFORE = [("exams", "0005_score_change_points"), ("reports", None)]
SENT = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def state_at(targets):
    """Migrate the test database to `targets`; the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor._create_project_state(with_applied_migrations=True).apps


def populate(apps):
    """A program's two published reports, their recipients, files and deliveries, and a
    permission given on one of the models, written with the models of the previous head."""
    Unit, Program = apps.get_model("trainees", "Unit"), apps.get_model("trainees", "Program")
    Trainee, Enrollment = (
        apps.get_model("trainees", "Trainee"),
        apps.get_model("trainees", "Enrollment"),
    )
    User = apps.get_model("auth", "User")
    Recipient = apps.get_model("exams", "ReportRecipient")
    Report, File = apps.get_model("exams", "ScoreReport"), apps.get_model("exams", "ReportFile")
    Delivery = apps.get_model("exams", "ReportDelivery")
    ContentType, Permission = (
        apps.get_model("contenttypes", "ContentType"),
        apps.get_model("auth", "Permission"),
    )
    AuthGroup = apps.get_model("auth", "Group")

    branch = Unit.objects.create(name="金坛分局", kind="branch", email="jt@czga.test")
    program = Program.objects.create(
        code="CZ2025",
        title="第十期派出所所长培训班",
        start_date=date(2025, 5, 6),
        end_date=date(2025, 5, 9),
    )
    organizer = User.objects.create(username="zhou")
    trainee = Trainee.objects.create(police_id="320401", name="龚定俊", unit=branch)
    enrollment = Enrollment.objects.create(program=program, trainee=trainee)
    Recipient.objects.create(program=program, name="政治部", email="zzb@czga.test")
    Recipient.objects.create(
        program=program, name="金坛分局", email="jt@czga.test", scope_unit=branch
    )
    for number, status in ((1, "superseded"), (2, "published")):
        report = Report.objects.create(
            program=program,
            number=number,
            title=f"成绩通报{number}",
            created_by=organizer,
            status=status,
            fingerprint=f"{number}" * 64,
        )
        file = File.objects.create(
            report=report,
            scope_unit=branch,
            title=f"成绩通报{number}（金坛分局）",
            rows=1,
            xlsx=b"PK\x03\x04 workbook",
            pdf=b"%PDF-1.4 report",
        )
        Delivery.objects.create(
            report=report,
            file=file,
            recipient_name="金坛分局",
            recipient_email="jt@czga.test",
            scope_unit=branch,
            subject=file.title,
            body="参训人数：1",
            status="sent",
            attempts=1,
            next_attempt_at=SENT,
            sent_at=SENT,
            message_id=f"<jingxun.report-{report.pk}.1@czga.test>",
        )
        Delivery.objects.create(
            report=report,
            enrollment=enrollment,
            recipient_name="龚定俊",
            recipient_email="gdj@czga.test",
            subject="您的成绩",
            body="入学 60，结业 80",
            status="failed",
            attempts=8,
            next_attempt_at=SENT,
            message_id=f"<jingxun.report-{report.pk}.2@czga.test>",
            last_error="550 5.1.1 no such user",
        )
    kind, _created = ContentType.objects.get_or_create(app_label="exams", model="scorereport")
    permission, _created = Permission.objects.get_or_create(
        content_type=kind, codename="view_scorereport", defaults={"name": "Can view"}
    )
    AuthGroup.objects.create(name="政治部").permissions.add(permission)


@pytest.mark.django_db(transaction=True)
def test_migrating_from_the_previous_head_keeps_every_report_row():
    populate(state_at(BEFORE))

    state_at(MigrationExecutor(connection).loader.graph.leaf_nodes())

    reports = list(ScoreReport.objects.order_by("number"))
    assert [(r.program.code, r.number, r.status, r.created_by.username) for r in reports] == [
        ("CZ2025", 1, "superseded", "zhou"),
        ("CZ2025", 2, "published", "zhou"),
    ]
    assert sorted(
        (r.name, r.scope_unit.name if r.scope_unit else None) for r in ReportRecipient.objects.all()
    ) == [("政治部", None), ("金坛分局", "金坛分局")]
    files = list(ReportFile.objects.order_by("pk"))
    assert [(f.report.number, f.title, f.rows, bytes(f.xlsx), bytes(f.pdf)) for f in files] == [
        (1, "成绩通报1（金坛分局）", 1, b"PK\x03\x04 workbook", b"%PDF-1.4 report"),
        (2, "成绩通报2（金坛分局）", 1, b"PK\x03\x04 workbook", b"%PDF-1.4 report"),
    ]
    deliveries = ReportDelivery.objects.select_related("file", "enrollment__trainee")
    assert sorted(
        (
            d.report.number,
            d.recipient_email,
            d.status,
            d.attempts,
            d.file.title if d.file else d.enrollment.trainee.name,
            d.last_error,
        )
        for d in deliveries
    ) == [
        (1, "gdj@czga.test", "failed", 8, "龚定俊", "550 5.1.1 no such user"),
        (1, "jt@czga.test", "sent", 1, "成绩通报1（金坛分局）", ""),
        (2, "gdj@czga.test", "failed", 8, "龚定俊", "550 5.1.1 no such user"),
        (2, "jt@czga.test", "sent", 1, "成绩通报2（金坛分局）", ""),
    ]
    assert ReportDelivery.objects.filter(sent_at=SENT).count() == 2
    # The tables carry the new app's name, and the permission given on the model is kept.
    assert ScoreReport._meta.db_table == "reports_scorereport"
    assert "reports_scorereport" in connection.introspection.table_names()
    assert "exams_scorereport" not in connection.introspection.table_names()
    from django.contrib.auth.models import Group as AuthGroup

    assert list(
        AuthGroup.objects.get(name="政治部").permissions.values_list(
            "content_type__app_label", "codename"
        )
    ) == [("reports", "view_scorereport")]
    # New reports number on from the kept ones (the sequences came along).
    added = ScoreReport.objects.create(
        program=reports[0].program, number=3, title="成绩通报3", fingerprint="3" * 64
    )
    assert added.pk > reports[1].pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/exams/dashboard/", "/reports/dashboard/"),
        ("/exams/dashboard/?year=2023&kind=chiefs", "/reports/dashboard/?year=2023&kind=chiefs"),
        ("/exams/dashboard/units/7/", "/reports/dashboard/units/7/"),
        ("/exams/dashboard/programs/CZ2023/", "/reports/dashboard/programs/CZ2023/"),
        ("/exams/programs/CZ2023/report/", "/reports/programs/CZ2023/report/"),
        (
            "/exams/programs/CZ2023/report/xlsx/?unit=3",
            "/reports/programs/CZ2023/report/xlsx/?unit=3",
        ),
        ("/exams/programs/CZ2023/reports/2/", "/reports/programs/CZ2023/reports/2/"),
    ],
)
def test_a_bookmarked_address_of_the_exams_app_moves_permanently(client, old, new):
    client.force_login(factories.user("organizer"))

    response = client.get(old)

    assert (response.status_code, response["Location"]) == (301, new)


@pytest.mark.django_db
def test_a_form_posted_to_an_old_address_is_posted_again_to_the_new_one(client):
    client.force_login(factories.user("organizer"))

    response = client.post("/exams/programs/CZ2023/report/publish/")

    assert (response.status_code, response["Location"]) == (
        308,
        "/reports/programs/CZ2023/report/publish/",
    )


@pytest.mark.django_db
def test_the_exams_pages_that_did_not_move_are_not_redirected(client):
    client.force_login(factories.user("organizer"))

    assert client.get("/exams/bank/").status_code == 200
