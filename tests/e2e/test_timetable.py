from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Activity
from tests import factories
from tests.e2e.conftest import sign_in
from tests.timetable.factories import activity, speaker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program():
    today = timezone.localdate()
    organizer = factories.user("organizer", username="jiaowu")
    program = factories.program(
        organizers=[organizer],
        code="CZ2023",
        title="常州市派出所长培训班",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        timetable_published_at=timezone.now(),  # trainees see a published timetable only
    )
    for number in range(1, 6):
        group = factories.group(program, number=number)
        activity(
            program,
            day=today,
            start="19:00",
            end="21:00",
            kind="discussion",
            title="分组讨论：落实派出所主防",
            group=group,
            venue=f"第{number}研讨室",
        )
    activity(
        program,
        day=today,
        start="08:30",
        end="10:00",
        title="聚焦派出所主防",
        venue="报告厅",
        speakers=[speaker("吴小龙", "支队长", "市公安局人口管理支队")],
    )
    activity(
        program,
        day=today - timedelta(days=1),
        start="14:30",
        end="17:00",
        kind="case_study",
        title="从督察角度审视派出所工作",
        venue="报告厅",
    )
    soon = timezone.now() + timedelta(minutes=1)  # whatever the clock says, something is next
    Activity.objects.create(
        program=program,
        kind="drill",
        title="队列训练",
        starts_at=soon,
        ends_at=soon + timedelta(minutes=1),
    )
    return program


def test_trainee_of_group_3_reads_my_day_on_a_phone(phone, screenshot, program):
    trainee = factories.trainee(police_id="320403", name="邹雨枫")
    factories.enrollment(program, trainee, group=program.groups.get(number=3))
    sign_in(phone, "320403")

    phone.wait_for_url("**/timetable/my-day/")
    assert phone.get_by_text("第3研讨室").is_visible()
    assert phone.get_by_text("第1研讨室").count() == 0
    assert phone.locator(".next-activity").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "my-day-phone")
    phone.get_by_role("link", name="查看完整日程").click()
    assert phone.get_by_text("从督察角度审视派出所工作").is_visible()
    screenshot(phone, "my-timetable-phone")


def test_organizer_reads_the_week_and_moves_an_activity(browser, live_server, screenshot, program):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    sign_in(page, "jiaowu")
    page.goto("/timetable/programs/CZ2023/week/")
    assert page.locator("a.act").count() >= 7
    screenshot(page, "week-organizer")

    page.get_by_text("聚焦派出所主防").click()
    page.get_by_label("开始时间").fill("09:00")
    page.get_by_label("结束时间").fill("10:30")
    page.get_by_role("button", name="保存").click()

    assert page.get_by_text("“聚焦派出所主防”已保存。").is_visible()
    context.close()
