"""A trainee evaluates yesterday's lecture on a 360 px phone: from the card on my day (待评价)
to the form, five taps and a comment, and back to the list, where it is no longer waiting.

The selectors are CSS, not the labels: the labels are translated after the merge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from completion.models import Evaluation, EvaluationScore
from sessions.models import Attendance
from tests import factories
from tests.completion.evaluations import running_program, yesterdays_lecture
from tests.e2e.conftest import sign_in
from tests.timetable.factories import speaker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_trainee_evaluates_yesterdays_lecture_on_a_phone(phone, screenshot):
    program = running_program([factories.user("organizer", username="jiaowu")])
    lecture = yesterdays_lecture(
        program, speakers=[speaker("吴小龙", "支队长", "市公安局人口管理支队")], venue="报告厅"
    )
    trainee = factories.trainee(police_id="320403", name="邹雨枫")
    enrollment = factories.enrollment(program, trainee)
    Attendance.objects.create(activity=lecture, enrollment=enrollment, status="present")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    sign_in(phone, "320403", landing="**/timetable/my-day/")

    phone.goto(f"/timetable/my-day/?day={yesterday}")
    card = phone.locator(f'[data-activity="{lecture.pk}"]')
    screenshot(phone, "evaluation-my-day-phone")
    card.locator('[data-link="to-evaluate"]').click()
    phone.wait_for_url(f"**/completion/evaluations/{lecture.pk}/")
    items = phone.locator(".evaluation-form fieldset")
    for index, score in enumerate([5, 4, 5, 5]):
        items.nth(index).locator("label", has_text=str(score)).click()
    phone.locator("textarea").fill("案例贴近基层，建议多留提问时间")
    width = phone.evaluate("document.documentElement.scrollWidth")
    screenshot(phone, "evaluation-phone")
    phone.locator('.evaluation-form button[type="submit"]').click()
    phone.wait_for_url("**/completion/evaluations/")
    screenshot(phone, "evaluation-phone-done")

    assert width <= 360
    assert phone.locator(".alert-success").count() == 1
    assert phone.locator(".evaluation-waiting [data-activity]").count() == 0
    evaluation = Evaluation.objects.get()
    assert evaluation.comment == "案例贴近基层，建议多留提问时间"
    scores = EvaluationScore.objects.order_by("item__position").values_list("score", flat=True)
    assert list(scores) == [5, 4, 5, 5]
