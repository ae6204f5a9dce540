"""The reflection essay on a phone: text typed while the network is cut reaches the server when
it returns, and survives a closed tab (it waits in localStorage)."""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from discussions.models import Essay
from discussions.services import essay_length
from tests import factories
from tests.e2e.test_exam import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ONLINE = "参加这次培训，我最大的体会是派出所主防不是口号。"
OFFLINE = "\n回所以后，我们将选取辖区内三个治安状况最复杂的社区由所领导包干。"


def class_with(police_id):
    program = factories.program(
        code="CZ2023",
        title="常州市公安派出所长素质能力提升专题培训班",
        start_date=timezone.localdate() - timedelta(days=1),
        essay_min_chars=30,
        essay_deadline=timezone.now() + timedelta(days=1),
    )
    trainee = factories.trainee(police_id=police_id, name="龚定俊")
    return factories.enrollment(program, trainee)


def stored(enrollment):
    """(title, body) on the server. The live server shares the in-memory SQLite database: a
    read that meets its write fails at once ("table is locked"), so it is tried again."""
    for _ in range(50):
        try:
            essay = Essay.objects.filter(enrollment=enrollment).first()
            return (essay.title, essay.body) if essay else ("", "")
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.05)
    raise AssertionError("the test database stayed locked")


def server_holds(page, enrollment, body, seconds=15):
    for _ in range(seconds * 5):
        if stored(enrollment)[1] == body:
            return True
        page.wait_for_timeout(200)
    return False


def kept_in_browser(page):
    return page.evaluate("() => localStorage.getItem('jingxun-essay-CZ2023')")


def test_text_typed_offline_reaches_the_server_when_the_network_returns(phone, screenshot):
    enrollment = class_with("320401")
    sign_in(phone, "320401")
    phone.goto("/discussions/mine/essay/")
    status = phone.locator("#essay-status")
    body = phone.locator("#essay-body")

    phone.locator("#essay-title").fill("做忠诚担当的“兵头将尾”")
    body.type(ONLINE, delay=5)
    assert server_holds(phone, enrollment, ONLINE)
    expect(status).to_contain_text("已保存")
    # The page counts as the server does.
    expect(phone.locator("#essay-count")).to_contain_text(f"{essay_length(ONLINE)} / 30 字")

    phone.context.set_offline(True)
    body.press("End")
    body.type(OFFLINE, delay=5)
    expect(status).to_contain_text("离线", timeout=5000)
    assert stored(enrollment)[1] == ONLINE
    assert OFFLINE.strip() in kept_in_browser(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "essay-offline-phone", full_page=False)

    phone.context.set_offline(False)
    assert server_holds(phone, enrollment, ONLINE + OFFLINE), stored(enrollment)
    expect(status).to_contain_text("已保存")
    assert kept_in_browser(phone) is None

    phone.reload()
    assert body.input_value() == ONLINE + OFFLINE
    assert phone.locator("#essay-title").input_value() == "做忠诚担当的“兵头将尾”"


def test_text_typed_offline_survives_a_closed_tab(phone):
    enrollment = class_with("320402")
    sign_in(phone, "320402")
    phone.goto("/discussions/mine/essay/")
    body = phone.locator("#essay-body")
    body.type(ONLINE, delay=5)
    assert server_holds(phone, enrollment, ONLINE)

    phone.context.set_offline(True)
    body.press("End")
    body.type(OFFLINE, delay=5)
    phone.close()  # the tab is closed while offline: nothing could be sent
    assert stored(enrollment)[1] == ONLINE
    phone.context.set_offline(False)
    again = phone.context.new_page()
    again.goto("/discussions/mine/essay/")

    assert again.locator("#essay-body").input_value() == ONLINE + OFFLINE
    assert server_holds(again, enrollment, ONLINE + OFFLINE)


def test_handing_in_locks_the_essay(phone, screenshot):
    enrollment = class_with("320403")
    sign_in(phone, "320403")
    phone.goto("/discussions/mine/essay/")
    phone.locator("#essay-title").fill("学习心得")
    phone.locator("#essay-body").fill(ONLINE + OFFLINE)

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator("#essay-submit").click()

    expect(phone.locator("#essay-done")).to_be_visible()
    assert Essay.objects.get(enrollment=enrollment).status == "submitted"
    assert kept_in_browser(phone) is None
    screenshot(phone, "essay-handed-in-phone")
