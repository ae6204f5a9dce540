import io
import zipfile

import pytest
from django.utils import timezone

from discussions.models import DiscussionRecord, EssayReviewer, Idea
from discussions.services import records
from sessions.models import Activity
from tests import factories
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db

BASE = "/discussions/programs/CZ2023"


@pytest.fixture
def groups(program):
    return [
        factories.group(program, number=n, host_name=f"主持人{n}", topic="落实“派出所主防”")
        for n in (1, 2, 3)
    ]


@pytest.fixture
def evening(program):
    """The evening discussion that every group holds in parallel."""
    return activity(
        program,
        kind=Activity.Kind.DISCUSSION,
        title="分组讨论：派出所主防",
        start="19:00",
        end="21:00",
    )


def member(program, group, **fields):
    """An active trainee of `group`, with a login."""
    return factories.enrollment(program, factories.trainee(**fields), group=group)


def record_url(record_or_activity, group):
    activity_pk = getattr(record_or_activity, "activity_id", None) or record_or_activity.pk
    return f"{BASE}/records/{activity_pk}/{group.number}/"


def write(activity_, group, summary="", recorder=None, shared=False, ideas=()):
    record = DiscussionRecord.objects.create(
        activity=activity_,
        group=group,
        summary=summary,
        recorder=recorder,
        shared_at=timezone.now() if shared else None,
    )
    for text, author, starred in ideas:
        Idea.objects.create(record=record, text=text, author=author, starred=starred)
    return record


# --- the organizer's board -----------------------------------------------------------------


def test_record_list_shows_every_discussion_and_group_to_the_organizer(
    client, organizer, program, groups, evening
):
    own = activity(
        program, day=program.end_date, kind="discussion", group=groups[1], title="第二组专题讨论"
    )
    activity(program, kind=Activity.Kind.LECTURE, title="专题辅导")
    recorder = member(program, groups[0], name="王晓飞")
    write(
        evening,
        groups[0],
        summary="围绕主防展开讨论",
        recorder=recorder.trainee.user,
        shared=True,
        ideas=[("打破社区界限划分防区", recorder, True), ("女民警集中宣防", None, False)],
    )
    client.force_login(organizer)

    response = client.get(f"{BASE}/records/")

    board = [
        (r.activity.title, r.group.number, r.pk is not None, r.n_ideas, r.n_starred)
        for r in response.context["board"]
    ]
    assert board == [
        ("分组讨论：派出所主防", 1, True, 2, 1),
        ("分组讨论：派出所主防", 2, False, 0, 0),
        ("分组讨论：派出所主防", 3, False, 0, 0),
        (own.title, 2, False, 0, 0),
    ]
    page = response.content.decode()
    assert "王晓飞" in page
    assert f"{BASE}/records/{evening.pk}/1/" in page
    assert f"{BASE}/ideas/" in page
    assert 'class="nav nav-tabs' in page


def test_record_list_for_a_trainee_lists_own_group_and_shared_records_without_tabs(
    client, program, groups, evening
):
    me = member(program, groups[0])
    write(evening, groups[1], summary="二组的记录", shared=True)
    write(evening, groups[2], summary="三组的记录（未共享）")
    client.force_login(me.trainee.user)

    response = client.get(f"{BASE}/records/")

    own = [(r.group.number, r.pk is None) for r in response.context["own"]]
    shared = [r.group.number for r in response.context["shared"]]
    assert (own, shared) == ([(1, True)], [2])
    page = response.content.decode()
    assert 'class="nav nav-tabs' not in page
    assert f"{BASE}/records/{evening.pk}/3/" not in page


def test_record_list_lists_a_record_the_trainee_writes_for_another_group(
    client, program, groups, evening
):
    me = member(program, groups[0])
    write(evening, groups[1], recorder=me.trainee.user)
    client.force_login(me.trainee.user)

    response = client.get(f"{BASE}/records/")

    assert [r.group.number for r in response.context["own"]] == [1, 2]


# --- reading a record ----------------------------------------------------------------------


def test_record_detail_get_never_creates_a_record(client, organizer, program, groups, evening):
    client.force_login(organizer)

    response = client.get(record_url(evening, groups[0]))

    assert response.status_code == 200
    assert DiscussionRecord.objects.count() == 0


