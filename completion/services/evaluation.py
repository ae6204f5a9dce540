"""Course evaluation (评教): a program's form (its items), and a trainee's answer.

An answer is written in one transaction: the EvaluationReceipt (this trainee has evaluated
this activity: what refuses a second answer) and the Evaluation with its scores, which say
nothing of who answered (completion.models). A second answer, from another tab or phone at the
same moment too, fails on the receipt's unique constraint and is told so.

The program's row orders an answer with a change of the items: the items change only while no
answer has arrived, and an answer is taken for the items the form has when it is written.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from completion import evaluation as rules
from completion.models import (
    DEFAULT_ITEMS,
    Evaluation,
    EvaluationItem,
    EvaluationReceipt,
    EvaluationScore,
)
from completion.selectors.evaluation import items_locked, roll_call_status
from trainees.models import Enrollment, Program
from trainees.text import without_control

MAX_ITEMS = 10
MAX_COMMENT = Evaluation._meta.get_field("comment").max_length


class EvaluationRefused(Exception):
    """An answer that is not taken; the message says why. `already`: the trainee has
    evaluated this activity before."""

    def __init__(self, message, *, already=False):
        super().__init__(message)
        self.already = already


class ItemsLocked(Exception):
    """The items of a program's form cannot change: answers have arrived."""


def lock_program(program):
    Program.objects.select_for_update(no_key=True).filter(pk=program.pk).first()


def evaluation_items_for(*, program):
    """The items of the program's form, made from DEFAULT_ITEMS the first time it is asked."""
    items = list(EvaluationItem.objects.filter(program=program))
    if items:
        return items
    with transaction.atomic():
        lock_program(program)  # two first readers make the items once
        items = list(EvaluationItem.objects.filter(program=program))
        if not items:
            items = EvaluationItem.objects.bulk_create(
                EvaluationItem(program=program, position=position, text=text)
                for position, text in enumerate(DEFAULT_ITEMS, start=1)
            )
    return items


def evaluation_items_set(*, program, texts):
    """The program's items become `texts`, in order; refused (ItemsLocked) once an answer has
    arrived, as the answers were given to the items as they were."""
    with transaction.atomic():
        lock_program(program)
        if items_locked(program):
            raise ItemsLocked(
                _("Trainees have started to answer: the items can no longer be changed.")
            )
        EvaluationItem.objects.filter(program=program).delete()
        return EvaluationItem.objects.bulk_create(
            EvaluationItem(program=program, position=position, text=text)
            for position, text in enumerate(texts, start=1)
        )


def evaluation_submit(*, activity, enrollment, scores, comment="", now=None):
    """The trainee's answer about `activity`: `scores` maps each item's id to 1–5. Returns the
    Evaluation, or raises EvaluationRefused (already=True for a second answer)."""
    now = now or timezone.now()
    theirs = (
        enrollment.program_id == activity.program_id
        and enrollment.status == Enrollment.Status.ACTIVE
        and activity.group_id in (None, enrollment.group_id)
    )
    if not theirs:
        raise EvaluationRefused(_("This activity is not in your program."))
    reason = rules.refusal(
        activity,
        status=roll_call_status(activity, enrollment),
        rules=rules.evaluation_rules(activity.program),
        now=now,
    )
    if reason:
        raise EvaluationRefused(reason)
    if any(score not in range(1, 6) for score in scores.values()):
        raise EvaluationRefused(_("Each item is scored from 1 to 5."))
    comment = without_control(comment or "").strip()[:MAX_COMMENT]
    with transaction.atomic():
        lock_program(activity.program)
        items = EvaluationItem.objects.filter(program_id=activity.program_id)
        items = set(items.values_list("pk", flat=True))
        if not items or set(scores) != items:
            raise EvaluationRefused(_("The evaluation form has changed; please answer it again."))
        try:
            with transaction.atomic():
                EvaluationReceipt.objects.create(activity=activity, enrollment=enrollment)
        except IntegrityError:
            raise EvaluationRefused(
                _("You have already evaluated this activity."), already=True
            ) from None
        evaluation = Evaluation.objects.create(activity=activity, comment=comment)
        EvaluationScore.objects.bulk_create(
            EvaluationScore(evaluation=evaluation, item_id=item_id, score=score)
            for item_id, score in scores.items()
        )
    return evaluation
