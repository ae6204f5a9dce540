import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories, rosters
from tests.conftest import login
from trainees.models import Enrollment, Program, Trainee
from trainees.services.groups import groups_create, groups_split
from trainees.services.roster import roster_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(organizer):
    program = factories.program(organizers=[organizer], code="CZ2023", title="常州市培训班")
    factories.group(program, number=1, host_name="于贵平", host_title="市公安局局长")
    return program


def enroll(program, count, group=None):
    return [
        factories.enrollment(
            program, factories.trainee(with_login=False, phone="13912345678"), group=group
        )
        for _ in range(count)
    ]


def test_organizer_creates_a_program_and_becomes_its_organizer(client, organizer):
    client.force_login(organizer)

    response = client.post(
        "/trainees/programs/new/",
        {
            "title": "周口市派出所所长专业化延伸培训班",
            "code": "ZK2013",
            "start_date": "2013-03-26",
            "end_date": "2013-03-30",
            "venue": "周口人民警察培训学校",
            "daily_routine": "06:30 起床\n22:00 就寝",
            "essay_min_chars": "2000",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/trainees/programs/ZK2013/"
    program = Program.objects.get(code="ZK2013")
    assert list(program.organizers.all()) == [organizer]


def test_program_form_refuses_an_end_before_the_start(client, organizer):
    client.force_login(organizer)

    response = client.post(
        "/trainees/programs/new/",
        {
            "title": "x",
            "code": "X1",
            "start_date": "2023-01-04",
            "end_date": "2023-01-02",
            "essay_min_chars": "1500",
        },
    )

    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Program.objects.filter(code="X1").exists()


def test_organizer_edits_own_program_and_not_another(client, organizer, program):
    other = factories.program(code="OTHER")
    client.force_login(organizer)

    own = client.get("/trainees/programs/CZ2023/edit/")
    foreign = client.get("/trainees/programs/OTHER/edit/")

    assert own.status_code == 200
    assert foreign.status_code == 404
    assert other.title not in client.get("/trainees/programs/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/trainees/programs/CZ2023/",
        "/trainees/programs/CZ2023/roster/",
        "/trainees/programs/CZ2023/roster/export/",
        "/trainees/programs/CZ2023/groups/",
        "/trainees/programs/CZ2023/groups/print/",
        "/trainees/programs/OTHER/",
    ],
)
def test_trainee_gets_404_on_program_pages(client, program, url):
    factories.program(code="OTHER")
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)

    assert client.get(url).status_code == 404


def test_trainee_gets_404_on_another_trainees_page(client, program):
    me, other = factories.trainee(), factories.trainee()
    factories.enrollment(program, me)
    other_enrollment = factories.enrollment(program, other)
    client.force_login(me.user)

    response = client.get(f"/trainees/programs/CZ2023/trainees/{other_enrollment.pk}/")

    assert response.status_code == 404


def test_enrollment_of_another_program_is_404_for_its_organizer(client, organizer, program):
    foreign = factories.enrollment(factories.program(code="OTHER"))
    client.force_login(organizer)

    response = client.get(f"/trainees/programs/CZ2023/trainees/{foreign.pk}/")

    assert response.status_code == 404


def test_leadership_reads_every_program_page(client, program):
    enrollment = enroll(program, 1)[0]
    client.force_login(factories.user("leadership"))

    for url in [
        "/trainees/programs/",
        "/trainees/programs/CZ2023/",
        "/trainees/programs/CZ2023/roster/",
        "/trainees/programs/CZ2023/groups/",
        f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/",
    ]:
        assert client.get(url).status_code == 200, url


