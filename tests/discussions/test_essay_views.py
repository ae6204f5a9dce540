"""The essay pages: the trainee's editor and autosave, the review list and page, and who may
reach them."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from discussions.models import Essay, EssayMatch, EssayRevision
from discussions.services import essays
from tests import factories

pytestmark = pytest.mark.django_db

BODY = "派出所是公安工作的根基所在，所长既是指挥员又是战斗员。\n" * 4  # 100 characters


@pytest.fixture
def program(organizer):
    now = timezone.now()
    return factories.program(
        organizers=[organizer],
        code="CZ2023",
        start_date=timezone.localdate() - timedelta(days=1),
        essay_min_chars=100,
        essay_deadline=now + timedelta(days=1),
    )


@pytest.fixture
def a(program):
    return factories.enrollment(program)


@pytest.fixture
def b(program):
    return factories.enrollment(program)


def save(client, revision, body=BODY, base=0, title="心得体会"):
    return client.post(
        "/discussions/programs/CZ2023/essay/save/",
        {"title": title, "body": body, "revision": revision, "base": base},
    )


def handed_in(enrollment, body=BODY):
    essay = essays.essay_for(enrollment=enrollment)
    essays.essay_save(essay=essay, title="心得体会", body=body, revision=1, base=0)
    return essays.essay_submit(essay=essay)


def test_autosave_saves_and_says_so(client, a):
    client.force_login(a.trainee.user)

    response = save(client, 1000)

    reply = response.json()
    assert (response.status_code, reply["result"], reply["revision"], reply["chars"]) == (
        200,
        "saved",
        1000,
        100,
    )
    assert Essay.objects.get(enrollment=a).body == BODY


def test_autosave_from_an_older_tab_is_stale_and_kept(client, a):
    client.force_login(a.trainee.user)
    save(client, 2000, body="新的")

    response = save(client, 1000, body="旧的")

    assert response.json()["result"] == "stale"
    essay = Essay.objects.get(enrollment=a)
    assert essay.body == "新的"
    assert list(essay.revisions.filter(reason="conflict").values_list("body", flat=True)) == [
        "旧的"
    ]


def test_autosave_of_a_handed_in_essay_is_409(client, a):
    handed_in(a)
    client.force_login(a.trainee.user)

    response = save(client, 99999999999999)

    assert response.status_code == 409
    assert Essay.objects.get(enrollment=a).body == BODY


def test_autosave_with_a_missing_field_is_400(client, a):
    client.force_login(a.trainee.user)

    response = client.post("/discussions/programs/CZ2023/essay/save/", {"title": "x"})

    assert response.status_code == 400


def test_autosave_by_someone_not_in_the_class_is_404(client, program, organizer):
    outsider = factories.enrollment(factories.program(code="ZK2013"))
    for user in (outsider.trainee.user, organizer):
        client.force_login(user)

        assert save(client, 1000).status_code == 404


def test_editor_shows_the_trainees_own_essay_only(client, a, b):
    essays.essay_save(
        essay=essays.essay_for(enrollment=a), title="甲的心得", body="甲写的", revision=1, base=0
    )
    client.force_login(b.trainee.user)

    page = client.get("/discussions/programs/CZ2023/essay/").content.decode()

    assert "甲的心得" not in page
    assert "甲写的" not in page


def test_another_trainees_essay_is_404(client, a, b):
    handed_in(a)
    kept = EssayRevision.objects.filter(essay__enrollment=a).first()
    client.force_login(b.trainee.user)

    assert client.get(f"/discussions/programs/CZ2023/essays/{a.pk}/").status_code == 404
    assert client.get("/discussions/programs/CZ2023/essays/").status_code == 404
    assert (
        client.post(f"/discussions/programs/CZ2023/essay/revisions/{kept.pk}/restore/").status_code
        == 404
    )
    assert client.get("/discussions/programs/CZ2023/essays/export.docx").status_code == 404


def test_no_script_form_saves_then_hands_in(client, a):
    client.force_login(a.trainee.user)
    url = "/discussions/programs/CZ2023/essay/submit/"

    client.post(
        url, {"title": "心得体会", "body": BODY, "revision": 1, "base": 0, "action": "save"}
    )
    response = client.post(
        url, {"title": "心得体会", "body": BODY, "revision": 1, "base": 1, "action": "submit"}
    )

    assert response.status_code == 302
    assert Essay.objects.get(enrollment=a).status == "submitted"


def test_submit_after_the_deadline_is_refused_with_a_message(client, program, a):
    client.force_login(a.trainee.user)
    save(client, 1)
    program.essay_deadline = timezone.now() - timedelta(minutes=1)
    program.save()

    response = client.post(
        "/discussions/programs/CZ2023/essay/submit/",
        {"title": "心得体会", "body": BODY, "revision": 1, "base": 1, "action": "submit"},
        follow=True,
    )

    assert "已过截止时间" in response.content.decode()
    assert Essay.objects.get(enrollment=a).status == "draft"


def test_organizer_grades_returns_and_extends(client, organizer, a, b):
    handed_in(a)
    client.force_login(organizer)
    review = f"/discussions/programs/CZ2023/essays/{a.pk}/"

    client.post(review, {"grade": "A", "comment": "结合实际，措施具体。", "excellent": "on"})
    client.post(f"{review}return/", {"comment": "请补充本所做法。"})
    until = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/discussions/programs/CZ2023/essays/{b.pk}/extend/", {"until": until})

    essay = Essay.objects.get(enrollment=a)
    # Returned: graded afresh when handed in again; the review stays in the history.
    assert (essay.grade, essay.excellent, essay.status) == ("", False, "returned")
    assert list(essay.reviews.values_list("grade", "excellent")) == [("A", True)]
    extended = Essay.objects.get(enrollment=b).extended_until
    assert timezone.localtime(extended).strftime("%Y-%m-%dT%H:%M") == until


def test_leadership_reads_essays_but_cannot_grade(client, a):
    handed_in(a)
    leader = factories.user("leadership")
    client.force_login(leader)
    review = f"/discussions/programs/CZ2023/essays/{a.pk}/"

    assert client.get(review).status_code == 200
    assert client.post(review, {"grade": "A"}).status_code == 403
    assert client.post(f"{review}return/", {"comment": "改"}).status_code == 403
    assert Essay.objects.get(enrollment=a).grade == ""


def test_a_named_reviewer_grades_and_an_organizer_of_another_program_gets_404(
    client, organizer, program, a
):
    handed_in(a)
    reviewer = factories.user("organizer")
    stranger = factories.user("organizer")
    essays.essay_reviewers_set(program=program, users=[reviewer])
    review = f"/discussions/programs/CZ2023/essays/{a.pk}/"

    client.force_login(stranger)
    assert client.get(review).status_code == 404
    client.force_login(reviewer)
    client.post(review, {"grade": "C", "comment": "合格。"})

    assert Essay.objects.get(enrollment=a).grade == "C"
    assert client.post(f"{review}return/", {"comment": "改"}).status_code == 403


def test_organizer_names_reviewers(client, organizer, program):
    reviewer = factories.user("leadership", first_name="王主任")
    client.force_login(organizer)

    client.post("/discussions/programs/CZ2023/essays/reviewers/", {"reviewers": [reviewer.pk]})

    assert list(program.essay_reviewers.values_list("user", flat=True)) == [reviewer.pk]


def class_of(program, size, groups):
    """`size` trainees in `groups` groups, a third handed in (half of them reviewed), the rest
    drafts or nothing."""
    reviewer = program.organizers.first()
    for n in range(size):
        enrollment = factories.enrollment(
            program, factories.trainee(with_login=False), group=groups[n % len(groups)]
        )
        if n % 3 == 0:
            essay = handed_in(enrollment)
            if n % 2 == 0:
                essays.essay_review(essay=essay, reviewer=reviewer, grade="B")
        elif n % 3 == 1:
            essays.essay_save(
                essay=essays.essay_for(enrollment=enrollment),
                title="草稿",
                body="写了一半",
                revision=1,
                base=0,
            )


def test_review_list_query_count_is_the_same_at_10_and_200_trainees(
    client, organizer, program, django_assert_max_num_queries
):
    groups = [factories.group(program, number=n) for n in range(1, 6)]
    class_of(program, 10, groups)
    client.force_login(organizer)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/discussions/programs/CZ2023/essays/").status_code == 200
    class_of(program, 190, groups)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/discussions/programs/CZ2023/essays/")

    assert len(response.context["rows"]) == 200


def test_review_list_counts_and_filters(client, organizer, program):
    groups = [factories.group(program, number=n) for n in range(1, 3)]
    class_of(program, 6, groups)
    client.force_login(organizer)

    counts = client.get("/discussions/programs/CZ2023/essays/").context["counts"]
    missing = client.get("/discussions/programs/CZ2023/essays/?state=missing").context["rows"]

    assert (counts["total"], counts["handed_in"], counts["reviewed"], counts["missing"]) == (
        6,
        2,
        1,
        4,
    )
    assert len(missing) == 4


def test_export_is_a_word_document_of_the_handed_in_essays(client, organizer, a, b):
    docx = pytest.importorskip("docx")
    handed_in(a)
    client.force_login(organizer)

    response = client.get("/discussions/programs/CZ2023/essays/export.docx")

    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert a.trainee.name in text
    assert b.trainee.name not in text


def test_autosave_of_a_handed_in_essay_keeps_the_text_as_a_version(client, a):
    handed_in(a)
    client.force_login(a.trainee.user)

    response = save(client, 99999999999999, body="交了以后才到的内容")

    assert (response.status_code, response.json()["result"]) == (409, "locked")
    kept = EssayRevision.objects.get(essay__enrollment=a, reason="conflict")
    assert kept.body == "交了以后才到的内容"


@pytest.mark.parametrize("revision", ["-1", str(2**62), "1e3", "x"])
def test_autosave_with_an_impossible_revision_is_400(client, a, revision):
    client.force_login(a.trainee.user)

    response = save(client, revision)

    assert response.status_code == 400
    assert not Essay.objects.filter(enrollment=a, body=BODY).exists()


def test_a_refused_hand_in_keeps_the_text(client, a):
    client.force_login(a.trainee.user)

    client.post(
        "/discussions/programs/CZ2023/essay/submit/",
        {"title": "", "body": BODY, "revision": 1, "base": 0, "action": "submit"},
    )

    essay = Essay.objects.get(enrollment=a)
    assert (essay.status, essay.body) == ("draft", BODY)


def test_the_form_hands_in_only_when_asked(client, a):
    client.force_login(a.trainee.user)

    client.post(
        "/discussions/programs/CZ2023/essay/submit/",
        {"title": "心得体会", "body": BODY, "revision": 1, "base": 0},
    )

    assert not Essay.objects.filter(enrollment=a).exclude(status="draft").exists()


def test_review_list_ignores_a_group_that_is_not_a_number(client, organizer, a):
    client.force_login(organizer)

    response = client.get("/discussions/programs/CZ2023/essays/", {"group": "²"})

    assert response.status_code == 200


def test_an_essay_of_another_program_is_shown_only_to_its_readers(client, organizer, a):
    mine = handed_in(a)
    zhoukou = factories.program(
        code="ZK2013", start_date=timezone.localdate() - timedelta(days=1), essay_min_chars=10
    )
    elsewhere = factories.enrollment(zhoukou)
    theirs = handed_in(elsewhere, body=BODY + "周口的学员写的另一段。")
    EssayMatch.objects.create(essay=mine, other=theirs, similarity=0.8, containment=0.9)
    client.force_login(organizer)

    page = client.get(f"/discussions/programs/CZ2023/essays/{a.pk}/").content.decode()

    assert "周口的学员写的另一段" not in page
    assert elsewhere.trainee.name not in page
    assert "ZK2013" in page
    client.force_login(factories.user("leadership"))
    page = client.get(f"/discussions/programs/CZ2023/essays/{a.pk}/").content.decode()
    assert "周口的学员写的另一段" in page


def test_autosave_of_a_title_too_long_is_refused_and_changes_nothing(client, a):
    client.force_login(a.trainee.user)
    save(client, 1000)

    response = save(client, 2000, title="长" * 201)

    assert response.status_code == 409
    assert response.json()["error"] == "标题不能超过 200 个字符。"
    assert Essay.objects.get(enrollment=a).revision == 1000


def test_an_extension_in_the_past_is_refused_and_changes_nothing(client, organizer, a):
    client.force_login(organizer)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        f"/discussions/programs/CZ2023/essays/{a.pk}/extend/", {"until": past}, follow=True
    )

    assert "延期时间须晚于当前时间" in response.content.decode()
    assert not Essay.objects.filter(enrollment=a, extended_until__isnull=False).exists()


def test_an_autosave_reads_the_essay_once_locked(client, a, django_assert_num_queries):
    """The session, the account, the trainee's place, the essay locked, its text written, the
    checkpoint looked for (one made at the first save); no query to find the essay first."""
    client.force_login(a.trainee.user)
    assert save(client, 1).json()["result"] == "saved"  # the essay made, a checkpoint kept

    with django_assert_num_queries(6 + 2):  # + the transaction's savepoint and its release
        response = save(client, 2, body=BODY + "再改一稿。", base=1)

    assert response.json()["result"] == "saved"
    assert Essay.objects.get(enrollment=a).revision == 2