def test_record_detail_is_404_for_a_group_that_does_not_hold_the_discussion(
    client, organizer, program, groups
):
    own = activity(program, kind="discussion", group=groups[0], start="19:00", end="21:00")
    lecture = activity(program, kind="lecture")
    client.force_login(organizer)

    answers = [
        client.get(record_url(own, groups[1])).status_code,
        client.get(record_url(lecture, groups[0])).status_code,
        client.get(f"{BASE}/records/{own.pk}/9/").status_code,
    ]

    assert answers == [404, 404, 404]


def test_trainee_reads_own_group_record_and_not_another_groups_until_shared(
    client, program, groups, evening
):
    me = member(program, groups[0])
    other = write(evening, groups[1], summary="二组：警力下沉")
    client.force_login(me.trainee.user)

    own = client.get(record_url(evening, groups[0])).status_code
    before = client.get(record_url(other, groups[1])).status_code
    records.record_share(record=other, shared=True)
    after = client.get(record_url(other, groups[1]))

    assert (own, before, after.status_code) == (200, 404, 200)
    assert "二组：警力下沉" in after.content.decode()


def test_trainee_without_a_group_reads_only_shared_records(client, program, groups, evening):
    me = factories.enrollment(program, factories.trainee())
    write(evening, groups[0])
    shared = write(evening, groups[1], shared=True)
    client.force_login(me.trainee.user)

    answers = [
        client.get(record_url(evening, groups[0])).status_code,
        client.get(record_url(shared, groups[1])).status_code,
    ]

    assert answers == [404, 200]


# --- writing a record ----------------------------------------------------------------------


