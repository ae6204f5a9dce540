"""Two tabs of one trainee save the essay at the same moment (PostgreSQL): the newer text is
stored, the other is kept as a version, and handing in while a save is in flight locks the
text that was saved."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from discussions.models import Essay, EssayRevision
from discussions.services import essays
from tests import factories

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


def at_once(*calls):
    """Run the calls in threads released together; returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("repeat", range(5))
def test_two_tabs_saving_at_once_keep_the_newer_text_and_the_other_as_a_version(repeat):
    essay = essay_of_a_trainee()

    outcomes = at_once(
        lambda: essays.essay_save(essay=essay, title="", body="甲窗口", revision=100, base=0),
        lambda: essays.essay_save(essay=essay, title="", body="乙窗口", revision=200, base=0),
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    stored = Essay.objects.get(pk=essay.pk)
    assert (stored.body, stored.revision) == ("乙窗口", 200)
    kept = EssayRevision.objects.filter(essay=essay, reason=EssayRevision.Reason.CONFLICT)
    assert list(kept.values_list("body", flat=True)) == ["甲窗口"]


def test_handing_in_while_a_save_is_in_flight_locks_a_text_that_was_saved():
    essay = essay_of_a_trainee()
    essays.essay_save(essay=essay, title="心得", body=TEXT, revision=100, base=0)

    outcomes = at_once(
        lambda: essays.essay_submit(essay=essay),
        lambda: essays.essay_save(
            essay=essay, title="心得", body=TEXT + "补充", revision=200, base=100
        ),
    )

    stored = Essay.objects.get(pk=essay.pk)
    assert stored.status == "submitted"
    handed_in = EssayRevision.objects.get(essay=essay, reason="submitted")
    assert handed_in.body == stored.body  # what was locked is what is stored
    saved_late = outcomes[1]
    assert not isinstance(saved_late, Exception), saved_late
    if saved_late.result == "locked":  # the hand-in went first: the late text is kept aside
        assert stored.body == TEXT
        kept = EssayRevision.objects.get(essay=essay, reason="conflict")
        assert kept.body == TEXT + "补充"
    else:
        assert stored.body == TEXT + "补充"
