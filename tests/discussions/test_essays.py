"""Reflection essays: the length count, autosave order, revisions, submission, deadline and
extension, return and review (discussions/services/essays.py)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

from discussions.models import Essay, EssayMatch, EssayReview, EssayRevision
from discussions.services import essays
from tests import factories

pytestmark = pytest.mark.django_db

PARAGRAPH = "派出所是公安工作的根基所在，所长既是指挥员又是战斗员。"  # 25 counted characters


def at(text):
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def program():
    return factories.program(
        code="CZ2023",
        start_date=at("2023-01-02T00:00").date(),
        essay_min_chars=20,
        essay_deadline=at("2023-01-04T12:00"),
    )


@pytest.fixture
def essay(program):
    return essays.essay_for(enrollment=factories.enrollment(program))


def test_essay_length_counts_cjk_characters_and_words_of_other_scripts():
    text = "我学习了 Django framework，3天！\n“枫桥经验”is great; don't stop. ２０２３年"

    # 我学习了(4) Django framework 3(3) 天(1) 枫桥经验(4) is great don't stop(4) ２０２３(1) 年(1)
    assert essays.essay_length(text) == 18


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("   \n\t", 0),
        ("，。！？、；：“”‘’（）《》…—", 0),
        ("!?.,;:()[]{}-_/\\'\"", 0),
        ("派出所主防", 5),
        ("PPT演示", 3),
        ("110接处警", 4),
        ("well-known", 2),
        ("𠀀𪚥", 2),  # ideographs outside the basic plane
    ],
)
def test_essay_length_of_edge_cases(text, expected):
    assert essays.essay_length(text) == expected


def test_essay_save_stores_a_newer_text(essay):
    saved = essays.essay_save(
        essay=essay, title="心得", body=PARAGRAPH, revision=100, base=0, now=at("2023-01-03T20:00")
    )

    essay.refresh_from_db()
    assert (saved.result, essay.title, essay.body, essay.revision, essay.chars) == (
        "saved",
        "心得",
        PARAGRAPH,
        100,
        25,
    )


def test_an_older_autosave_never_overwrites_a_newer_one_and_is_kept_as_a_revision(essay):
    # Two tabs start from the same empty essay. Tab B types later (revision 200) and its
    # save arrives first; tab A's save (revision 150) arrives after it.
    now = at("2023-01-03T20:00")
    essays.essay_save(essay=essay, title="", body="第二个窗口的内容", revision=200, base=0, now=now)

    late = essays.essay_save(
        essay=essay, title="", body="第一个窗口的内容", revision=150, base=0, now=now
    )

    essay.refresh_from_db()
    assert (late.result, essay.body, essay.revision) == ("stale", "第二个窗口的内容", 200)
    conflict = EssayRevision.objects.get(essay=essay, reason=EssayRevision.Reason.CONFLICT)
    assert (conflict.body, conflict.revision) == ("第一个窗口的内容", 150)


def test_the_later_save_wins_and_the_text_it_replaces_unseen_is_kept(essay):
    # Tab A saved revision 100. Tab B, opened before that (base 0), types at revision 300:
    # B wins, and A's text, which B never saw, is kept as a revision.
    now = at("2023-01-03T20:00")
    essays.essay_save(essay=essay, title="", body="窗口甲", revision=100, base=0, now=now)

    essays.essay_save(essay=essay, title="", body="窗口乙", revision=300, base=0, now=now)

    essay.refresh_from_db()
    assert essay.body == "窗口乙"
    kept = EssayRevision.objects.filter(essay=essay, reason=EssayRevision.Reason.CONFLICT)
    assert list(kept.values_list("body", "revision")) == [("窗口甲", 100)]


def test_a_resent_save_is_acknowledged_without_a_new_revision(essay):
    now = at("2023-01-03T20:00")
    essays.essay_save(essay=essay, title="题", body="内容", revision=100, base=0, now=now)

    again = essays.essay_save(essay=essay, title="题", body="内容", revision=100, base=0, now=now)

    assert again.result == "saved"
    assert EssayRevision.objects.filter(reason=EssayRevision.Reason.CONFLICT).count() == 0


def test_checkpoints_are_kept_at_most_every_five_minutes(essay):
    start = at("2023-01-03T20:00")
    for second in range(0, 600, 10):  # ten minutes of autosaves every ten seconds
        essays.essay_save(
            essay=essay,
            title="",
            body=PARAGRAPH * (second + 1),
            revision=second + 1,
            base=second,
            now=start + timedelta(seconds=second),
        )

    checkpoints = EssayRevision.objects.filter(essay=essay, reason="checkpoint")
    assert sorted(timezone.localtime(c.created_at).strftime("%H:%M:%S") for c in checkpoints) == [
        "20:00:00",
        "20:05:00",
    ]


def test_restore_puts_a_version_back_and_keeps_the_text_it_replaces(essay):
    now = at("2023-01-03T20:00")
    essays.essay_save(essay=essay, title="初稿", body="第一稿", revision=100, base=0, now=now)
    first = EssayRevision.objects.get(essay=essay, reason="checkpoint")
    later = now + timedelta(minutes=1)
    essays.essay_save(essay=essay, title="二稿", body="第二稿", revision=200, base=100, now=later)

    essays.essay_restore(essay=essay, revision=first, now=later + timedelta(minutes=1))

    essay.refresh_from_db()
    assert (essay.title, essay.body) == ("初稿", "第一稿")
    assert essay.revision > 200
    replaced = EssayRevision.objects.get(essay=essay, reason="restore")
    assert (replaced.title, replaced.body) == ("二稿", "第二稿")


def written(essay, body=PARAGRAPH, now=None):
    essays.essay_save(
        essay=essay,
        title="做忠诚担当的“兵头将尾”",
        body=body,
        revision=1,
        base=0,
        now=now or at("2023-01-03T20:00"),
    )
    essay.refresh_from_db()
    return essay


def test_submit_locks_the_essay(essay):
    written(essay)

    essays.essay_submit(essay=essay, now=at("2023-01-04T11:00"))

    essay.refresh_from_db()
    assert (essay.status, essay.submitted_at) == ("submitted", at("2023-01-04T11:00"))
    late = essays.essay_save(
        essay=essay, title="改", body="改", revision=5, base=1, now=at("2023-01-04T11:01")
    )
    essay.refresh_from_db()
    assert (late.result, essay.body) == ("locked", PARAGRAPH)
    assert EssayRevision.objects.filter(essay=essay, reason="submitted").count() == 1
    # The text sent too late is not lost: it is kept as a version.
    assert EssayRevision.objects.get(essay=essay, reason="conflict").body == "改"


def test_submit_refuses_an_essay_too_short_or_without_title(essay):
    written(essay, body="太短了")

    with translation.override("en"), pytest.raises(essays.EssayRefused) as short:
        essays.essay_submit(essay=essay, now=at("2023-01-04T11:00"))

    assert str(short.value) == "The essay has 3 characters; at least 20 are needed."
    Essay.objects.filter(pk=essay.pk).update(title="", body=PARAGRAPH, chars=25)
    with translation.override("en"), pytest.raises(essays.EssayRefused) as untitled:
        essays.essay_submit(essay=essay, now=at("2023-01-04T11:00"))
    assert str(untitled.value) == "Give the essay a title."
    assert Essay.objects.get(pk=essay.pk).status == "draft"


def test_a_submission_after_the_deadline_is_refused(essay):
    written(essay)

    with translation.override("en"), pytest.raises(essays.EssayRefused) as refusal:
        essays.essay_submit(essay=essay, now=at("2023-01-04T12:00:01"))

    assert str(refusal.value).startswith("The deadline (")
    assert Essay.objects.get(pk=essay.pk).status == "draft"


def test_a_submission_after_the_deadline_is_accepted_with_an_extension(essay):
    written(essay)
    essays.essay_extend(
        enrollment=essay.enrollment, until=at("2023-01-05T18:00"), now=at("2023-01-04T13:00")
    )

    essays.essay_submit(essay=essay, now=at("2023-01-05T17:59"))

    assert Essay.objects.get(pk=essay.pk).status == "submitted"


def test_an_extension_is_for_its_trainee_only(program, essay):
    other = essays.essay_for(enrollment=factories.enrollment(program))
    written(other)
    essays.essay_extend(
        enrollment=essay.enrollment, until=at("2023-01-05T18:00"), now=at("2023-01-04T13:00")
    )

    with pytest.raises(essays.EssayRefused):
        essays.essay_submit(essay=other, now=at("2023-01-05T17:59"))


def test_an_extension_without_an_essay_yet_creates_it(program):
    enrollment = factories.enrollment(program)

    essays.essay_extend(
        enrollment=enrollment, until=at("2023-01-05T18:00"), now=at("2023-01-04T13:00")
    )

    assert Essay.objects.get(enrollment=enrollment).extended_until == at("2023-01-05T18:00")


def test_returned_essay_can_be_revised_and_handed_in_again(essay):
    written(essay)
    essays.essay_submit(essay=essay, now=at("2023-01-04T10:00"))

    essays.essay_return(essay=essay, comment="请补充本所的具体措施。", now=at("2023-01-04T10:30"))
    essays.essay_save(
        essay=essay,
        title="做忠诚担当的“兵头将尾”",
        body=PARAGRAPH * 2,
        revision=10,
        base=1,
        now=at("2023-01-04T11:00"),
    )
    essays.essay_submit(essay=essay, now=at("2023-01-04T11:30"))

    essay.refresh_from_db()
    assert (essay.status, essay.chars, essay.returned_comment) == (
        "submitted",
        50,
        "请补充本所的具体措施。",
    )


def test_return_needs_a_comment_and_a_handed_in_essay(essay):
    written(essay)

    with pytest.raises(essays.EssayRefused):
        essays.essay_return(essay=essay, comment="请修改")
    essays.essay_submit(essay=essay, now=at("2023-01-04T10:00"))
    with pytest.raises(essays.EssayRefused):
        essays.essay_return(essay=essay, comment="  ")
    assert Essay.objects.get(pk=essay.pk).status == "submitted"


def test_review_grades_the_essay_and_keeps_every_review(essay):
    reviewer = factories.user("organizer")
    written(essay)
    essays.essay_submit(essay=essay, now=at("2023-01-04T10:00"))

    essays.essay_review(essay=essay, reviewer=reviewer, grade="B", comment="结合实际不够。")
    essays.essay_review(essay=essay, reviewer=reviewer, grade="A", excellent=True)

    essay.refresh_from_db()
    assert (essay.grade, essay.excellent, essay.get_grade_display()) == ("A", True, "优秀")
    assert EssayReview.objects.filter(essay=essay).count() == 2


def test_a_draft_cannot_be_reviewed(essay):
    written(essay)

    with pytest.raises(essays.EssayRefused):
        essays.essay_review(essay=essay, reviewer=factories.user("organizer"), grade="A")


def test_writing_before_the_essay_opens_is_refused(program, essay):
    program.essay_opens_at = at("2023-01-04T08:00")
    program.save()

    with pytest.raises(essays.EssayRefused):
        essays.essay_save(
            essay=essay, title="", body="早", revision=1, base=0, now=at("2023-01-04T07:59")
        )


def test_control_characters_are_dropped_and_line_breaks_kept(essay):
    essays.essay_save(
        essay=essay,
        title="心得\x0b体会",
        body="第一段\x00。\r\n第二段\x0c。\t完",
        revision=1,
        base=0,
        now=at("2023-01-03T20:00"),
    )

    essay.refresh_from_db()
    assert (essay.title, essay.body) == ("心得体会", "第一段。\n第二段。\t完")


def test_program_form_refuses_an_essay_deadline_before_the_opening():
    from trainees.forms import ProgramForm

    form = ProgramForm(
        data={
            "title": "培训班",
            "code": "CZ2024",
            "start_date": "2024-01-02",
            "end_date": "2024-01-04",
            "essay_min_chars": 1500,
            "essay_opens_at": "2024-01-04T08:00",
            "essay_deadline": "2024-01-03T12:00",
        }
    )

    assert list(form.errors) == ["essay_deadline"]


def test_two_late_texts_with_the_same_revision_are_both_kept(essay):
    now = at("2023-01-03T20:00")
    essays.essay_save(essay=essay, title="", body="最新", revision=500, base=0, now=now)

    essays.essay_save(essay=essay, title="", body="甲", revision=101, base=0, now=now)
    essays.essay_save(essay=essay, title="", body="乙", revision=101, base=0, now=now)
    essays.essay_save(essay=essay, title="", body="乙", revision=101, base=0, now=now)

    kept = EssayRevision.objects.filter(essay=essay, reason="conflict")
    assert sorted(kept.values_list("body", flat=True)) == ["乙", "甲"]


def test_returning_an_essay_clears_its_grade_and_similar_essays(program, essay):
    other = essays.essay_for(enrollment=factories.enrollment(program))
    for each in (essay, other):
        written(each, body=PARAGRAPH * 3)
        essays.essay_submit(essay=each, now=at("2023-01-04T10:00"))
    EssayMatch.objects.create(essay=essay, other=other, similarity=0.9, containment=0.9)
    EssayMatch.objects.create(essay=other, other=essay, similarity=0.9, containment=0.9)
    essays.essay_review(
        essay=essay, reviewer=factories.user("organizer"), grade="A", excellent=True
    )

    essays.essay_return(essay=essay, comment="请结合本所实际。", now=at("2023-01-04T10:30"))

    essay.refresh_from_db()
    assert (essay.grade, essay.excellent, essay.reviewed_at, essay.signature) == (
        "",
        False,
        None,
        None,
    )
    assert EssayMatch.objects.count() == 0
    assert EssayReview.objects.filter(essay=essay).count() == 1  # the history stays
