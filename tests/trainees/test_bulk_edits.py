"""Issue 18: where the organizer works in bulk. Every group's host and topic on one page, one
POST; the trainees ticked on the roster moved to a group or withdrawn in one POST."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from tests import factories
from trainees.models import Enrollment, Group
from trainees.services.groups import groups_create

pytestmark = pytest.mark.django_db

GROUPS_EDIT = "/trainees/programs/CZ2023/groups/edit/"
BULK = "/trainees/programs/CZ2023/roster/bulk/"
HOSTS = [
    ("于贵平", "副市长、市公安局局长", "从思想观念上向“派出所主防”转变"),
    ("周建明", "市公安局党委副书记、副局长", "警力和精力向主防倾斜"),
    ("钱立新", "市公安局党委委员、副局长", "农村地区警务融合与大防范"),
    ("孙海涛", "市公安局党委委员、政治部主任", "整合警力资源，划分防区组合作战"),
    ("李卫东", "市公安局党委委员、副局长", "综合指挥室的中枢作用"),
    ("赵明", "市公安局党委委员、副局长", "社区警务与网格化管理"),
    ("吴刚", "市公安局治安支队支队长", "矛盾纠纷多元化解"),
    ("郑强", "市公安局法制支队支队长", "执法规范化建设"),
]


@pytest.fixture
def eight_groups(program):
    groups_create(program=program, count=8)
    return list(program.groups.order_by("number"))


def formset_data(groups, rows):
    """The POST of the page: one row per group, (name, host title, host name, topic)."""
    data = {
        "groups-TOTAL_FORMS": str(len(rows)),
        "groups-INITIAL_FORMS": str(len(groups)),
        "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "1000",
    }
    for index, (group_id, name, title, host, topic) in enumerate(rows):
        data.update(
            {
                f"groups-{index}-id": str(group_id) if group_id else "",
                f"groups-{index}-name": name,
                f"groups-{index}-host_title": title,
                f"groups-{index}-host_name": host,
                f"groups-{index}-topic": topic,
            }
        )
    return data


def hosts_rows(groups):
    pairs = zip(groups, HOSTS, strict=True)
    return [(group.pk, "", title, host, topic) for group, (host, title, topic) in pairs]


def test_every_groups_host_and_topic_is_saved_by_one_post(client, organizer, eight_groups):
    client.force_login(organizer)

    page = client.get(GROUPS_EDIT)
    response = client.post(GROUPS_EDIT, formset_data(eight_groups, hosts_rows(eight_groups)))

    assert page.status_code == 200 and len(page.context["formset"].forms) == 8
    assert response.status_code == 302
    saved = list(Group.objects.order_by("number").values_list("host_name", "host_title", "topic"))
    assert saved == [(host, title, topic) for host, title, topic in HOSTS]
    history = Group.history.filter(history_type="~")
    assert history.count() == 8
    assert set(history.values_list("history_user", "history_change_reason")) == {
        (organizer.pk, "groups edited")
    }


def test_a_wrong_row_saves_no_group(client, organizer, eight_groups):
    client.force_login(organizer)
    rows = hosts_rows(eight_groups)
    rows[7] = (eight_groups[7].pk, "", "", "", "议" * 201)  # longer than a topic may be

    response = client.post(GROUPS_EDIT, formset_data(eight_groups, rows))

    assert response.status_code == 200
    assert response.context["formset"].forms[7].errors
    assert set(Group.objects.values_list("host_name", flat=True)) == {""}


def test_a_group_of_another_program_cannot_be_edited_through_the_page(
    client, organizer, eight_groups
):
    other = factories.group(factories.program(organizers=[organizer]), number=1, topic="原议题")
    client.force_login(organizer)
    rows = hosts_rows(eight_groups)
    rows[0] = (other.pk, "", "", "", "改掉")

    response = client.post(GROUPS_EDIT, formset_data(eight_groups, rows))

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.topic == "原议题"
    assert not Group.objects.exclude(host_name="").exists()


def test_an_extra_row_creates_no_group(client, organizer, eight_groups):
    client.force_login(organizer)
    rows = [*hosts_rows(eight_groups), (None, "第九组", "", "", "")]

    response = client.post(GROUPS_EDIT, formset_data(eight_groups, rows))

    assert response.status_code == 302
    assert Group.objects.count() == 8


def test_the_group_edit_page_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, program, eight_groups, django_assert_max_num_queries
):
    client.force_login(organizer)
    for n in range(10):
        factories.enrollment(program, group=eight_groups[n % 8])
    with django_assert_max_num_queries(20) as small:
        client.get(GROUPS_EDIT)
    for n in range(190):
        factories.enrollment(program, group=eight_groups[n % 8])

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(GROUPS_EDIT)

    assert response.status_code == 200


# --- the roster's bulk actions ---------------------------------------------------------------


@pytest.fixture
def five(program, eight_groups):
    """Five trainees of CZ2023, all in group 1."""
    return [factories.enrollment(program, group=eight_groups[0]) for _ in range(5)]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_ticked_trainees_move_to_a_group_in_one_post(client, organizer, five, eight_groups):
    client.force_login(organizer)
    ticked = [e.pk for e in five[:3]]

    response = client.post(
        BULK,
        {
            "enrollments": ticked,
            "action": "move",
            "group": eight_groups[1].pk,
            "next": "/trainees/programs/CZ2023/roster/?group=1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/trainees/programs/CZ2023/roster/?group=1"
    groups = dict(Enrollment.objects.values_list("pk", "group__number"))
    assert [groups[e.pk] for e in five] == [2, 2, 2, 1, 1]
    moved = Enrollment.history.filter(history_change_reason="moved")
    assert sorted(moved.values_list("id", flat=True)) == sorted(ticked)


def test_ticked_trainees_move_out_of_every_group(client, organizer, five):
    client.force_login(organizer)

    client.post(BULK, {"enrollments": [five[0].pk], "action": "move", "group": "none"})

    assert Enrollment.objects.get(pk=five[0].pk).group is None


def test_a_move_without_a_chosen_group_moves_no_one(client, organizer, five):
    client.force_login(organizer)

    response = client.post(BULK, {"enrollments": [five[0].pk], "action": "move", "group": ""})

    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert Enrollment.objects.get(pk=five[0].pk).group.number == 1


def test_a_bulk_withdrawal_withdraws_the_others_and_says_who_was_refused_and_why(
    client, organizer, five
):
    today = timezone.localdate()
    running = factories.program(
        organizers=[factories.user("organizer")],
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=2),
    )
    held = five[1]
    factories.enrollment(running, held.trainee)  # active in a running program of others
    client.force_login(organizer)

    response = client.post(
        BULK, {"enrollments": [e.pk for e in five[:3]], "action": "withdraw"}, follow=True
    )

    statuses = dict(Enrollment.objects.filter(program__code="CZ2023").values_list("pk", "status"))
    assert [statuses[e.pk] for e in five] == [
        "withdrawn",
        "active",
        "withdrawn",
        "active",
        "active",
    ]
    said = messages_of(response)
    assert len(said) == 2
    assert held.trainee.name in said[1] and "只有系统管理员" in said[1]
    assert five[0].trainee.name in said[0] and five[2].trainee.name in said[0]


def test_a_foreign_enrollment_in_the_post_is_refused_and_nothing_changes(
    client, organizer, five, eight_groups
):
    other_program = factories.program(organizers=[factories.user("organizer")])
    foreign = factories.enrollment(
        other_program, factories.trainee(name="外班学员"), group=factories.group(other_program)
    )
    client.force_login(organizer)

    for action in ("move", "withdraw"):
        response = client.post(
            BULK,
            {
                "enrollments": [five[0].pk, foreign.pk],
                "action": action,
                "group": eight_groups[3].pk,
            },
            follow=True,
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "外班学员" not in page and str(foreign.pk) not in "".join(messages_of(response))

    foreign.refresh_from_db()
    assert (foreign.status, foreign.group.program) == ("active", other_program)
    assert Enrollment.objects.get(pk=five[0].pk).group == eight_groups[0]
    assert not Enrollment.objects.filter(status="withdrawn").exists()


def test_a_foreign_group_in_the_post_is_refused(client, organizer, five):
    foreign_group = factories.group(factories.program(organizers=[organizer]), number=1)
    client.force_login(organizer)

    response = client.post(
        BULK, {"enrollments": [five[0].pk], "action": "move", "group": foreign_group.pk}
    )

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert Enrollment.objects.get(pk=five[0].pk).group.number == 1
    assert Enrollment.objects.get(pk=five[0].pk).group.program.code == "CZ2023"


def test_the_bulk_action_does_not_redirect_to_another_host(client, organizer, five):
    client.force_login(organizer)

    response = client.post(
        BULK, {"enrollments": [five[0].pk], "action": "move", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/trainees/programs/CZ2023/roster/"


def test_the_roster_offers_the_bulk_bar_to_its_organizers_only(client, organizer, program, five):
    client.force_login(organizer)
    organizers_page = client.get("/trainees/programs/CZ2023/roster/").content.decode()
    client.force_login(factories.user("leadership"))
    leaders_page = client.get("/trainees/programs/CZ2023/roster/").content.decode()

    assert 'id="roster-bulk"' in organizers_page
    assert organizers_page.count('form="roster-bulk"') == 5
    assert 'id="roster-bulk"' not in leaders_page and "roster-tick" not in leaders_page