def test_leadership_cannot_change_anything(client, program):
    enrollment = enroll(program, 1)[0]
    client.force_login(factories.user("leadership"))
    base = "/trainees/programs/CZ2023"

    answers = [
        client.get(f"{base}/edit/").status_code,
        client.post(f"{base}/edit/", {"title": "改"}).status_code,
        client.get(f"{base}/roster/import/").status_code,
        client.get(f"{base}/roster/slips/").status_code,
        client.post(f"{base}/groups/create/", {"count": 3}).status_code,
        client.post(f"{base}/groups/split/").status_code,
        client.post(f"{base}/groups/1/edit/", {"name": "x"}).status_code,
        client.post(f"{base}/trainees/{enrollment.pk}/move/", {"group": ""}).status_code,
        client.post(
            f"{base}/trainees/{enrollment.pk}/status/", {"status": "withdrawn"}
        ).status_code,
        client.post(f"{base}/trainees/{enrollment.pk}/password/").status_code,
        client.get("/trainees/programs/new/").status_code,
    ]

    assert answers == [403] * len(answers)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert Program.objects.get().title == "常州市培训班"


def test_roster_masks_phones_for_leadership_only(client, organizer, program):
    enroll(program, 1)
    client.force_login(factories.user("leadership"))
    masked = client.get("/trainees/programs/CZ2023/roster/").content.decode()
    client.force_login(organizer)
    full = client.get("/trainees/programs/CZ2023/roster/").content.decode()

    assert "139****5678" in masked and "13912345678" not in masked
    assert "13912345678" in full


def test_roster_searches_and_filters(client, organizer, program):
    group = program.groups.get(number=1)
    factories.enrollment(program, factories.trainee(name="龚定俊", police_id="320401"), group=group)
    enroll(program, 3)
    client.force_login(organizer)

    by_name = client.get("/trainees/programs/CZ2023/roster/", {"q": "龚定"})
    by_id = client.get("/trainees/programs/CZ2023/roster/", {"q": "320401"})
    by_group = client.get("/trainees/programs/CZ2023/roster/", {"group": "1"})
    without_group = client.get("/trainees/programs/CZ2023/roster/", {"group": "none"})

    assert [e.trainee.name for e in by_name.context["page"]] == ["龚定俊"]
    assert [e.trainee.name for e in by_id.context["page"]] == ["龚定俊"]
    assert [e.trainee.name for e in by_group.context["page"]] == ["龚定俊"]
    assert len(without_group.context["page"]) == 3


@pytest.mark.parametrize("viewer", ["organizer", "leadership"])
def test_roster_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, program, viewer, django_assert_max_num_queries
):
    client.force_login(organizer if viewer == "organizer" else factories.user("leadership"))
    group = program.groups.get()
    enroll(program, 10, group=group)
    with django_assert_max_num_queries(20) as small:
        client.get("/trainees/programs/CZ2023/roster/", {"page": 1})
    enroll(program, 190, group=group)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/trainees/programs/CZ2023/roster/", {"page": 4})

    assert response.context["page"].paginator.count == 200


def test_program_list_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, program, django_assert_max_num_queries
):
    groups_create(program=program, count=5)  # counts must not multiply by groups
    client.force_login(organizer)
    enroll(program, 10)
    with django_assert_max_num_queries(20) as small:
        client.get("/trainees/programs/")
    enroll(program, 190)
    factories.program(organizers=[organizer])

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/trainees/programs/")

    assert sorted(p.trainee_count for p in response.context["programs"]) == [0, 200]


def test_program_detail_and_group_pages_query_count_is_constant(
    client, organizer, program, django_assert_max_num_queries
):
    client.force_login(organizer)
    enroll(program, 10, group=program.groups.get())
    counts = {}
    for url in [
        "/trainees/programs/CZ2023/",
        "/trainees/programs/CZ2023/groups/",
        "/trainees/programs/CZ2023/groups/print/",
    ]:
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    enroll(program, 190, group=program.groups.get())

    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_roster_import_in_the_browser_previews_then_imports(client, organizer, program):
    client.force_login(organizer)
    upload = SimpleUploadedFile("名册.xlsx", rosters.xlsx(rosters.rows(220)))

    preview = client.post("/trainees/programs/CZ2023/roster/import/", {"file": upload})
    assert Trainee.objects.count() == 0
    confirmed = client.post(
        "/trainees/programs/CZ2023/roster/import/",
        {"confirm": "1", "digest": preview.context["digest"]},
        follow=True,
    )

    assert "220 人新增，0 人更新，0 人不变" in preview.content.decode()
    assert confirmed.redirect_chain == [("/trainees/programs/CZ2023/roster/", 302)]
    assert "名册已导入：220 人新增" in confirmed.content.decode()
    assert program.enrollments.count() == 220


