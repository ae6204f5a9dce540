"""Issue 17, finding 1: a trainee's record is shared by the programs he attends, and an
organizer of one program neither reads, changes nor takes over what another program holds.

The attacker is an ordinary organizer: they create a program of their own (any organizer can)
and import a roster with another program's trainee's police ID.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories, rosters
from trainees.models import Enrollment, Program, Trainee, Unit
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db

IMPORT = "/trainees/programs/{code}/roster/import/"


@pytest.fixture
def victim_program():
    """Program Q of another organizer, running now, with one trainee (who has signed in)."""
    today = timezone.localdate()
    program = factories.program(
        organizers=[factories.user("organizer")],
        code="Q2026",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=3),
    )
    station = factories.unit("常州市公安局金坛分局儒林派出所")
    victim = factories.trainee(
        police_id="320401", name="龚定俊", unit=station, position="教导员", gender="M",
        phone="15203529646",
    )  # fmt: skip
    factories.enrollment(program, victim)
    return program


@pytest.fixture
def attacker(client):
    """An organizer of their own program X, signed in."""
    account = factories.user("organizer")
    factories.program(organizers=[account], code="X2026")
    client.force_login(account)
    return account


def row(name="龚定俊", police_id="320401", unit="某县公安局某派出所", phone="13000000000"):
    return [1, name, police_id, unit, "", "x", "女", phone, "", ""]


def upload(data):
    return SimpleUploadedFile("名册.csv", rosters.csv_bytes(data))


def test_a_known_police_id_with_another_name_is_refused_without_the_stored_name(
    client, victim_program, attacker
):
    response = client.post(IMPORT.format(code="X2026"), {"file": upload([row(name="张三")])})

    page = response.content.decode()
    assert "警号 320401 已登记在另一姓名下" in page  # the error is there, on the row
    assert "龚定俊" not in page
    assert not Enrollment.objects.filter(program__code="X2026").exists()


def test_an_organizer_of_the_trainee_is_told_the_stored_name(organizer, program):
    factories.enrollment(program, factories.trainee(police_id="320401", name="龚定俊"))
    other = factories.program(organizers=[organizer], code="CZ2024")

    plan = roster_import(
        program=other, name="r.csv", content=rosters.csv_bytes([row(name="张三")]), user=organizer
    )

    assert "龚定俊" in str(plan.errors[0])


def test_the_preview_of_another_programs_trainee_shows_the_file_not_the_store(
    client, victim_program, attacker
):
    response = client.post(IMPORT.format(code="X2026"), {"file": upload([row()])})

    page = response.content.decode()
    assert response.status_code == 200 and "13000000000" in page  # what the file says
    for stored in ("15203529646", "儒林派出所", "教导员"):
        assert stored not in page
    assert not Enrollment.objects.filter(program__code="X2026").exists()


def test_a_trainee_held_by_a_running_program_is_enrolled_but_keeps_his_record(
    victim_program, attacker
):
    x = Program.objects.get(code="X2026")

    plan = roster_import(program=x, name="r.csv", content=rosters.csv_bytes([row()]), user=attacker)

    assert plan.errors == [] and plan.rows[0].kept
    assert plan.units.new == []  # the file's unit, not applied, is not created either
    victim = Trainee.objects.select_related("unit").get(police_id="320401")
    assert (victim.unit.name, victim.phone, victim.position, victim.gender) == (
        "常州市公安局金坛分局儒林派出所",
        "15203529646",
        "教导员",
        "M",
    )
    assert victim.enrollments.filter(program=x).exists()


def test_after_his_programs_end_a_file_that_proves_name_and_id_updates_him_with_history(
    victim_program, attacker
):
    victim_program.end_date = timezone.localdate() - timedelta(days=1)
    victim_program.save()
    x = Program.objects.get(code="X2026")

    plan = roster_import(program=x, name="r.csv", content=rosters.csv_bytes([row()]), user=attacker)

    assert plan.errors == [] and not plan.rows[0].kept and plan.rows[0].stranger
    victim = Trainee.objects.get(police_id="320401")
    assert victim.phone == "13000000000"
    last = victim.history.order_by("-history_date", "-history_id").first()
    assert (last.history_user, last.history_change_reason) == (attacker, "roster import:X2026")


@pytest.fixture
def enrolled_victim(victim_program, attacker):
    """The victim, also imported into the attacker's program X (name and police ID right)."""
    x = Program.objects.get(code="X2026")
    roster_import(program=x, name="r.csv", content=rosters.csv_bytes([row()]), user=attacker)
    return Enrollment.objects.select_related("trainee__user").get(
        program=x, trainee__police_id="320401"
    )


