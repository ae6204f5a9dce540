"""Issue 18: the organizer's week, at the size of a real course, in Chromium.

An organizer creates a 5-day program of the city bureau, imports a 220-chief roster of the
county bureaus (a title row, 8 groups in 分组 that do not exist yet), gives the 8 groups their
hosts on one page, schedules a lecture and a discussion of all 8 groups in parallel (one form
each), publishes the timetable, finds a chief on the roll-call sheet, builds the graduation
exam from one category of the bank, and opens the score report's publish page, which names
the graduation exam nobody has sat. A chief checks in on his phone and reads 已签到 on his
day. Each page is photographed at the width its user uses (var/screenshots/week-*.png).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from exams.models import Exam
from sessions.models import Activity
from sessions.services.rollcall import code_for, step_of
from tests import factories, rosters
from tests.e2e.conftest import PHONE, sign_in
from tests.exams.factories import question
from trainees.models import Enrollment, Program, Trainee, Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOSTS = [
    ("市公安局党委书记、局长", "张国庆"),
    ("市公安局党委副书记、政委", "刘建华"),
    ("市公安局党委委员、副局长", "王振"),
    ("市公安局党委委员、副局长", "陈立"),
    ("市公安局党委委员、政治部主任", "杨帆"),
    ("市公安局党委委员、副局长", "赵磊"),
    ("市公安局治安支队支队长", "孙敏"),
    ("市公安局法制支队支队长", "周涛"),
]


@pytest.fixture
def desk(browser, live_server):
    """The organizer's desktop browser."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    yield context.new_page()
    context.close()


def hhmm(moment):
    return timezone.localtime(moment).strftime("%H:%M")