def test_roster_import_in_the_browser_lists_errors_and_imports_nothing(client, organizer, program):
    client.force_login(organizer)
    data = rosters.rows(5)
    data[3][2] = "41-0004"
    upload = SimpleUploadedFile("名册.csv", rosters.csv_bytes(data, encoding="gbk"))

    response = client.post("/trainees/programs/CZ2023/roster/import/", {"file": upload})

    page = response.content.decode()
    assert "1 个错误，未导入任何数据" in page
    assert "第 5 行，警号：“41-0004”不是有效的警号（3 到 20 位数字和字母）" in page
    assert (
        client.post("/trainees/programs/CZ2023/roster/import/", {"confirm": "1"}).status_code == 200
    )
    assert Trainee.objects.count() == 0


def test_roster_export_imports_back_unchanged(client, organizer, program):
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(30)))
    groups_split(program=program)
    client.force_login(organizer)

    exported = client.get("/trainees/programs/CZ2023/roster/export/")
    plan = roster_import(program=program, name="export.xlsx", content=exported.content)

    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    assert plan.errors == []
    assert plan.summary == "created 0, updated 0, unchanged 30"


def test_first_sign_in_with_the_slip_password_asks_for_a_new_one(client, organizer, program):
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(2)))
    client.force_login(organizer)
    slips = client.get("/trainees/programs/CZ2023/roster/slips/").content.decode()
    trainee = Trainee.objects.get(police_id="410001")
    assert trainee.initial_password in slips
    client.logout()

    signed_in = login(client, "410001", trainee.initial_password)
    elsewhere = client.get("/timetable/my-day/")
    changed = client.post(
        "/accounts/password/",
        {"new_password1": "Zhoukou-2013-ok", "new_password2": "Zhoukou-2013-ok"},
        follow=True,
    )

    assert signed_in.redirect_chain[-1] == ("/accounts/password/", 302)
    assert elsewhere["Location"] == "/accounts/password/"
    assert changed.redirect_chain[-1] == ("/timetable/my-day/", 302)
    trainee.refresh_from_db()
    assert trainee.initial_password == ""
    assert trainee.user.check_password("Zhoukou-2013-ok")
    client.logout()
    assert login(client, "410001", "Zhoukou-2013-ok").wsgi_request.user == trainee.user


def test_reset_password_gives_a_new_slip_password(client, organizer, program):
    trainee = factories.trainee()
    enrollment = factories.enrollment(program, trainee)
    client.force_login(organizer)

    response = client.post(
        f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/password/", follow=True
    )

    trainee.refresh_from_db()
    assert len(trainee.initial_password) == 8
    assert trainee.initial_password in response.content.decode()
    assert not trainee.user.has_usable_password()


def test_withdrawal_keeps_the_enrollment(client, organizer, program):
    enrollment = enroll(program, 1)[0]
    client.force_login(organizer)

    client.post(
        f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/status/", {"status": "withdrawn"}
    )

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    roster = client.get("/trainees/programs/CZ2023/roster/").content.decode()
    assert "退训" in roster


def test_groups_split_in_the_browser(client, organizer, program):
    groups_create(program=program, count=5)
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(94)))
    client.force_login(organizer)

    response = client.post("/trainees/programs/CZ2023/groups/split/", follow=True)

    assert "94 名学员已分到各组" in response.content.decode()
    sizes = [g.trainee_count for g in response.context["groups"]]
    assert sorted(sizes) == [18, 19, 19, 19, 19]


