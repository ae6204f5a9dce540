"""One trainee in a program: moving them to another group, withdrawing them (退训) or taking
them back; and the same for several at once, from the roster page. Each function is one
transaction; the history says who and why.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from trainees.audit import MOVED, TAKEN_BACK, WITHDRAWN, recorded
from trainees.models import Enrollment
from trainees.permissions import WITHDRAW, TraineeRefused, trainee_refusal


@transaction.atomic
def enrollment_move(*, enrollment, group, user=None):
    """Move one trainee to another group of the same program (or out of every group)."""
    if group is not None and group.program_id != enrollment.program_id:
        raise ValueError(_("This group belongs to another program."))
    if enrollment.group_id == getattr(group, "pk", None):
        return  # nothing to move, nothing to record
    enrollment.group = group
    recorded(enrollment, user=user, reason=MOVED).save(update_fields=["group"])


@transaction.atomic
def enrollment_set_status(*, enrollment, status, user=None):
    """Withdraw a trainee from the program (退训), or take them back; nothing is deleted.
    A withdrawal is refused (TraineeRefused) while the trainee is active in a program `user`
    does not organize that has not ended."""
    if enrollment.status == status:
        return
    if status == Enrollment.Status.WITHDRAWN:
        refusal = trainee_refusal(user, enrollment.trainee, WITHDRAW)
        if refusal:
            raise TraineeRefused(refusal)
    enrollment.status = status
    reason = WITHDRAWN if status == Enrollment.Status.WITHDRAWN else TAKEN_BACK
    recorded(enrollment, user=user, reason=reason).save(update_fields=["status"])


@transaction.atomic
def enrollments_move(*, enrollments, group, user=None):
    """Move several trainees of one program to `group` (None: out of every group), all or
    nothing; returns those who moved (the others were in it already)."""
    moved = []
    for enrollment in enrollments:
        before = enrollment.group_id
        enrollment_move(enrollment=enrollment, group=group, user=user)
        if enrollment.group_id != before:
            moved.append(enrollment)
    return moved


@transaction.atomic
def enrollments_withdraw(*, enrollments, user=None):
    """Withdraw several trainees (退训), each on his own: one whom enrollment_set_status
    refuses (TraineeRefused: he is active in a running program of others, only an
    administrator may) stays as he is, and the others are withdrawn; a refusal concerns one
    trainee and only an administrator lifts it, so it does not hold the others back.
    Returns (withdrawn, refused), refused being [(enrollment, why)]."""
    withdrawn, refused = [], []
    for enrollment in enrollments:
        if enrollment.status == Enrollment.Status.WITHDRAWN:
            continue
        try:
            enrollment_set_status(
                enrollment=enrollment, status=Enrollment.Status.WITHDRAWN, user=user
            )
        except TraineeRefused as refusal:
            refused.append((enrollment, str(refusal)))
        else:
            withdrawn.append(enrollment)
    return withdrawn, refused
