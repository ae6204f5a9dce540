"""The roll-call sheet and the exam builder in Chromium: what their scripts do (static/js/
rollcall.js, static/js/exam_builder.js) at a course's size, on a tablet and a desktop."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exams.models import ExamQuestion
from sessions.models import Activity, Attendance, LeaveRequest
from tests import factories
from tests.e2e.conftest import sign_in
from tests.exams.factories import exam, question

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organizer():
    return factories.user("organizer", username="jiaowu")


@pytest.fixture
def program(organizer):
    today = timezone.localdate()
    return factories.program(
        organizers=[organizer],
        code="ZK2015",
        title="周口市培训班",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=3),
    )


def test_roll_call_search_groups_leave_and_the_confirmation_on_a_tablet(
    browser, live_server, screenshot, organizer, program
):
    groups = [factories.group(program, number=n) for n in (1, 2, 3)]
    start = timezone.now() + timedelta(minutes=5)
    lecture = Activity.objects.create(
        program=program,
        kind="lecture",
        title="执法规范化建设",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    enrollments = [
        factories.enrollment(
            program,
            factories.trainee(police_id=f"{610000 + n}", name=f"所长{n:02d}", with_login=False),
            group=groups[n % 3],
        )
        for n in range(30)
    ]
    LeaveRequest.objects.create(
        enrollment=enrollments[0],
        starts_at=lecture.starts_at,
        ends_at=lecture.ends_at,
        reason="病假",
        status="approved",
    )
    LeaveRequest.objects.create(
        enrollment=enrollments[3],
        starts_at=lecture.starts_at,
        ends_at=lecture.ends_at,
        reason="事假",
        status="pending",
    )
    tablet = browser.new_context(
        viewport={"width": 1024, "height": 768},
        locale="zh-CN",
        base_url=live_server.url,
        has_touch=True,
    )
    page = tablet.new_page()
    sign_in(page, "jiaowu")
    page.goto(f"/timetable/programs/ZK2015/roll-call/{lecture.pk}/")

    page.locator("#rollcall-search").fill("所长1")  # 所长10–所长19
    assert page.locator("tr.rollcall-row:visible").count() == 10
    page.locator("#rollcall-search").fill("610007")
    assert page.locator("tr.rollcall-row:visible").count() == 1
    assert page.locator("section.rollcall-group:visible").count() == 1
    page.locator("#rollcall-search").fill("610000")
    assert page.locator(f"#row-{enrollments[0].pk} .leave-badge").is_visible()
    screenshot(page, "rollcall-sheet-search-tablet", full_page=False)
    page.locator("#rollcall-search").fill("")

    group_1 = page.locator("#rollcall-group-1")
    assert group_1.locator("[data-count=leave]").text_content() == "1"
    group_1.locator(f"#row-{enrollments[3].pk}").get_by_role("button", name="出勤").click()
    page.locator(f"#row-{enrollments[3].pk}[data-status=present]").wait_for()
    page.wait_for_function(
        "document.querySelector('#rollcall-group-1 [data-count=attended]').textContent === '1'"
    )
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.locator("#rollcall-all-present button").click()
    page.wait_for_load_state("load")
    page.locator("#rollcall-all-present button[disabled]").wait_for()

    assert len(questions) == 1 and "28" in questions[0] and "1" in questions[0]
    assert Attendance.objects.filter(status="present").count() == 29
    assert Attendance.objects.get(enrollment=enrollments[0]).status == "leave"
    tablet.close()


def test_exam_builder_filters_ticks_what_is_shown_and_adds_up(
    browser, live_server, screenshot, organizer, program
):
    law = [question(category="法律法规", text=f"法律第{n}题", points=Decimal(2)) for n in range(6)]
    work = [question(category="群众工作", text=f"群众工作第{n}题") for n in range(5)]
    paper = exam(program, [work[0]])
    desktop = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = desktop.new_page()
    sign_in(page, "jiaowu")
    page.goto(f"/exams/programs/ZK2015/{paper.pk}/questions/")

    page.select_option("#pick-category", "法律法规")
    assert page.locator(".pick-item:visible").count() == 6
    page.locator("#pick-select-shown").click()
    assert page.locator("#pick-total").get_attribute("data-count") == "7"
    assert page.locator("#pick-total").get_attribute("data-points") == "15"
    page.locator("#pick-keyword").fill("第5")
    assert page.locator(".pick-item:visible").count() == 1
    page.locator("#pick-clear-shown").click()
    assert page.locator("#pick-total").get_attribute("data-points") == "13"
    screenshot(page, "exam-builder-filtered", full_page=False)
    page.get_by_role("button", name="使用勾选的试题").click()
    page.wait_for_url(f"**/exams/programs/ZK2015/{paper.pk}/")

    chosen = set(ExamQuestion.objects.filter(exam=paper).values_list("question_id", flat=True))
    assert chosen == {work[0].pk, *(q.pk for q in law[:5])}
    desktop.close()
