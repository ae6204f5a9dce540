"""Two tabs of one trainee save the essay at the same moment (PostgreSQL): the newer text is
stored, the other is kept as a version; and an autosave racing the hand-in is either in the
text handed in, or refused with 409 and kept as a version: never acknowledged and lost."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from discussions.models import Essay, EssayRevision
from discussions.services import essays
from tests import factories
from tests.integration.races import at_once, signed_in

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "派出所是公安工作的根基所在，所长既是指挥员又是战斗员。" * 4


def essay_of_a_trainee():
    program = factories.program(
        code="RACE",
        start_date=timezone.localdate() - timedelta(days=1),
        essay_min_chars=50,
        essay_deadline=timezone.now() + timedelta(days=1),
    )
    return essays.essay_for(enrollment=factories.enrollment(program))


@pytest.mark.parametrize("repeat", range(5))
def test_two_tabs_saving_at_once_keep_the_newer_text_and_the_other_as_a_version(repeat):
    essay = essay_of_a_trainee()

    outcomes = at_once(
        lambda: essays.essay_save(essay=essay, title="", body="甲窗口", revision=100, base=0),
        lambda: essays.essay_save(essay=essay, title="", body="乙窗口", revision=200, base=0),
    )

    assert [outcome.result for outcome in outcomes] in (["saved", "saved"], ["stale", "saved"])
    stored = Essay.objects.get(pk=essay.pk)
    assert (stored.body, stored.revision) == ("乙窗口", 200)
    kept = EssayRevision.objects.filter(essay=essay, reason=EssayRevision.Reason.CONFLICT)
    assert list(kept.values_list("body", flat=True)) == ["甲窗口"]


# The hand-in's head start: from none (the save usually first) to past its end (the save
# refused), through the moments when the two overlap.
@pytest.mark.parametrize("head_start", [0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.3])
def test_an_autosave_racing_the_hand_in_is_handed_in_or_refused_with_409(head_start):
    """One tab autosaves a longer text as another hands in the text it shows, through the
    views. Saved first: the hand-in locks the saved text, or (if its own text is older by
    then) is itself refused; handed in first: the save is refused with 409 and its text is
    kept as a version."""
    essay = essay_of_a_trainee()
    essays.essay_save(essay=essay, title="心得", body=TEXT, revision=100, base=0)
    user, code = essay.enrollment.trainee.user, essay.enrollment.program.code
    phone, laptop = signed_in(user), signed_in(user)

    def autosave():
        time.sleep(head_start)
        return phone.post(
            f"/discussions/programs/{code}/essay/save/",
            {"title": "心得", "body": TEXT + "补充", "revision": 200, "base": 100},
        )

    def hand_in():
        return laptop.post(
            f"/discussions/programs/{code}/essay/submit/",
            {"title": "心得", "body": TEXT, "revision": 100, "base": 100, "action": "submit"},
        )

    saved, handed_in = at_once(autosave, hand_in)

    stored = Essay.objects.get(pk=essay.pk)
    assert handed_in.status_code == 302
    if saved.status_code == 200:
        assert (saved.json()["result"], stored.body) == ("saved", TEXT + "补充")
        if stored.status == Essay.Status.SUBMITTED:
            locked = EssayRevision.objects.get(essay=essay, reason=EssayRevision.Reason.SUBMITTED)
            assert locked.body == TEXT + "补充"
        else:  # the hand-in came with an older text than the stored one: refused, told so
            assert stored.status == Essay.Status.DRAFT
            assert EssayRevision.objects.filter(essay=essay, body=TEXT).exists()
    else:
        assert (saved.status_code, saved.json()) == (
            409,
            {
                "error": "The essay is already handed in; the text sent from here is kept "
                "under Versions.",
                "result": "locked",
            },
        )
        assert (stored.status, stored.body) == (Essay.Status.SUBMITTED, TEXT)
        kept = EssayRevision.objects.get(essay=essay, reason=EssayRevision.Reason.CONFLICT)
        assert kept.body == TEXT + "补充"
