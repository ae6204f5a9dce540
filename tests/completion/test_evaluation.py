"""A trainee evaluates an activity (评教): once, within the window, only one they attended;
from "my day" and from the list of what is waiting. The program's items lock at the first
answer."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from completion.evaluation import evaluated_kinds
from completion.models import (
    DEFAULT_ITEMS,
    EVALUATED_KINDS,
    Evaluation,
    EvaluationItem,
    EvaluationReceipt,
    EvaluationScore,
    ProgramClosing,
)
from completion.services import evaluation as services
from sessions.models import Activity, Attendance
from tests import factories
from tests.completion.evaluations import (
    answer,
    attended,
    running_program,
    yesterdays_lecture,
)
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are compared with their msgids: services and pages speak English here."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def program(organizer):
    return running_program([organizer])


@pytest.fixture
def lecture(program):
    return yesterdays_lecture(program)


@pytest.fixture
def enrollment(lecture):
    return attended(lecture)[0]


def form_data(program, score=4, comment=""):
    items = services.evaluation_items_for(program=program)
    return {f"item_{item.pk}": score for item in items} | {"comment": comment}


def signed_in(client, enrollment):
    client.force_login(enrollment.trainee.user)
    return client


def answer_url(activity_):
    return f"/completion/evaluations/{activity_.pk}/"


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# --- the rule ---------------------------------------------------------------------------


def test_evaluated_kinds_are_the_defaults_without_closing_rules_or_with_none_chosen(program):
    without_row = evaluated_kinds(program)
    closing = ProgramClosing.objects.create(program=program)
    with_none_chosen = evaluated_kinds(program)
    closing.evaluated_kinds = ["lecture", "forum"]
    closing.save()
    program.refresh_from_db()

    assert without_row == EVALUATED_KINDS
    assert with_none_chosen == EVALUATED_KINDS
    assert evaluated_kinds(program) == ["lecture", "forum"]


def test_the_form_is_made_of_the_default_items_the_first_time_and_once(program):
    first = services.evaluation_items_for(program=program)
    again = services.evaluation_items_for(program=program)

    assert [item.text for item in first] == DEFAULT_ITEMS
    assert [item.pk for item in again] == [item.pk for item in first]
    assert EvaluationItem.objects.filter(program=program).count() == 4


# --- answering --------------------------------------------------------------------------


def test_a_trainee_who_attended_evaluates_once_and_the_answer_names_no_one(
    client, lecture, enrollment
):
    signed_in(client, enrollment)

    page = client.get(answer_url(lecture))
    response = client.post(answer_url(lecture), form_data(lecture.program, 5, "案例很实用"))

    assert page.status_code == 200
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.activity, evaluation.comment) == (lecture, "案例很实用")
    assert sorted(evaluation.scores.values_list("score", flat=True)) == [5, 5, 5, 5]
    receipt = EvaluationReceipt.objects.get()
    assert (receipt.activity, receipt.enrollment) == (lecture, enrollment)


def test_a_second_answer_is_refused_and_keeps_the_first(client, lecture, enrollment):
    signed_in(client, enrollment)
    client.post(answer_url(lecture), form_data(lecture.program, 5), follow=True)

    again = client.post(answer_url(lecture), form_data(lecture.program, 1), follow=True)
    page = client.get(answer_url(lecture), follow=True)

    assert messages_of(again) == ["You have already evaluated this activity."]
    assert messages_of(page) == ["You have already evaluated this activity."]
    assert list(EvaluationScore.objects.values_list("score", flat=True)) == [5, 5, 5, 5]
    assert (Evaluation.objects.count(), EvaluationReceipt.objects.count()) == (1, 1)


def test_the_service_refuses_a_second_answer_with_already(lecture, enrollment):
    answer(lecture, enrollment)

    with pytest.raises(services.EvaluationRefused) as refused:
        answer(lecture, enrollment)

    assert refused.value.already is True
    assert str(refused.value) == "You have already evaluated this activity."
    assert Evaluation.objects.count() == 1


def test_after_the_window_closes_the_answer_is_refused(client, lecture, enrollment):
    # Ended the day before yesterday: a window of one day closed yesterday, whatever the hour
    # (the lecture of yesterday afternoon would still be open this morning).
    lecture.starts_at -= timedelta(days=1)
    lecture.ends_at -= timedelta(days=1)
    lecture.save()
    ProgramClosing.objects.create(program=lecture.program, evaluation_days=1)
    signed_in(client, enrollment)

    page = client.get(answer_url(lecture), follow=True)
    response = client.post(answer_url(lecture), form_data(lecture.program), follow=True)
    with pytest.raises(services.EvaluationRefused) as refused:
        answer(lecture, enrollment, score=4)

    expected = "The time to evaluate this activity is over."
    assert messages_of(page) == [expected]
    assert messages_of(response) == [expected]
    assert str(refused.value) == expected
    assert Evaluation.objects.count() == 0


def test_the_window_is_three_days_from_the_end_by_default(lecture, enrollment):
    items = services.evaluation_items_for(program=lecture.program)
    scores = {item.pk: 3 for item in items}

    def submit(now):
        return services.evaluation_submit(
            activity=lecture, enrollment=enrollment, scores=scores, now=now
        )

    with pytest.raises(services.EvaluationRefused) as late:
        submit(lecture.ends_at + timedelta(days=3))
    with pytest.raises(services.EvaluationRefused) as early:
        submit(lecture.ends_at - timedelta(minutes=1))
    submit(lecture.ends_at + timedelta(days=3) - timedelta(seconds=1))

    assert str(late.value) == "The time to evaluate this activity is over."
    assert str(early.value) == "This activity has not ended yet."
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize(
    "status", [Attendance.Status.ABSENT, Attendance.Status.LEAVE, None], ids=str
)
def test_a_trainee_who_did_not_attend_is_refused(client, lecture, status):
    enrollment = factories.enrollment(lecture.program)
    if status:
        Attendance.objects.create(activity=lecture, enrollment=enrollment, status=status)
    signed_in(client, enrollment)

    page = client.get(answer_url(lecture), follow=True)
    response = client.post(answer_url(lecture), form_data(lecture.program), follow=True)

    expected = ["Only the trainees who attended an activity evaluate it."]
    assert (messages_of(page), messages_of(response)) == (expected, expected)
    assert (Evaluation.objects.count(), EvaluationReceipt.objects.count()) == (0, 0)


@pytest.mark.parametrize("status", [Attendance.Status.LATE, Attendance.Status.LEFT_EARLY])
def test_late_and_left_early_count_as_attended(lecture, status):
    enrollment = attended(lecture, status=status)[0]

    answer(lecture, enrollment)

    assert Evaluation.objects.count() == 1


def test_an_activity_of_a_kind_not_evaluated_is_refused(lecture, enrollment):
    ProgramClosing.objects.create(program=lecture.program, evaluated_kinds=["forum"])

    with pytest.raises(services.EvaluationRefused) as refused:
        answer(lecture, enrollment)

    assert str(refused.value) == "This activity is not evaluated."


def test_another_programs_activity_and_another_groups_are_404(client, lecture, enrollment):
    other = yesterdays_lecture(running_program(code="ZK2023"), title="他班讲座")
    group = factories.group(lecture.program, 2)
    theirs = yesterdays_lecture(lecture.program, title="二组现场教学", group=group)
    signed_in(client, enrollment)

    statuses = [client.get(answer_url(a)).status_code for a in (other, theirs)]
    posted = client.post(answer_url(other), form_data(other.program)).status_code

    assert statuses == [404, 404]
    assert posted == 404
    assert Evaluation.objects.count() == 0


def test_an_incomplete_form_is_shown_again_and_saves_nothing(client, lecture, enrollment):
    signed_in(client, enrollment)
    data = form_data(lecture.program)
    del data[next(iter(data))]

    response = client.post(answer_url(lecture), data)

    assert response.status_code == 200
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert Evaluation.objects.count() == 0


def test_scores_out_of_1_to_5_are_refused(lecture, enrollment):
    items = services.evaluation_items_for(program=lecture.program)

    with pytest.raises(services.EvaluationRefused):
        services.evaluation_submit(
            activity=lecture, enrollment=enrollment, scores={item.pk: 6 for item in items}
        )

    assert Evaluation.objects.count() == 0


def test_a_withdrawn_trainee_is_refused(lecture, enrollment):
    enrollment.status = enrollment.Status.WITHDRAWN
    enrollment.save()

    with pytest.raises(services.EvaluationRefused):
        answer(lecture, enrollment)


# --- the items ----------------------------------------------------------------------------


def test_organizers_change_the_items_until_the_first_answer_then_are_refused(
    client, organizer, lecture, enrollment
):
    url = "/completion/programs/CZ2023/evaluation/items/"
    client.force_login(organizer)

    changed = client.post(url, {"items": "内容针对性\n讲授水平\n案例鲜活\n总体评价"}, follow=True)
    texts = list(EvaluationItem.objects.values_list("text", flat=True))
    answer(lecture, enrollment)
    refused = client.post(url, {"items": "只剩一项"}, follow=True)
    page = client.get(url)

    assert messages_of(changed) == ["The evaluation form is saved."]
    assert texts == ["内容针对性", "讲授水平", "案例鲜活", "总体评价"]
    assert messages_of(refused) == [
        "Trainees have started to answer: the items can no longer be changed."
    ]
    assert list(EvaluationItem.objects.values_list("text", flat=True)) == texts
    assert page.context["locked"] is True
    assert "evaluation-items-form" not in page.content.decode()


def test_the_service_refuses_new_items_after_the_first_answer(lecture, enrollment):
    answer(lecture, enrollment)

    with pytest.raises(services.ItemsLocked):
        services.evaluation_items_set(program=lecture.program, texts=["一项"])

    assert EvaluationItem.objects.count() == 4


def test_an_answer_to_items_changed_since_the_form_was_shown_is_refused(lecture, enrollment):
    old = services.evaluation_items_for(program=lecture.program)
    services.evaluation_items_set(program=lecture.program, texts=["一项", "二项"])

    with pytest.raises(services.EvaluationRefused) as refused:
        services.evaluation_submit(
            activity=lecture, enrollment=enrollment, scores={item.pk: 4 for item in old}
        )

    assert str(refused.value) == "The evaluation form has changed; please answer it again."


@pytest.mark.parametrize(
    "text, error",
    [
        ("", "This field is required."),
        ("\n".join(f"第{n}项" for n in range(11)), "At most 10 items."),
        ("讲授水平\n讲授水平", "Each item once."),
    ],
)
def test_the_items_form_refuses_none_too_many_and_twice(client, organizer, program, text, error):
    client.force_login(organizer)

    response = client.post("/completion/programs/CZ2023/evaluation/items/", {"items": text})

    assert response.status_code == 200
    assert error in response.content.decode()


# --- where a trainee finds it: the list of what is waiting, and my day -----------------


def test_the_waiting_list_has_what_the_trainee_may_evaluate_and_not_what_is_done(
    client, lecture, enrollment
):
    program = lecture.program
    forum = yesterdays_lecture(
        program, title="所长论坛", kind=Activity.Kind.FORUM, start="19:00", end="20:30"
    )
    drill = yesterdays_lecture(
        program, title="体能训练", kind=Activity.Kind.DRILL, start="07:00", end="08:00"
    )
    old = activity(program, day=program.start_date, title="三天前的讲座")
    old.ends_at = timezone.now() - timedelta(days=3, minutes=1)
    old.starts_at = old.ends_at - timedelta(minutes=90)
    old.save()
    for other in (forum, drill, old):
        Attendance.objects.create(activity=other, enrollment=enrollment, status="present")
    missed = yesterdays_lecture(program, title="缺勤的讲座", start="09:00")
    Attendance.objects.create(activity=missed, enrollment=enrollment, status="absent")
    signed_in(client, enrollment)

    before = client.get("/completion/evaluations/")
    answer(lecture, enrollment)
    after = client.get("/completion/evaluations/")

    titles = [entry.activity.title for entry in before.context["waiting"]]
    assert titles == ["聚焦派出所主防", "所长论坛"]
    assert [entry.activity.title for entry in after.context["waiting"]] == ["所长论坛"]


def test_another_trainees_list_is_their_own(client, lecture, enrollment):
    other = factories.enrollment(lecture.program)
    client.force_login(other.trainee.user)

    response = client.get("/completion/evaluations/")

    assert response.context["waiting"] == []


def my_day(client, enrollment):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    client.force_login(enrollment.trainee.user)
    return client.get("/timetable/my-day/", {"day": yesterday})


def links(response):
    """{title: whether its card links to its evaluation} of my day's cards, from the page."""
    cards = re.findall(
        r'<li class="list-group-item[^"]*" data-activity="\d+">(.*?)</li>',
        response.content.decode(),
        re.S,
    )
    return {
        re.search(r'<div class="fw-semibold">(.*?)</div>', card).group(1): "evaluation-link" in card
        for card in cards
    }


