from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from discussions.models import EssayReviewer, ForumTalk
from sessions import materials
from sessions.models import Activity
from tests import factories
from tests.files import PDF, office
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db

BASE = "/discussions/programs/CZ2023/forum"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def presenter(program):
    unit = factories.unit("城南派出所")
    return factories.enrollment(program, factories.trainee(name="周所长", unit=unit))


def talk(program, presenter_, order=1, slides=None, **fields):
    created = ForumTalk.objects.create(
        program=program,
        presenter=presenter_,
        order=order,
        title=fields.pop("title", f"经验分享{order}"),
        **fields,
    )
    if slides is not None:
        created.slides.save("课件.pdf", ContentFile(slides))
    return created


def add(client, presenter_, slides=None, **fields):
    data = {
        "presenter": presenter_.pk,
        "title": "打造“枫桥式”派出所",
        "summary": "矛盾纠纷多元化解",
        "order": "1",
        **fields,
    }
    if slides is not None:
        data["slides"] = slides
    return client.post(f"{BASE}/add/", data)


# --- organizers build the forum ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("主防.pptx", office("ppt/")), ("经验.pdf", PDF), ("旧课件.ppt", materials.OLE2 + b"\0" * 64)],
)
def test_organizer_adds_a_talk_with_slides(client, organizer, program, presenter, name, content):
    client.force_login(organizer)

    response = add(client, presenter, slides=SimpleUploadedFile(name, content))

    assert (response.status_code, response["Location"]) == (302, f"{BASE}/")
    created = ForumTalk.objects.get()
    assert (created.program, created.presenter, created.title) == (
        program,
        presenter,
        "打造“枫桥式”派出所",
    )
    assert created.slides.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ\x90\0", "只能上传 PDF、Word、PowerPoint 和 Excel 文件。"),
        ("假的.pdf", b"MZ\x90\0", "假的.pdf 的内容不是 .pdf 文件。"),
        ("假的.pptx", office("xl/"), "假的.pptx 的内容不是 .pptx 文件。"),
    ],
)
def test_forum_slides_are_checked_by_extension_and_content(
    client, organizer, program, presenter, name, content, message
):
    client.force_login(organizer)

    response = add(client, presenter, slides=SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ForumTalk.objects.count() == 0


def test_forum_slides_over_the_size_limit_are_refused(
    client, organizer, program, presenter, monkeypatch
):
    monkeypatch.setattr(materials, "MAX_BYTES", 10)
    client.force_login(organizer)

    response = add(client, presenter, slides=SimpleUploadedFile("经验.pdf", PDF))

    assert "文件超过 50 MB。" in response.content.decode()
    assert ForumTalk.objects.count() == 0


def test_forum_presenter_must_be_an_active_trainee_of_the_program(
    client, organizer, program, presenter
):
    foreign = factories.enrollment(factories.program(code="OTHER"))
    withdrawn = factories.enrollment(program, status="withdrawn")
    client.force_login(organizer)

    answers = [add(client, foreign).status_code, add(client, withdrawn).status_code]

    assert answers == [200, 200]
    assert ForumTalk.objects.count() == 0


def test_forum_add_proposes_the_order_after_the_last_talk(client, organizer, program, presenter):
    talk(program, presenter, order=4)
    client.force_login(organizer)

    response = client.get(f"{BASE}/add/")

    assert response.context["form"]["order"].value() == 5


def test_organizer_edits_a_talk_and_replaced_slides_are_removed(
    client, organizer, program, presenter, django_capture_on_commit_callbacks
):
    existing = talk(program, presenter, slides=PDF)
    old_path = Path(existing.slides.path)
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/{existing.pk}/edit/",
            {
                "presenter": presenter.pk,
                "title": "新题目",
                "summary": "",
                "order": "2",
                "slides": SimpleUploadedFile("新课件.pptx", office("ppt/")),
            },
        )

    assert response.status_code == 302
    existing.refresh_from_db()
    assert (existing.title, existing.order) == ("新题目", 2)
    assert existing.slides.read() == office("ppt/")
    assert not old_path.exists()


