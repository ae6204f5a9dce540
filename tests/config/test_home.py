import re

import pytest

from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db

NAV_ITEMS = {"my-day", "programs", "dashboard", "admin"}


def nav_items(response):
    return set(re.findall(r'data-nav="([a-z-]+)"', response.content.decode())) & NAV_ITEMS


def test_home_sends_anonymous_visitor_to_the_chinese_login_page(client):
    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/accounts/login/?next=/", 302)]
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "警号或用户名" in page
    assert "学员请用警号登录" in page


def test_home_sends_trainee_to_my_day(client):
    trainee = factories.trainee(name="龚定俊")
    program = factories.program(title="常州市派出所长培训班")
    factories.enrollment(program, trainee)

    response = login(client, trainee.police_id, factories.PASSWORD)

    assert response.redirect_chain[-1] == ("/timetable/my-day/", 302)
    assert nav_items(response) == {"my-day"}
    assert "我的一天" in response.content.decode()
    assert "常州市派出所长培训班" in response.content.decode()


def test_home_sends_organizer_to_programs(client):
    organizer = factories.user("organizer")
    factories.program(organizers=[organizer], title="周口市派出所所长培训班")

    response = login(client, organizer.username, factories.PASSWORD)

    assert response.redirect_chain[-1] == ("/trainees/programs/", 302)
    assert nav_items(response) == {"programs", "dashboard"}  # the dashboards of their programs
    assert "周口市派出所所长培训班" in response.content.decode()


def test_home_sends_leadership_to_dashboard(client):
    leader = factories.user("leadership")

    response = login(client, leader.username, factories.PASSWORD)

    assert response.redirect_chain[-1] == ("/reports/dashboard/", 302)
    assert nav_items(response) == {"dashboard", "programs"}
    assert "数据看板" in response.content.decode()


def test_home_tells_a_user_without_role_to_ask_the_organizers(client):
    account = factories.user()

    response = login(client, account.username, factories.PASSWORD)

    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()
    assert nav_items(response) == set()


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("trainee", "/trainees/programs/"),
        ("trainee", "/reports/dashboard/"),
        ("leadership", "/timetable/my-day/"),
    ],
)
def test_start_page_of_another_role_is_forbidden(client, role, url):
    client.force_login(factories.user(role))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url", ["/timetable/my-day/", "/trainees/programs/", "/reports/dashboard/"]
)
def test_every_page_requires_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_staff_sees_the_admin_in_the_navbar(client):
    client.force_login(factories.user("organizer", is_staff=True))

    response = client.get("/trainees/programs/")

    assert nav_items(response) == {"programs", "dashboard", "admin"}


def test_program_list_query_count_does_not_grow_with_programs_or_trainees(
    client, django_assert_max_num_queries
):
    organizer = factories.user("organizer")
    client.force_login(organizer)

    def add_programs(count, trainees_each):
        for _ in range(count):
            program = factories.program(organizers=[organizer])
            for _ in range(trainees_each):
                factories.enrollment(program, factories.trainee(with_login=False))

    add_programs(1, 10)
    client.get("/trainees/programs/")  # a session's first request writes it once
    with django_assert_max_num_queries(6) as small:
        client.get("/trainees/programs/")
    add_programs(3, 60)  # 4 programs, 190 trainees
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/trainees/programs/")

    assert sorted(p.trainee_count for p in response.context["programs"]) == [10, 60, 60, 60]


def test_health_answers_without_login_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert (response.status_code, response.content) == (200, b"ok")
