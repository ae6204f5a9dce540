"""The reflection essay on a phone: text typed while the network is cut reaches the server when
it returns, and survives a closed tab (it waits in localStorage)."""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from discussions.models import Essay, EssayRevision
from discussions.services import essays
from discussions.services.essays import essay_length
from tests import factories
from tests.e2e.conftest import sign_in

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


def kept_in_browser(page, police_id):
    """What the page keeps in localStorage for this trainee: texts the server has not taken."""
    return page.evaluate("key => localStorage.getItem(key)", f"jingxun-essay-CZ2023:{police_id}")


def test_text_typed_offline_reaches_the_server_when_the_network_returns(phone, screenshot):
    enrollment = class_with("320401")
    sign_in(phone, "320401", landing="**/timetable/my-day/")
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
    assert OFFLINE.strip() in kept_in_browser(phone, "320401")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "essay-offline-phone", full_page=False)

    phone.context.set_offline(False)
    assert server_holds(phone, enrollment, ONLINE + OFFLINE), stored(enrollment)
    expect(status).to_contain_text("已保存")
    assert kept_in_browser(phone, "320401") is None

    phone.reload()
    assert body.input_value() == ONLINE + OFFLINE
    assert phone.locator("#essay-title").input_value() == "做忠诚担当的“兵头将尾”"


def test_text_typed_offline_survives_a_closed_tab(phone):
    enrollment = class_with("320402")
    sign_in(phone, "320402", landing="**/timetable/my-day/")
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
    sign_in(phone, "320403", landing="**/timetable/my-day/")
    phone.goto("/discussions/mine/essay/")
    phone.locator("#essay-title").fill("学习心得")
    phone.locator("#essay-body").fill(ONLINE + OFFLINE)

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator("#essay-submit").click()

    expect(phone.locator("#essay-done")).to_be_visible()
    assert Essay.objects.get(enrollment=enrollment).status == "submitted"
    # What the phone held is sent once more (the server keeps a differing text), then dropped.
    phone.wait_for_function(
        "key => localStorage.getItem(key) === null", arg="jingxun-essay-CZ2023:320403"
    )
    screenshot(phone, "essay-handed-in-phone")


def keep_in_browser(page, police_id, text, revision):
    page.evaluate(
        "([key, text]) => localStorage.setItem(key, JSON.stringify(text))",
        [
            f"jingxun-essay-CZ2023:{police_id}",
            {"live": {"title": "", "body": text, "revision": revision, "base": 0}, "older": []},
        ],
    )


def test_another_trainee_on_the_same_browser_never_gets_the_text(phone):
    a = class_with("320404")
    b = factories.enrollment(a.program, factories.trainee(police_id="320405", name="潘立群"))
    sign_in(phone, "320404", landing="**/timetable/my-day/")
    phone.goto("/discussions/mine/essay/")
    keep_in_browser(phone, "320404", "甲在断网时写下、尚未保存的内容", 10**13)
    phone.context.clear_cookies()  # A's session ends; B signs in on the same phone

    sign_in(phone, "320405", landing="**/timetable/my-day/")
    phone.goto("/discussions/mine/essay/")
    phone.wait_for_timeout(1000)

    assert phone.locator("#essay-body").input_value() == ""
    assert stored(b) == ("", "")
    assert "甲在断网时写下" in kept_in_browser(phone, "320404")


def test_a_kept_text_older_than_the_servers_is_sent_and_kept_as_a_version(phone):
    enrollment = class_with("320406")
    essays.essay_save(
        essay=essays.essay_for(enrollment=enrollment),
        title="心得",
        body="在电脑上写的较新内容",
        revision=2 * 10**12,
        base=0,
    )
    sign_in(phone, "320406", landing="**/timetable/my-day/")
    phone.goto("/discussions/mine/essay/")
    keep_in_browser(phone, "320406", "手机上断网时写的旧内容", 10**12)

    phone.reload()

    phone.wait_for_function(
        "key => localStorage.getItem(key) === null", arg="jingxun-essay-CZ2023:320406"
    )
    assert phone.locator("#essay-body").input_value() == "在电脑上写的较新内容"
    assert stored(enrollment)[1] == "在电脑上写的较新内容"
    kept = EssayRevision.objects.filter(essay__enrollment=enrollment, reason="conflict")
    assert list(kept.values_list("body", flat=True)) == ["手机上断网时写的旧内容"]