def test_organizer_edits_a_talk_keeping_its_slides(client, organizer, program, presenter):
    existing = talk(program, presenter, slides=PDF)
    client.force_login(organizer)

    client.post(
        f"{BASE}/{existing.pk}/edit/",
        {"presenter": presenter.pk, "title": "新题目", "summary": "", "order": "1"},
    )

    existing.refresh_from_db()
    assert (existing.title, existing.slides.read()) == ("新题目", PDF)


def test_organizer_removes_a_talk_and_its_slides(
    client, organizer, program, presenter, django_capture_on_commit_callbacks
):
    existing = talk(program, presenter, slides=PDF)
    path = existing.slides.path
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/{existing.pk}/delete/")

    assert (response.status_code, response["Location"]) == (302, f"{BASE}/")
    assert ForumTalk.objects.count() == 0
    assert not Path(path).exists()


# --- the forum page ------------------------------------------------------------------------


def test_forum_lists_talks_in_order_with_presenter_and_unit(client, organizer, program, presenter):
    second = factories.enrollment(
        program, factories.trainee(name="吴所长", unit=factories.unit("湖塘派出所"))
    )
    talk(program, second, order=2, title="智慧警务")
    talk(program, presenter, order=1, title="枫桥经验", summary="化解矛盾", slides=PDF)
    client.force_login(organizer)

    response = client.get(f"{BASE}/")

    assert [t.title for t in response.context["talks"]] == ["枫桥经验", "智慧警务"]
    page = response.content.decode()
    assert page.index("枫桥经验") < page.index("智慧警务")
    for text in ["周所长", "城南派出所", "化解矛盾", "吴所长", "湖塘派出所"]:
        assert text in page
    first = response.context["talks"][0]
    assert f"{BASE}/{first.pk}/slides/" in page


def test_forum_links_to_the_timetable_week_for_organizers_and_my_timetable_for_trainees(
    client, organizer, program, presenter
):
    activity(program, kind=Activity.Kind.FORUM, title="所长论坛：书写主防答卷", start="08:30")
    client.force_login(organizer)
    for_organizer = client.get(f"{BASE}/").content.decode()
    client.force_login(presenter.trainee.user)
    for_trainee = client.get(f"{BASE}/").content.decode()

    assert "所长论坛：书写主防答卷" in for_organizer
    assert '/timetable/programs/CZ2023/week/"' in for_organizer
    assert 'class="nav nav-tabs' in for_organizer
    assert "/timetable/programs/CZ2023/mine/#day-2023-01-02" in for_trainee
    assert 'class="nav nav-tabs' not in for_trainee
    assert f"{BASE}/add/" not in for_trainee


# --- who gets what -------------------------------------------------------------------------


def test_forum_slides_download_for_the_programs_readers_only(client, organizer, program, presenter):
    existing = talk(program, presenter, slides=PDF)
    url = f"{BASE}/{existing.pk}/slides/"
    stranger = factories.enrollment(factories.program(code="OTHER")).trainee
    other_organizer = factories.user("organizer")
    reviewer = factories.user()
    EssayReviewer.objects.create(program=program, user=reviewer)

    answers = {}
    for who, user in [
        ("organizer", organizer),
        ("trainee", presenter.trainee.user),
        ("leadership", factories.user("leadership")),
        ("stranger", stranger.user),
        ("other organizer", other_organizer),
        ("essay reviewer", reviewer),
    ]:
        client.force_login(user)
        answers[who] = client.get(url).status_code
    client.logout()
    answers["anonymous"] = client.get(url).status_code

    assert answers == {
        "organizer": 200,
        "trainee": 200,
        "leadership": 200,
        "stranger": 404,
        "other organizer": 404,
        "essay reviewer": 404,
        "anonymous": 302,
    }
    client.force_login(presenter.trainee.user)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_forum_slides_of_a_talk_without_slides_or_of_another_program_are_404(
    client, organizer, program, presenter
):
    bare = talk(program, presenter)
    other = factories.program(code="OTHER", organizers=[organizer])
    foreign = talk(other, factories.enrollment(other), slides=PDF)
    client.force_login(organizer)

    answers = [
        client.get(f"{BASE}/{bare.pk}/slides/").status_code,
        client.get(f"{BASE}/{foreign.pk}/slides/").status_code,
        client.get(f"{BASE}/{foreign.pk}/edit/").status_code,
    ]

    assert answers == [404, 404, 404]