def test_organizer_first_save_creates_the_record(client, organizer, program, groups, evening):
    client.force_login(organizer)

    response = client.post(
        record_url(evening, groups[0]), {"summary": "于贵平局长：所长要带头干", "base": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == record_url(evening, groups[0])
    record = DiscussionRecord.objects.get()
    assert (record.activity, record.group, record.summary) == (
        evening,
        groups[0],
        "于贵平局长：所长要带头干",
    )


def test_recorder_writes_the_record_and_another_trainee_of_the_group_cannot(
    client, program, groups, evening
):
    recorder, neighbour = member(program, groups[0]), member(program, groups[0])
    record = write(evening, groups[0], recorder=recorder.trainee.user)
    url = record_url(record, groups[0])

    client.force_login(neighbour.trainee.user)
    refused = client.post(url, {"summary": "邻座改写"}).status_code
    client.force_login(recorder.trainee.user)
    page = client.get(url).content.decode()
    saved = client.post(url, {"summary": "记录员写的小结"}).status_code

    assert (refused, saved) == (403, 302)
    assert 'name="summary"' in page
    record.refresh_from_db()
    assert record.summary == "记录员写的小结"


def test_record_summary_save_refuses_a_text_changed_meanwhile(
    client, organizer, program, groups, evening
):
    recorder = member(program, groups[0])
    record = write(evening, groups[0], summary="初稿", recorder=recorder.trainee.user)
    opened = records.summary_fingerprint("初稿")
    records.record_summary_save(
        activity=evening, group=groups[0], summary="记录员的修改", base=opened
    )
    client.force_login(organizer)

    response = client.post(record_url(record, groups[0]), {"summary": "教务的修改", "base": opened})

    assert response.status_code == 409
    record.refresh_from_db()
    assert record.summary == "记录员的修改"
    page = response.content.decode()
    assert "记录员的修改" in page and "教务的修改" in page
    assert response.context["summary_form"]["base"].value() == records.summary_fingerprint(
        "记录员的修改"
    )


def test_record_summary_save_with_the_same_text_twice_is_no_conflict(program, groups, evening):
    base = records.summary_fingerprint("")
    records.record_summary_save(activity=evening, group=groups[0], summary="同一段", base=base)

    record = records.record_summary_save(
        activity=evening, group=groups[0], summary="同一段", base=base
    )

    assert (DiscussionRecord.objects.count(), record.summary) == (1, "同一段")


def test_organizer_names_a_recorder_of_the_group_creating_the_record(
    client, organizer, program, groups, evening
):
    chosen = member(program, groups[0], name="王晓飞")
    stranger = member(program, groups[1])
    url = f"{BASE}/records/{evening.pk}/1/recorder/"
    client.force_login(organizer)

    refused = client.post(url, {"recorder": stranger.trainee.user.pk})
    assert DiscussionRecord.objects.count() == 0
    named = client.post(url, {"recorder": chosen.trainee.user.pk})
    recorder = DiscussionRecord.objects.get().recorder
    cleared = client.post(url, {"recorder": ""})

    assert (refused.status_code, named.status_code, cleared.status_code) == (302, 302, 302)
    assert recorder == chosen.trainee.user
    assert DiscussionRecord.objects.get().recorder is None


def test_record_share_sets_and_clears_shared_at_keeping_the_first_time(
    client, organizer, program, groups, evening
):
    record = write(evening, groups[0], summary="小结")
    url = f"{BASE}/records/{record.pk}/share/"
    client.force_login(organizer)

    client.post(url, {"shared": "1"})
    record.refresh_from_db()
    first = record.shared_at
    client.post(url, {"shared": "1"})
    record.refresh_from_db()
    again = record.shared_at
    client.post(url, {"shared": "0"})
    record.refresh_from_db()

    assert first is not None
    assert again == first
    assert record.shared_at is None


# --- ideas ---------------------------------------------------------------------------------


def test_recorder_adds_and_removes_ideas_with_their_authors(client, program, groups, evening):
    recorder, author = member(program, groups[0]), member(program, groups[0], name="王晓飞")
    record = write(evening, groups[0], recorder=recorder.trainee.user)
    client.force_login(recorder.trainee.user)

    added = client.post(
        f"{BASE}/records/{evening.pk}/1/ideas/",
        {"text": "沿中轴线划分两大防区", "author": author.pk},
    )
    idea = Idea.objects.get()
    page = client.get(record_url(record, groups[0])).content.decode()
    removed = client.post(f"{BASE}/ideas/{idea.pk}/delete/")

    assert added.status_code == 302
    assert added["Location"] == f"{record_url(record, groups[0])}#ideas"
    assert (idea.record, idea.text, idea.author) == (record, "沿中轴线划分两大防区", author)
    assert "王晓飞" in page
    assert removed.status_code == 302
    assert Idea.objects.count() == 0


def test_idea_author_from_another_program_is_refused(client, organizer, program, groups, evening):
    foreign = factories.enrollment(factories.program(code="OTHER"))
    client.force_login(organizer)

    response = client.post(
        f"{BASE}/records/{evening.pk}/1/ideas/", {"text": "金点子", "author": foreign.pk}
    )

    assert response.status_code == 400
    assert Idea.objects.count() == 0
    assert DiscussionRecord.objects.count() == 0


def test_organizer_adds_an_idea_before_the_record_exists(
    client, organizer, program, groups, evening
):
    client.force_login(organizer)

    client.post(f"{BASE}/records/{evening.pk}/2/ideas/", {"text": "警力下沉社区", "author": ""})

    idea = Idea.objects.get()
    assert (idea.record.activity, idea.record.group, idea.author) == (evening, groups[1], None)


def test_idea_star_is_a_one_tap_toggle_for_organizers(client, organizer, program, groups, evening):
    record = write(evening, groups[0], ideas=[("金点子", None, False)])
    idea = record.ideas.get()
    url = f"{BASE}/ideas/{idea.pk}/star/"
    client.force_login(organizer)

    starred = client.post(url, {"starred": "1"}, headers={"HX-Request": "true"})
    idea.refresh_from_db()
    after_star = idea.starred
    plain = client.post(url, {"starred": "0"})
    idea.refresh_from_db()

    assert starred.status_code == 200
    assert 'name="starred" value="0"' in starred.content.decode()
    assert after_star is True
    assert (plain.status_code, plain["Location"]) == (
        302,
        f"{record_url(record, groups[0])}#ideas",
    )
    assert idea.starred is False


def test_idea_star_goes_back_to_a_local_page_only(client, organizer, program, groups, evening):
    idea = write(evening, groups[0], ideas=[("金点子", None, False)]).ideas.get()
    url = f"{BASE}/ideas/{idea.pk}/star/"
    client.force_login(organizer)

    local = client.post(url, {"starred": "1", "next": f"{BASE}/ideas/"})
    foreign = client.post(url, {"starred": "1", "next": "https://evil.example/"})

    assert local["Location"] == f"{BASE}/ideas/"
    assert foreign["Location"] == f"{record_url(evening, groups[0])}#ideas"


def test_idea_list_collects_the_starred_ideas_of_every_group(
    client, organizer, program, groups, evening
):
    author = member(program, groups[1], name="王晓飞")
    write(evening, groups[0], ideas=[("一组金点子", None, True), ("一组普通", None, False)])
    write(evening, groups[1], ideas=[("二组金点子", author, True)])
    client.force_login(organizer)

    response = client.get(f"{BASE}/ideas/")

    assert [idea.text for idea in response.context["ideas"]] == ["一组金点子", "二组金点子"]
    page = response.content.decode()
    assert "王晓飞" in page and "一组普通" not in page


def test_idea_export_is_a_word_document_of_the_starred_ideas(
    client, organizer, program, groups, evening
):
    write(evening, groups[0], ideas=[("打破社区界限划分防区", None, True), ("未加星", None, False)])
    client.force_login(factories.user("leadership"))

    response = client.get(f"{BASE}/ideas/export.docx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="CZ2023-ideas.docx"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        body = package.read("word/document.xml").decode()
    assert "打破社区界限划分防区" in body and "未加星" not in body


# --- who gets what -------------------------------------------------------------------------


def record_pages(evening, record, idea):
    """(method, url, data) of every records page, reads and changes."""
    detail = record_url(record, record.group)
    return [
        ("get", f"{BASE}/records/", {}),
        ("get", detail, {}),
        ("get", f"{BASE}/ideas/", {}),
        ("get", f"{BASE}/ideas/export.docx", {}),
        ("post", detail, {"summary": "改"}),
        ("post", f"{BASE}/records/{evening.pk}/{record.group.number}/recorder/", {"recorder": ""}),
        ("post", f"{BASE}/records/{record.pk}/share/", {"shared": "1"}),
        ("post", f"{BASE}/records/{evening.pk}/{record.group.number}/ideas/", {"text": "x"}),
        ("post", f"{BASE}/ideas/{idea.pk}/star/", {"starred": "1"}),
        ("post", f"{BASE}/ideas/{idea.pk}/delete/", {}),
    ]


@pytest.mark.parametrize("who", ["trainee of another program", "organizer of another program"])
def test_outsiders_get_404_on_every_record_page(client, program, groups, evening, who):
    other = factories.program(code="OTHER")
    if who == "organizer of another program":
        user = factories.user("organizer")
        other.organizers.add(user)
    else:
        user = factories.enrollment(other, factories.trainee()).trainee.user
    record = write(evening, groups[0], summary="小结", ideas=[("金点子", None, False)])
    client.force_login(user)

    answers = {
        (method, url): getattr(client, method)(url, data).status_code
        for method, url, data in record_pages(evening, record, record.ideas.get())
    }

    assert set(answers.values()) == {404}
    assert DiscussionRecord.objects.get().summary == "小结"


def test_leadership_reads_records_and_every_change_is_403(client, program, groups, evening):
    record = write(evening, groups[0], summary="小结", ideas=[("金点子", None, False)])
    client.force_login(factories.user("leadership"))

    answers = [
        (method, getattr(client, method)(url, data).status_code)
        for method, url, data in record_pages(evening, record, record.ideas.get())
    ]

    assert answers == [
        ("get", 200),
        ("get", 200),
        ("get", 200),
        ("get", 200),
        ("post", 403),
        ("post", 403),
        ("post", 403),
        ("post", 403),
        ("post", 403),
        ("post", 403),
    ]
    record.refresh_from_db()
    assert (record.summary, record.shared_at, record.ideas.count()) == ("小结", None, 1)


def test_trainee_of_the_group_reads_and_every_change_is_403(client, program, groups, evening):
    me = member(program, groups[0])
    record = write(evening, groups[0], summary="小结", ideas=[("金点子", None, False)])
    client.force_login(me.trainee.user)

    answers = [
        (method, url.removeprefix(BASE), getattr(client, method)(url, data).status_code)
        for method, url, data in record_pages(evening, record, record.ideas.get())
    ]

    assert [status for _method, _url, status in answers] == [
        200,  # records
        200,  # the record
        404,  # starred ideas: organizers and leadership
        404,  # export
        403,
        403,
        403,
        403,
        403,
        403,
    ]


def test_trainee_of_another_group_gets_404_on_its_unshared_record(client, program, groups, evening):
    me = member(program, groups[1])
    record = write(evening, groups[0], summary="小结", ideas=[("金点子", None, False)])
    client.force_login(me.trainee.user)

    answers = [
        getattr(client, method)(url, data).status_code
        for method, url, data in record_pages(evening, record, record.ideas.get())[1:]
    ]

    assert answers == [404] * 9


def test_an_essay_reviewer_reads_no_record(client, program, groups, evening):
    reviewer = factories.user()
    EssayReviewer.objects.create(program=program, user=reviewer)
    record = write(evening, groups[0])
    client.force_login(reviewer)

    answers = [
        client.get(f"{BASE}/records/").status_code,
        client.get(record_url(record, groups[0])).status_code,
    ]

    assert answers == [404, 404]


def test_a_host_account_named_recorder_writes_only_that_record(client, program, groups, evening):
    host = factories.user(first_name="贵平", last_name="于")
    record = write(evening, groups[0], recorder=host)
    client.force_login(host)

    listed = client.get(f"{BASE}/records/").context["own"]
    saved = client.post(record_url(record, groups[0]), {"summary": "主持人小结"}).status_code
    other = client.get(record_url(evening, groups[1])).status_code

    assert [r.pk for r in listed] == [record.pk]
    assert (saved, other) == (302, 404)


# --- the trainee's way in ------------------------------------------------------------------


def test_my_discussions_goes_to_the_latest_program(client, program):
    me = factories.trainee()
    factories.enrollment(program, me)
    later = factories.program(code="LATER", start_date=program.start_date.replace(year=2024))
    factories.enrollment(later, me)
    client.force_login(me.user)

    response = client.get("/discussions/mine/discussions/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/discussions/programs/LATER/records/",
    )


def test_my_discussions_says_so_without_a_program(client):
    me = factories.trainee()
    client.force_login(me.user)

    response = client.get("/discussions/mine/discussions/")

    assert response.status_code == 200
    assert "您目前没有在训的培训班。" in response.content.decode()


# --- query counts --------------------------------------------------------------------------


def grow_class(program, count, with_ideas_in):
    """`count` more active trainees spread over the 5 groups, each raising an idea (every
    third one starred) in their group's record of each discussion of `with_ideas_in` that the
    group holds."""
    groups = list(program.groups.order_by("number"))
    for n in range(count):
        group = groups[n % len(groups)]
        enrollment = factories.enrollment(program, factories.trainee(with_login=False), group=group)
        for discussion in with_ideas_in:
            if discussion.group_id not in (None, group.pk):
                continue
            record, _ = DiscussionRecord.objects.get_or_create(activity=discussion, group=group)
            Idea.objects.create(
                record=record, text=f"金点子{n}", author=enrollment, starred=n % 3 == 0
            )


@pytest.fixture
def big_program(program):
    """Five groups, an evening discussion held by all and one of group 1, each record with a
    recorder and a summary, the first evening shared."""
    groups = [factories.group(program, number=n, host_name=f"主持人{n}") for n in range(1, 6)]
    evening = activity(program, kind="discussion", title="分组讨论", start="19:00", end="21:00")
    own = activity(
        program, day=program.end_date, kind="discussion", group=groups[0], title="一组专题"
    )
    for group in groups:
        recorder = member(program, group)
        write(evening, group, summary="小结", recorder=recorder.trainee.user, shared=True)
    write(own, groups[0], summary="小结")
    return program, groups, [evening, own]


@pytest.mark.parametrize(
    ("page", "viewer"),
    [
        ("records", "organizer"),
        ("records", "leadership"),
        ("records", "trainee"),
        ("ideas", "organizer"),
        ("record", "organizer"),
        ("record", "trainee"),
    ],
)
def test_records_pages_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, big_program, viewer, page, django_assert_max_num_queries
):
    program, groups, discussions = big_program
    user = {
        "organizer": organizer,
        "leadership": factories.user("leadership"),
        "trainee": DiscussionRecord.objects.get(activity=discussions[0], group=groups[0]).recorder,
    }[viewer]
    url = {
        "records": f"{BASE}/records/",
        "ideas": f"{BASE}/ideas/",
        "record": f"{BASE}/records/{discussions[0].pk}/1/",
    }[page]
    client.force_login(user)
    grow_class(program, 10, discussions)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    grow_class(program, 190, discussions)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200
    assert Idea.objects.filter(record__activity__program=program).count() == 240


def test_a_withdrawn_trainee_named_recorder_loses_the_record(client, program, groups, evening):
    member = factories.enrollment(program, group=groups[0])
    record = write(evening, groups[0], recorder=member.trainee.user)
    member.status = "withdrawn"
    member.save()
    client.force_login(member.trainee.user)

    answers = [
        client.get(f"{BASE}/records/").status_code,
        client.get(record_url(record, groups[0])).status_code,
    ]

    assert answers == [404, 404]
