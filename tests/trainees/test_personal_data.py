"""Personal data: a trainee's own download, and the erasure of a withdrawn trainee that
leaves the program's figures as they were."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from discussions.models import Essay
from exams.models import Exam
from reports.selectors.report import program_report
from tests import factories
from tests.reports.report_class import NIGHT
from trainees.models import Enrollment, Trainee

pytestmark = pytest.mark.django_db


def test_a_trainee_downloads_their_own_data_and_nobody_elses(client, program, small_class):
    mine = small_class["100001"]
    mine.trainee.phone = "13912345678"
    mine.trainee.save()
    # Released: a score not released yet is left out (test_trainee_leader_attacks).
    Exam.objects.filter(program=program).update(released_at=timezone.now())
    client.force_login(mine.trainee.user)

    response = client.get(reverse("trainees:my-data"))

    data = json.loads(response.content)
    assert data["trainee"]["police_id"] == "100001" and data["trainee"]["phone"] == "13912345678"
    assert [p["code"] for p in data["programs"]] == ["CZ2023"]
    assert {e["exam__title"]: Decimal(e["score"]) for e in data["exams"]} == {
        "入学摸底考试": 60,
        "结业考试": 80,
    }
    assert len(data["attendance"]) == 4 and "李娜" not in response.content.decode()
    client.force_login(factories.user("organizer"))
    assert client.get(reverse("trainees:my-data")).status_code == 403


def test_erasing_a_withdrawn_trainee_keeps_every_figure(client, program, small_class, organizer):
    """赵敏 (100006) withdrew; her personal data goes, the class's figures stay."""
    gone = small_class["100006"]
    Essay.objects.create(enrollment=gone, title="我的心得", body="派出所工作……", status="draft")
    before = program_report(program, now=NIGHT)
    graduation = Exam.objects.get(program=program, kind=Exam.Kind.GRADUATION)
    client.force_login(organizer)

    response = client.post(reverse("trainees:enrollment-erase", args=["CZ2023", gone.pk]))

    assert response.status_code == 302
    trainee = Trainee.objects.get(pk=gone.trainee_id)
    assert (trainee.name, trainee.police_id, trainee.phone) == (
        f"已删除学员 {trainee.pk}",
        f"erased-{trainee.pk}",
        "",
    )
    assert not trainee.user.is_active and not trainee.user.has_usable_password()
    assert Essay.objects.get(enrollment=gone).body == ""
    assert graduation.attempts.get(enrollment=gone).score == 99  # the score stays, anonymous
    after = program_report(program, now=NIGHT)
    assert after.overall == before.overall
    assert client.get(reverse("trainees:roster", args=["CZ2023"])).status_code == 200


def test_an_active_trainee_cannot_be_erased_and_others_may_not_try(
    client, program, small_class, organizer
):
    active = small_class["100001"]
    client.force_login(organizer)
    client.post(reverse("trainees:enrollment-erase", args=["CZ2023", active.pk]))
    assert Trainee.objects.get(pk=active.trainee_id).name == "张伟"

    gone = small_class["100006"]
    elsewhere = factories.program(code="OTHER")
    factories.enrollment(elsewhere, gone.trainee)  # active in another program
    client.post(reverse("trainees:enrollment-erase", args=["CZ2023", gone.pk]))
    assert Trainee.objects.get(pk=gone.trainee_id).name == "赵敏"

    client.force_login(factories.user("leadership"))
    response = client.post(reverse("trainees:enrollment-erase", args=["CZ2023", gone.pk]))
    assert response.status_code == 403
    client.force_login(factories.user("organizer"))
    response = client.post(reverse("trainees:enrollment-erase", args=["CZ2023", gone.pk]))
    assert response.status_code == 404
    assert Enrollment.objects.get(pk=gone.pk).trainee.name == "赵敏"


def test_the_download_holds_the_certificate_and_what_was_evaluated_never_the_answer(
    client, program, small_class
):
    from datetime import timedelta

    from completion.models import Certificate, Evaluation, EvaluationReceipt
    from sessions.models import Activity

    mine = small_class["100001"]
    Certificate.objects.create(
        enrollment=mine, serial="CZ2023-0001", hours=Decimal("12.5"), issued_at=NIGHT
    )
    lecture = Activity.objects.create(
        program=program, kind="lecture", title="所长讲堂", starts_at=NIGHT,
        ends_at=NIGHT + timedelta(hours=1),
    )  # fmt: skip
    EvaluationReceipt.objects.create(activity=lecture, enrollment=mine)
    Evaluation.objects.create(activity=lecture, comment="很有收获，建议多讲案例")
    client.force_login(mine.trainee.user)

    response = client.get(reverse("trainees:my-data"))

    data = json.loads(response.content)
    assert [c["serial"] for c in data["certificates"]] == ["CZ2023-0001"]
    assert [a["activity__title"] for a in data["evaluated_activities"]] == ["所长讲堂"]
    assert "很有收获" not in response.content.decode()