def forum_changes(existing, presenter_):
    return [
        ("get", f"{BASE}/add/", {}),
        ("post", f"{BASE}/add/", {"presenter": presenter_.pk, "title": "改", "order": "1"}),
        ("get", f"{BASE}/{existing.pk}/edit/", {}),
        ("post", f"{BASE}/{existing.pk}/edit/", {"presenter": presenter_.pk, "title": "改"}),
        ("post", f"{BASE}/{existing.pk}/delete/", {}),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("trainee", 403), ("leadership", 403), ("stranger", 404), ("other organizer", 404)],
)
def test_only_the_programs_organizers_change_the_forum(client, program, presenter, who, status):
    existing = talk(program, presenter, title="原题目")
    user = {
        "trainee": presenter.trainee.user,
        "leadership": factories.user("leadership"),
        "stranger": factories.enrollment(factories.program(code="OTHER")).trainee.user,
        "other organizer": factories.user("organizer"),
    }[who]
    client.force_login(user)

    answers = {
        getattr(client, method)(url, data).status_code
        for method, url, data in forum_changes(existing, presenter)
    }
    page = client.get(f"{BASE}/").status_code

    assert answers == {status}
    assert page == (200 if status == 403 else 404)
    assert list(ForumTalk.objects.values_list("title", flat=True)) == ["原题目"]


# --- query counts --------------------------------------------------------------------------


def grow_forum(program, count, talks):
    """`count` more active trainees, and talks up to `talks` (with slides) by the first ones."""
    enrollments = [
        factories.enrollment(program, factories.trainee(with_login=False)) for _ in range(count)
    ]
    for order in range(ForumTalk.objects.filter(program=program).count() + 1, talks + 1):
        ForumTalk.objects.create(
            program=program,
            presenter=enrollments[order - 1] if order <= count else enrollments[0],
            order=order,
            title=f"经验分享{order}",
            summary="做法与成效",
            slides=f"forum/2023/01/talk{order}.pdf",
        )


@pytest.mark.parametrize("viewer", ["organizer", "trainee"])
def test_forum_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, program, presenter, viewer, django_assert_max_num_queries
):
    activity(program, kind=Activity.Kind.FORUM, title="所长论坛", start="08:30")
    client.force_login(organizer if viewer == "organizer" else presenter.trainee.user)
    grow_forum(program, 10, talks=3)
    with django_assert_max_num_queries(20) as small:
        client.get(f"{BASE}/")
    grow_forum(program, 190, talks=8)  # seed 000: eight chiefs spoke

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"{BASE}/")

    assert len(response.context["talks"]) == 8


def test_forum_refuses_a_presenter_twice_an_empty_file_and_a_title_too_long(
    client, organizer, program, presenter
):
    client.force_login(organizer)
    add(client, presenter)

    twice = add(client, presenter, title="第二次发言")
    empty = add(client, presenter, slides=SimpleUploadedFile("空.pdf", b""))
    long_title = add(client, presenter, title="长" * 201)

    assert "周所长已在论坛发言名单中。" in twice.content.decode()
    assert empty.status_code == 200
    assert "不超过 200 字符" in long_title.content.decode()
    assert list(ForumTalk.objects.values_list("title", flat=True)) == ["打造“枫桥式”派出所"]