def test_move_a_trainee_by_hand(client, organizer, program):
    second = factories.group(program, number=2)
    enrollment = enroll(program, 1, group=program.groups.get(number=1))[0]
    client.force_login(organizer)

    client.post(f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/move/", {"group": second.pk})

    enrollment.refresh_from_db()
    assert enrollment.group == second


def test_unit_tree_can_be_corrected(client, organizer):
    bureau = factories.unit(name="常州市公安局", kind="bureau")
    branch = factories.unit(name="溧阳市公安局", kind="branch")
    client.force_login(organizer)

    tree = client.get("/trainees/units/")
    client.post(
        f"/trainees/units/{branch.pk}/edit/",
        {"name": "溧阳市公安局", "kind": "branch", "parent": bureau.pk},
    )
    cycle = client.post(
        f"/trainees/units/{bureau.pk}/edit/",
        {"name": "常州市公安局", "kind": "bureau", "parent": branch.pk},
    )

    assert tree.status_code == 200
    branch.refresh_from_db()
    assert branch.parent == bureau
    assert cycle.status_code == 200  # the form refuses: a unit cannot go below its own child
    assert re.search("选择一个有效的选项", cycle.content.decode())


def test_roster_import_confirms_only_into_the_program_it_was_previewed_for(
    client, organizer, program
):
    other = factories.program(organizers=[organizer], code="OTHER")
    client.force_login(organizer)
    upload = SimpleUploadedFile("名册.xlsx", rosters.xlsx(rosters.rows(3)))
    preview = client.post("/trainees/programs/CZ2023/roster/import/", {"file": upload})

    client.post(
        "/trainees/programs/OTHER/roster/import/",
        {"confirm": "1", "digest": preview.context["digest"]},
    )

    assert other.enrollments.count() == 0


def test_roster_import_confirms_only_the_file_previewed_on_that_page(client, organizer, program):
    client.force_login(organizer)
    first = client.post(
        "/trainees/programs/CZ2023/roster/import/",
        {"file": SimpleUploadedFile("甲.xlsx", rosters.xlsx(rosters.rows(2)))},
    )
    client.post(  # a second tab previews another file
        "/trainees/programs/CZ2023/roster/import/",
        {"file": SimpleUploadedFile("乙.xlsx", rosters.xlsx(rosters.rows(3, start=50)))},
    )

    client.post(
        "/trainees/programs/CZ2023/roster/import/",
        {"confirm": "1", "digest": first.context["digest"]},
    )

    assert program.enrollments.count() == 0


def test_roster_filter_by_an_unknown_group_shows_everyone(client, organizer, program):
    enroll(program, 2)
    client.force_login(organizer)

    response = client.get("/trainees/programs/CZ2023/roster/", {"group": "abc"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2


def test_slip_password_cannot_unlock_a_signed_in_staff_account(client, organizer, program):
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(1)))
    slip = Trainee.objects.get().initial_password
    client.force_login(organizer)

    client.post("/admin/login/", {"username": "410001", "password": slip})
    page = client.get("/accounts/password/").content.decode()

    assert "旧密码" in page


def test_slip_password_is_dead_once_the_account_has_a_password(client, program):
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(1)))
    trainee = Trainee.objects.get()
    slip = trainee.initial_password
    login(client, "410001", slip)
    client.logout()
    trainee.refresh_from_db()
    trainee.user.set_password("Set-by-the-admin-1")
    trainee.user.save()

    response = login(client, "410001", slip)

    assert response.wsgi_request.user.is_anonymous


def test_slip_password_never_opens_an_existing_account_of_the_same_name(client, program):
    roster_import(program=program, name="r.xlsx", content=rosters.xlsx(rosters.rows(1)))
    slip = Trainee.objects.get().initial_password
    factories.user("organizer", username="410001", is_staff=True)

    response = login(client, "410001", slip)

    assert response.wsgi_request.user.is_anonymous


def test_move_does_not_redirect_to_another_host(client, organizer, program):
    enrollment = enroll(program, 1)[0]
    client.force_login(organizer)

    response = client.post(
        f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/move/",
        {"group": "", "next": "https://evil.example/"},
    )

    assert response["Location"] == f"/trainees/programs/CZ2023/trainees/{enrollment.pk}/"