def test_a_password_reset_of_a_trainee_of_another_program_is_refused(client, enrolled_victim):
    trainee = enrolled_victim.trainee
    trainee.initial_password = "kept1234"
    trainee.save()
    url = f"/trainees/programs/X2026/trainees/{enrolled_victim.pk}/password/"

    response = client.post(url, follow=True)

    page = response.content.decode()
    assert "只有系统管理员" in page or "only an administrator" in page
    trainee.refresh_from_db()
    trainee.user.refresh_from_db()
    assert trainee.initial_password == "kept1234"
    assert trainee.user.has_usable_password()


def test_the_slips_do_not_print_the_initial_password_of_a_shared_trainee(client, enrolled_victim):
    trainee = enrolled_victim.trainee
    trainee.initial_password = "kept1234"
    trainee.save()

    page = client.get("/trainees/programs/X2026/roster/slips/").content.decode()

    assert "320401" in page
    assert "kept1234" not in page


def test_a_withdrawal_and_an_erasure_of_a_trainee_of_a_running_program_are_refused(
    client, enrolled_victim
):
    base = f"/trainees/programs/X2026/trainees/{enrolled_victim.pk}"

    withdrawn = client.post(f"{base}/status/", {"status": "withdrawn"}, follow=True)
    Enrollment.objects.filter(pk=enrolled_victim.pk).update(status="withdrawn")  # as if it had
    erased = client.post(f"{base}/erase/", follow=True)

    assert "只有系统管理员" in withdrawn.content.decode()
    assert "只有系统管理员" in erased.content.decode()
    assert Trainee.objects.get(police_id="320401").name == "龚定俊"


def test_a_superuser_may_reset_a_shared_trainee(client, enrolled_victim):
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    url = f"/trainees/programs/X2026/trainees/{enrolled_victim.pk}/password/"

    client.post(url)

    enrolled_victim.trainee.refresh_from_db()
    assert len(enrolled_victim.trainee.initial_password) == 8


def test_an_organizer_of_every_program_of_the_trainee_may_reset_and_withdraw(
    client, organizer, program
):
    enrollment = factories.enrollment(program)
    factories.enrollment(factories.program(organizers=[organizer]), enrollment.trainee)
    client.force_login(organizer)
    base = f"/trainees/programs/CZ2023/trainees/{enrollment.pk}"

    client.post(f"{base}/password/")
    client.post(f"{base}/status/", {"status": "withdrawn"})

    enrollment.refresh_from_db()
    enrollment.trainee.refresh_from_db()
    assert len(enrollment.trainee.initial_password) == 8
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_a_unit_holding_another_programs_trainee_is_the_administrators_to_change(
    client, victim_program, attacker
):
    """Red team: re-parenting the victim's station put him under another branch's leader."""
    station = Trainee.objects.get(police_id="320401").unit
    other_branch = factories.unit("常州市公安局新北分局", kind="branch")

    page = client.get(f"/trainees/units/{station.pk}/edit/")
    response = client.post(
        f"/trainees/units/{station.pk}/edit/",
        {
            "name": "改名派出所",
            "kind": "station",
            "parent": other_branch.pk,
            "email": "x@evil.test",
        },
        follow=True,
    )

    station.refresh_from_db()
    assert (station.name, station.parent_id, station.email) == (
        "常州市公安局金坛分局儒林派出所",
        None,
        "",
    )
    assert "只有系统管理员" in page.content.decode()
    assert "只有系统管理员" in response.content.decode()


def test_a_units_email_is_the_administrators_to_set(client, organizer):
    """Red team: a unit's email receives every program's score report."""
    department = Unit.objects.create(
        name="常州市公安局政治部", kind="department", email="zzb@czga.test"
    )
    client.force_login(organizer)

    client.post(
        f"/trainees/units/{department.pk}/edit/",
        {"name": "常州市公安局政治部", "kind": "department", "email": "mallory@evil.test"},
    )

    department.refresh_from_db()
    assert department.email == "zzb@czga.test"


def test_a_bank_question_in_another_programs_exam_is_not_changed(client, victim_program, attacker):
    """Red team: editing a shared bank question rewrote another program's answer key."""
    from exams.models import Exam
    from tests.exams.factories import exam, question

    paper = exam(
        victim_program, [question(text="派出所所长的首要职责是？")], kind=Exam.Kind.GRADUATION
    )
    asked = paper.exam_questions.get().question
    right = asked.choices.get(is_correct=True).text

    client.post(
        f"/exams/bank/{asked.pk}/",
        {
            "kind": "single",
            "text": asked.text,
            "options": "甲\n乙\n丙\n丁",
            "answer": "B",
            "points": "5",
        },
    )

    assert asked.choices.get(is_correct=True).text == right
