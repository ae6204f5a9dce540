from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Activity, Attendance
from tests import factories
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_roll_call_on_a_tablet_and_the_projector(browser, live_server, screenshot):
    organizer = factories.user("organizer", username="jiaowu")
    today = timezone.localdate()
    program = factories.program(
        organizers=[organizer],
        code="ZK2013",
        title="周口市培训班",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    start = timezone.now() + timedelta(minutes=5)
    lecture = Activity.objects.create(
        program=program,
        kind="lecture",
        title="执法规范化建设",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    for n in range(12):
        factories.enrollment(program, factories.trainee(name=f"所长{n}", with_login=False))
    tablet = browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    page = tablet.new_page()
    sign_in(page, "jiaowu")

    page.goto(f"/timetable/programs/ZK2013/roll-call/{lecture.pk}/")
    page.locator("tr").nth(0).get_by_role("button", name="请假").click()
    page.locator("#rollcall-counts").get_by_text("请假 1").wait_for()
    page.reload()
    assert page.locator("#rollcall-counts").get_by_text("请假 1").is_visible()
    screenshot(page, "rollcall-sheet-tablet", full_page=False)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/timetable/programs/ZK2013/roll-call/{lecture.pk}/screen/")
    assert page.locator(".checkin-code").is_visible()
    assert page.locator(".qr svg").is_visible()
    screenshot(page, "checkin-screen-projector", full_page=False)
    tablet.close()

    assert Attendance.objects.get().status == "leave"