def test_my_day_links_an_ended_attended_lecture_to_its_form_until_answered(
    client, lecture, enrollment
):
    missed = yesterdays_lecture(lecture.program, title="缺勤的讲座", start="09:00")
    Attendance.objects.create(activity=missed, enrollment=enrollment, status="absent")

    before = my_day(client, enrollment)
    answer(lecture, enrollment)
    after = my_day(client, enrollment)

    assert links(before) == {"缺勤的讲座": False, "聚焦派出所主防": True}
    assert f'href="/completion/evaluations/{lecture.pk}/"' in before.content.decode()
    assert before.content.decode().count('data-link="to-evaluate"') == 1
    assert links(after) == {"缺勤的讲座": False, "聚焦派出所主防": False}


def test_my_day_costs_one_query_more_with_lectures_to_evaluate_whatever_their_number(
    client, lecture, enrollment
):
    """None ended that the trainee attended: no query; one, or three: one."""
    Attendance.objects.filter(enrollment=enrollment).update(status="absent")
    my_day(client, enrollment)  # the session's first request pays for its caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            my_day(client, enrollment)
        return len(captured.captured_queries)

    none = queries()
    Attendance.objects.filter(enrollment=enrollment).update(status="present")
    one = queries()
    for start, end in (("08:00", "09:30"), ("10:00", "11:30")):
        more = yesterdays_lecture(lecture.program, title=f"{start}讲座", start=start, end=end)
        Attendance.objects.create(activity=more, enrollment=enrollment, status="present")
    my_day(client, enrollment)  # the first visit after a timetable change reads it again
    three = queries()

    assert sum(links(my_day(client, enrollment)).values()) == 3
    assert (one, three) == (none + 1, none + 1)
