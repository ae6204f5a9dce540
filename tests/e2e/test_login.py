import pytest

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_trainee_signs_in_on_the_chinese_login_page_and_sees_my_day(phone, screenshot):
    trainee = factories.trainee(police_id="320401", name="龚定俊")
    factories.enrollment(factories.program(title="常州市派出所长素质能力提升专题培训班"), trainee)

    phone.goto("/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    assert phone.get_by_role("heading", name="登录").is_visible()
    screenshot(phone, "login-phone")
    phone.get_by_label("警号或用户名").fill("320401")
    phone.get_by_label("密码").fill(factories.PASSWORD)
    phone.get_by_role("button", name="登录").click()

    phone.wait_for_url("**/timetable/my-day/")
    assert phone.get_by_role("heading", name="我的一天").is_visible()
    assert phone.get_by_text("龚定俊，您好！").is_visible()
    assert phone.get_by_text("常州市派出所长素质能力提升专题培训班").is_visible()
    # At 360 px the page fits the screen: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "trainee-home-phone")


def test_navbar_menu_opens_on_a_phone(phone):
    trainee = factories.trainee(police_id="320402")
    factories.enrollment(factories.program(), trainee)
    phone.goto("/accounts/login/")
    phone.get_by_label("警号或用户名").fill(trainee.police_id)
    phone.get_by_label("密码").fill(factories.PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/timetable/my-day/")

    phone.get_by_role("button", name="菜单").click()

    assert phone.get_by_role("link", name="我的一天").is_visible()
    assert phone.get_by_role("button", name="English").is_visible()
