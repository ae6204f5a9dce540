import pytest
from django.contrib.auth.models import Group

from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_roles_are_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "organizer",
        "trainee",
        "leadership",
    }


def test_login_trainee_signs_in_with_police_id(client):
    trainee = factories.trainee(police_id="031245")

    response = login(client, "031245", factories.PASSWORD)

    assert response.wsgi_request.user == trainee.user


def test_login_accepts_full_width_digits_typed_by_a_chinese_input_method(client):
    trainee = factories.trainee(police_id="031245")

    response = login(client, "０３１２４５ ", factories.PASSWORD)

    assert response.wsgi_request.user == trainee.user


def test_login_wrong_password_says_so_in_chinese(client):
    factories.trainee(police_id="031245")

    response = login(client, "031245", "wrong-password")

    assert response.wsgi_request.user.is_anonymous
    assert "请输入一个正确的" in response.content.decode()


def test_logout_is_a_post_and_returns_to_login(client):
    client.force_login(factories.user("organizer"))

    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert response.wsgi_request.user.is_anonymous


def test_password_change_in_chinese(client):
    account = factories.user("trainee")
    client.force_login(account)

    page = client.get("/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Jingxun-new-2026",
            "new_password2": "Jingxun-new-2026",
        },
        follow=True,
    )

    assert "旧密码" in page.content.decode()
    assert response.redirect_chain == [("/", 302), ("/timetable/my-day/", 302)]
    assert "密码已修改。" in response.content.decode()
    account.refresh_from_db()
    assert account.check_password("Jingxun-new-2026")


def test_language_switch_to_english_works_on_the_login_page(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True
    )

    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Police ID or user name" in page
    assert "中文" in page  # the way back