def test_an_organizer_runs_a_220_chief_week_and_a_chief_checks_in(
    desk, phone, screenshot, tmp_path
):
    factories.user("organizer", username="jiaowu")
    factories.unit(rosters.ZHOUKOU, kind=Unit.Kind.BUREAU)
    for n in range(12):
        category = "法律法规" if n < 8 else "警务实务"
        question(category=category, text=f"{category}第{n + 1}题")
    today = timezone.localdate()
    roster = tmp_path / "周口名册.xlsx"
    roster.write_bytes(rosters.xlsx(rosters.zhoukou_rows(220, group_count=8)))
    page = desk
    sign_in(page, "jiaowu")

    # A 5-day program of the city bureau.
    page.goto("/trainees/programs/new/")
    page.locator("#id_title").fill("周口市派出所所长专业化延伸培训班")
    page.locator("#id_code").fill("ZK2026")
    page.locator("#id_start_date").fill((today - timedelta(days=1)).isoformat())
    page.locator("#id_end_date").fill((today + timedelta(days=3)).isoformat())
    page.locator("#id_bureau").select_option(label=rosters.ZHOUKOU)
    page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()
    program = Program.objects.get(code="ZK2026")
    assert program.bureau.name == rosters.ZHOUKOU

    # The bureau's own roster, in one go: 8 new groups, the county bureaus under the city's.
    page.goto("/trainees/programs/ZK2026/roster/import/")
    page.locator("input[name=file]").set_input_files(str(roster))
    page.locator("form[enctype] [type=submit]").first.click()
    assert page.locator("#import-new-groups").is_visible()
    assert "220 人新增" in page.locator("#import-summary").inner_text()
    screenshot(page, "week-roster-preview")
    page.locator("#import-confirm").click()
    page.wait_for_url("**/roster/")
    assert program.enrollments.count() == 220 and program.groups.count() == 8
    assert not Unit.objects.filter(parent=None).exclude(name=rosters.ZHOUKOU).exists()

    # The 8 hosts on one page, one save.
    page.goto("/trainees/programs/ZK2026/groups/")
    page.locator("#groups-edit-link").click()
    for index, (title, name) in enumerate(HOSTS):
        page.locator(f"#id_groups-{index}-host_title").fill(title)
        page.locator(f"#id_groups-{index}-host_name").fill(name)
    screenshot(page, "week-groups-edit")
    page.locator("#groups-edit-save").click()
    page.wait_for_load_state()
    assert list(program.groups.order_by("number").values_list("host_name", flat=True)) == [
        name for _title, name in HOSTS
    ]

    # A lecture starting in a few minutes, and tonight's discussion of all 8 groups.
    # An activity keeps to one day: near midnight (Beijing) it ends at 23:59, or starts at 00:00.
    starts = (timezone.localtime() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    if (starts.hour, starts.minute) == (23, 59):
        starts += timedelta(minutes=1)
    ends = min(starts + timedelta(minutes=50), starts.replace(hour=23, minute=59))
    page.goto("/timetable/programs/ZK2026/activities/new/")
    page.locator("#id_kind").select_option("lecture")
    page.locator("#id_title").fill("派出所执法规范化建设")
    page.locator("#id_day").select_option(starts.date().isoformat())
    page.locator("#id_start").fill(hhmm(starts))
    page.locator("#id_end").fill(hhmm(ends))
    page.locator("#id_new_venue").fill("报告厅")
    page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()
    lecture = Activity.objects.get(program=program, title="派出所执法规范化建设")

    page.goto("/timetable/programs/ZK2026/activities/new/")
    page.locator("#id_kind").select_option("discussion")
    page.locator("#id_title").fill("分组讨论：落实“派出所主防”")
    page.locator("#id_day").select_option((today + timedelta(days=1)).isoformat())
    page.locator("#id_start").fill("19:00")
    page.locator("#id_end").fill("21:00")
    page.locator("#id_parallel").check()
    for number in range(1, 9):
        page.locator(f"#id_group-{number}-new_venue").fill(f"第{number}研讨室")
    screenshot(page, "week-parallel-form")
    page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()
    assert Activity.objects.filter(program=program, kind="discussion").count() == 8

    page.goto("/timetable/programs/ZK2026/week/")
    block = page.locator("details.act-parallel[data-groups='8']")
    assert block.count() == 1 and "×8" in block.locator("summary").inner_text()
    page.get_by_role("button", name="发布日程").click()
    page.wait_for_load_state()
    screenshot(page, "week-timetable")
    program.refresh_from_db()
    assert program.timetable_published_at is not None

    # Roll call: find a chief by name among 220.
    chief = Enrollment.objects.select_related("trainee").get(
        program=program, trainee__police_id="410037"
    )
    page.goto(f"/timetable/programs/ZK2026/roll-call/{lecture.pk}/")
    page.locator("#rollcall-search").fill(chief.trainee.name)
    assert page.locator(f"#row-{chief.pk}").is_visible()
    shown = page.locator("tr.rollcall-row:visible").count()
    assert 1 <= shown < 220
    assert page.locator("section.rollcall-group").count() == 8
    screenshot(page, "week-rollcall-search", full_page=False)

    # The graduation exam, built from one category of the bank.
    page.goto("/exams/programs/ZK2026/new/")
    page.locator("#id_kind").select_option(Exam.Kind.GRADUATION)
    page.locator("#id_title").fill("结业考试")
    last_day = program.end_date.isoformat()
    page.locator("#id_opens_at").fill(f"{last_day}T09:00")
    page.locator("#id_closes_at").fill(f"{last_day}T11:00")
    page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()
    exam = Exam.objects.get(program=program, kind=Exam.Kind.GRADUATION)
    page.goto(f"/exams/programs/ZK2026/{exam.pk}/questions/")
    page.locator("#pick-category").select_option("法律法规")
    page.locator("#pick-select-shown").click()
    assert page.locator("#pick-total").get_attribute("data-count") == "8"
    screenshot(page, "week-exam-builder")
    page.locator("#pick-form [type=submit]").last.click()
    page.wait_for_load_state()
    assert set(exam.exam_questions.values_list("question__category", flat=True)) == {"法律法规"}

    # The score report's publish page says, in red, that nobody has sat the graduation exam.
    page.goto("/reports/programs/ZK2026/report/publish/")
    incomplete = page.locator("#incomplete-graduation")
    assert incomplete.is_visible() and "220" in incomplete.inner_text()
    assert page.locator("#publish-provisional").is_visible()
    screenshot(page, "week-publish-confirm")

    # A chief checks in on his phone and reads 已签到 on his day.
    trainee = Trainee.objects.get(police_id="410037")
    trainee.user = factories.user("trainee", username="410037")
    trainee.initial_password = ""
    trainee.save()
    sign_in(phone, "410037", landing="**/my-day/")
    phone.goto("/timetable/check-in/")
    phone.locator("#id_code").fill(code_for(lecture, step_of(timezone.now())))
    phone.locator("form[method=post] [type=submit]").last.click()
    phone.wait_for_load_state()
    phone.goto(f"/timetable/my-day/?day={starts.date().isoformat()}")  # after midnight: tomorrow
    state = phone.locator(f"li[data-activity='{lecture.pk}'] .card-state")
    assert state.get_attribute("data-state") == "checked-in"
    assert "已签到" in state.inner_text()
    screenshot(phone, "week-trainee-my-day")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
