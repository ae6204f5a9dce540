"""The results of the course evaluation (评教): anonymous (no page, export or admin list says
who answered what), shown only from 5 answers (4 hidden, 5 shown), per activity, per speaker
and on the speakers' page (师资) by year; their queries constant at two sizes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from completion import models as completion_models
from completion.models import Evaluation, EvaluationReceipt, EvaluationScore
from completion.services import evaluation as services
from sessions.models import Activity
from tests import factories
from tests.completion.evaluations import answered, attended, running_program, yesterdays_lecture
from tests.hostile_text import cells
from tests.timetable.factories import activity, speaker
from trainees.models import Enrollment, Trainee

pytestmark = pytest.mark.django_db

HIDDEN = "Fewer than 5 answers: not shown yet"
RESULTS = "/completion/programs/CZ2023/evaluation/"
EXPORT = "/completion/programs/CZ2023/evaluation/export/"
SPEAKERS = "/completion/speakers/"


@pytest.fixture(autouse=True)
def english():
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


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def text_of(content):
    return "\n".join(str(cell.value) for cell in cells(content))


def stored_answers(activity_, scores, comments=()):
    """Answers written straight into the tables, as the service writes them: for activities of
    past programs, whose window has closed. `scores`: one list of item scores per answer."""
    items = services.evaluation_items_for(program=activity_.program)
    for index, answer_scores in enumerate(scores):
        evaluation = Evaluation.objects.create(
            activity=activity_, comment=comments[index] if index < len(comments) else ""
        )
        EvaluationScore.objects.bulk_create(
            EvaluationScore(evaluation=evaluation, item=item, score=score)
            for item, score in zip(items, answer_scores, strict=True)
        )


# --- anonymity ------------------------------------------------------------------------------


def test_the_answers_point_to_no_trainee_enrollment_or_user_and_carry_no_time():
    people = {Trainee, Enrollment, get_user_model()}
    answer_models = [
        completion_models.Evaluation,
        completion_models.EvaluationScore,
        completion_models.EvaluationItem,
    ]

    pointing = {
        (model.__name__, field.name)
        for model in answer_models
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in people
    }
    times = [
        field.name
        for field in completion_models.Evaluation._meta.concrete_fields
        if field.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
    ]
    receipt_fields = {field.name for field in EvaluationReceipt._meta.concrete_fields}

    assert pointing == set()
    assert times == []
    assert Evaluation._meta.pk.get_internal_type() == "UUIDField"
    assert receipt_fields == {"id", "activity", "enrollment"}


def test_no_page_export_or_admin_list_shows_who_answered(client, organizer, lecture):
    enrollments = answered(lecture, 5, comments=["讲得透彻", "案例鲜活"])
    names = [e.trainee.name for e in enrollments] + [e.trainee.police_id for e in enrollments]
    leader = factories.user("leadership")
    admin = factories.user(is_staff=True, is_superuser=True)
    evaluation = Evaluation.objects.first()

    shown = [
        page(client, organizer, RESULTS).content.decode(),
        page(client, organizer, f"{RESULTS}{lecture.pk}/").content.decode(),
        page(client, leader, SPEAKERS).content.decode(),
        text_of(page(client, organizer, EXPORT).content),
        text_of(page(client, organizer, "/completion/speakers/export/").content),
        page(client, admin, "/admin/completion/evaluation/").content.decode(),
        page(
            client, admin, f"/admin/completion/evaluation/{evaluation.pk}/change/"
        ).content.decode(),
    ]

    assert all("讲得透彻" in text for text in shown[1:2] + shown[3:4])  # the comments are there
    assert [name for name in names for text in shown if name in text] == []


def test_the_comments_are_sorted_not_in_the_order_they_came_in(client, organizer, lecture):
    came_in = ["乙：多讲案例", "甲：时间偏紧", "丁：很受启发", "丙：联系实际"]
    answered(lecture, 5, comments=came_in)

    response = page(client, organizer, f"{RESULTS}{lecture.pk}/")
    exported = [
        cell.value for cell in cells(page(client, organizer, EXPORT).content) if cell.column == 3
    ]

    assert response.context["result"].comments == sorted(came_in)
    assert sorted(came_in) != came_in
    assert [value for value in exported if value in came_in] == sorted(came_in)


def test_the_admin_lists_the_answers_read_only(client, lecture):
    answered(lecture, 1)
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    evaluation = Evaluation.objects.get()

    add = client.get("/admin/completion/evaluation/add/")
    change = client.post(
        f"/admin/completion/evaluation/{evaluation.pk}/change/", {"comment": "改过"}
    )
    receipts = client.get("/admin/completion/evaluationreceipt/")

    assert add.status_code == 403
    assert change.status_code == 403
    assert receipts.status_code == 404  # not in the admin
    assert Evaluation.objects.get().comment == ""


# --- the threshold ----------------------------------------------------------------------------


@pytest.mark.parametrize("answers, shown", [(4, False), (5, True)])
def test_results_are_shown_from_5_answers(client, organizer, lecture, answers, shown):
    answered(lecture, answers, score=4, comments=["讲得透彻"])

    results = page(client, organizer, RESULTS)
    detail = page(client, organizer, f"{RESULTS}{lecture.pk}/").content.decode()
    exported = text_of(page(client, organizer, EXPORT).content)
    speakers = page(client, organizer, SPEAKERS)

    (result,) = results.context["results"].activities
    (by_speaker,) = results.context["results"].speakers
    (ratings,) = speakers.context["speakers"].speakers
    assert (result.answers, result.shown) == (answers, shown)
    assert (HIDDEN in results.content.decode()) is not shown
    assert (HIDDEN in detail) is not shown
    assert ("讲得透彻" in detail, "讲得透彻" in exported) == (shown, shown)
    assert ("4.00" in results.content.decode()) is shown
    assert (HIDDEN in exported) is not shown
    assert (by_speaker.activities, by_speaker.answers) == ((1, 5) if shown else (0, 0))
    assert [year.answers for year in ratings.years] == ([5] if shown else [])
    assert [taught.shown for taught in ratings.activities] == [shown]


def test_the_results_list_ended_activities_of_the_evaluated_kinds(client, organizer, lecture):
    program = lecture.program
    tomorrow = timezone.localdate() + timedelta(days=1)
    activity(program, day=tomorrow, title="明天的讲座")
    yesterdays_lecture(program, title="分组讨论", kind="discussion", start="19:00", end="21:00")

    results = page(client, organizer, RESULTS).context["results"]

    assert [result.activity.title for result in results.activities] == ["聚焦派出所主防"]


def test_the_threshold_is_a_setting(client, organizer, lecture, settings):
    settings.EVALUATION_MIN_ANSWERS = 2
    answered(lecture, 2)

    response = page(client, organizer, RESULTS)

    assert response.context["results"].activities[0].shown is True
    assert "Fewer than 2 answers" not in response.content.decode()


def test_the_means_and_distribution_of_an_activity(client, organizer, lecture):
    answered(lecture, 3, score=5)
    answered(lecture, 1, start=3, score=4)
    answered(lecture, 1, start=4, score=[3, 2, 1, 3])

    result = page(client, organizer, f"{RESULTS}{lecture.pk}/").context["result"]

    assert [(item.text, item.mean, item.counts) for item in result.items] == [
        ("内容针对性", Decimal("4.40"), [0, 0, 1, 1, 3]),
        ("讲授水平", Decimal("4.20"), [0, 1, 0, 1, 3]),
        ("实用性", Decimal("4.00"), [1, 0, 0, 1, 3]),
        ("总体评价", Decimal("4.40"), [0, 0, 1, 1, 3]),
    ]
    assert (result.answers, result.attended) == (5, 5)


def test_a_speakers_means_pool_only_their_activities_with_enough_answers(
    client, organizer, program
):
    lu = speaker()
    enough = yesterdays_lecture(program, title="讲座一", speakers=[lu])
    few = yesterdays_lecture(program, title="讲座二", speakers=[lu], start="08:30", end="10:00")
    answered(enough, 5, score=4)
    answered(few, 4, start=10, score=1)

    (by_speaker,) = page(client, organizer, RESULTS).context["results"].speakers

    assert (by_speaker.activities, by_speaker.answers) == (1, 5)
    assert [item.mean for item in by_speaker.items] == [4, 4, 4, 4]


# --- the speakers' page (师资) ----------------------------------------------------------------


def dated_lecture(program, day, title, speakers):
    return activity(program, day=day, title=title, speakers=speakers)


def test_the_speakers_page_gives_means_by_year_across_programs(client, organizer):
    lu, wang = speaker(), speaker("王建华", "教授", "江苏警官学院")
    old = factories.program(organizers=[organizer], code="CZ2024", start_date=date(2024, 5, 6))
    older = factories.program(organizers=[organizer], code="CZ2025", start_date=date(2025, 5, 6))
    stored_answers(dated_lecture(old, date(2024, 5, 6), "2024讲座", [lu]), [[4, 4, 4, 4]] * 5)
    stored_answers(dated_lecture(older, date(2025, 5, 6), "2025讲座甲", [lu]), [[5, 5, 5, 5]] * 5)
    stored_answers(
        dated_lecture(older, date(2025, 5, 7), "2025讲座乙", [lu, wang]), [[3, 3, 3, 3]] * 5
    )
    stored_answers(dated_lecture(older, date(2025, 5, 8), "答卷太少", [lu]), [[1, 1, 1, 1]] * 4)

    speakers = page(client, organizer, SPEAKERS).context["speakers"]

    by_name = {ratings.speaker.name: ratings for ratings in speakers.speakers}
    assert speakers.columns == ["内容针对性", "讲授水平", "实用性", "总体评价"]
    assert [(y.year, y.activities, y.answers, y.overall) for y in by_name["吕平洋"].years] == [
        (2025, 2, 10, 4),
        (2024, 1, 5, 4),
    ]
    assert [t.activity.title for t in by_name["吕平洋"].activities] == [
        "答卷太少",
        "2025讲座乙",
        "2025讲座甲",
        "2024讲座",
    ]
    assert [(y.year, y.overall) for y in by_name["王建华"].years] == [(2025, 3)]


def test_the_speakers_page_counts_only_the_programs_the_user_reads(client, organizer, lecture):
    answered(lecture, 5)
    other = factories.user("organizer")
    theirs = running_program([other], code="ZK2023")
    yesterdays_lecture(theirs, title="他班讲座", speakers=[speaker("李四", "", "")])
    branch = factories.user("leadership", unit=factories.unit(parent=factories.unit(kind="bureau")))

    def names(user):
        found = page(client, user, SPEAKERS).context["speakers"].speakers
        return [ratings.speaker.name for ratings in found]

    assert names(organizer) == ["吕平洋"]
    assert names(other) == ["李四"]
    assert names(factories.user("leadership")) == ["吕平洋", "李四"]
    assert names(branch) == []


def test_the_speakers_page_searches_by_name_or_unit(client, organizer, program):
    yesterdays_lecture(program, title="一", speakers=[speaker()])
    yesterdays_lecture(program, title="二", speakers=[speaker("王建华", "教授", "江苏警官学院")])

    found = page(client, organizer, f"{SPEAKERS}?q=警官学院").context["speakers"].speakers

    assert [ratings.speaker.name for ratings in found] == ["王建华"]


# --- who may read -----------------------------------------------------------------------------


def test_trainees_and_other_organizers_get_404_and_leadership_reads(client, lecture):
    enrollment = answered(lecture, 5)[0]
    urls = [RESULTS, f"{RESULTS}{lecture.pk}/", EXPORT]

    def statuses(user):
        client.force_login(user)
        return [client.get(url).status_code for url in urls]

    assert statuses(enrollment.trainee.user) == [404, 404, 404]
    assert statuses(factories.user("organizer")) == [404, 404, 404]
    assert statuses(factories.user("leadership")) == [200, 200, 200]


def test_an_activity_of_another_program_is_404_under_this_programs_address(
    client, organizer, program
):
    theirs = yesterdays_lecture(running_program(code="ZK2023"), title="他班讲座")
    client.force_login(organizer)

    assert client.get(f"{RESULTS}{theirs.pk}/").status_code == 404


# --- queries ----------------------------------------------------------------------------------


def some_evaluated_lectures(program, count, start=0):
    """`count` lectures of yesterday with two speakers each, 5 answers each (6 for some)."""
    for index in range(start, start + count):
        hour = 6 + index
        lecture = activity(
            program,
            day=timezone.localdate() - timedelta(days=1),
            start=f"{hour:02d}:00",
            end=f"{hour:02d}:50",
            title=f"讲座{index}",
            speakers=[speaker(f"讲师{index}"), speaker(f"讲师{index + 1}")],
        )
        answered(lecture, 5 + index % 2, start=index * 10, comments=[f"意见{index}"])


def query_count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url", [RESULTS, EXPORT, SPEAKERS, "/completion/speakers/export/"], ids=str
)
def test_queries_are_the_same_for_2_and_8_evaluated_lectures(
    client, organizer, program, url, django_assert_num_queries
):
    some_evaluated_lectures(program, 2)
    client.force_login(organizer)
    client.get(url)  # the session's first request pays for its caches
    small = query_count(client, url)
    some_evaluated_lectures(program, 6, start=2)
    activity(program, kind=Activity.Kind.LECTURE, title="未评讲座", speakers=[speaker("新讲师")])

    with django_assert_num_queries(small):
        client.get(url)


def test_an_activitys_page_queries_are_the_same_for_5_and_30_answers(
    client, organizer, lecture, django_assert_num_queries
):
    url = f"{RESULTS}{lecture.pk}/"
    answered(lecture, 5, comments=["一"])
    client.force_login(organizer)
    client.get(url)
    small = query_count(client, url)
    answered(lecture, 25, start=5, comments=["二", "三"])

    with django_assert_num_queries(small):
        client.get(url)


def test_my_list_of_what_is_waiting_has_constant_queries(
    client, program, django_assert_num_queries
):
    first = yesterdays_lecture(program)
    enrollment = attended(first)[0]
    answered(yesterdays_lecture(program, title="已评", start="07:00", end="07:50"), 1, start=50)
    url = "/completion/evaluations/"
    client.force_login(enrollment.trainee.user)
    client.get(url)
    small = query_count(client, url)
    for hour in (8, 10, 19):
        more = yesterdays_lecture(
            program,
            title=f"{hour}点",
            start=f"{hour:02d}:00",
            end=f"{hour:02d}:50",
            speakers=[speaker(f"讲师{hour}")],
        )
        more.attendances.create(enrollment=enrollment, status="present")

    with django_assert_num_queries(small):
        response = client.get(url)

    assert len(response.context["waiting"]) == 4
