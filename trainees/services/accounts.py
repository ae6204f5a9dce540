"""A trainee's account: the printed initial password, a new one, and the password they choose.
Each function is one transaction.
"""

from django.db import transaction

from trainees import roster as roster_module
from trainees.audit import NEW_PASSWORD, recorded
from trainees.models import Trainee
from trainees.permissions import RESET, TraineeRefused, trainee_refusal


@transaction.atomic
def trainee_reset_password(*, trainee, user=None):
    """Give the trainee a new initial password (for a new slip); the old one stops working.
    The history says who issued it and when, never the password. Refused (TraineeRefused)
    for a trainee who also attends a program `user` does not organize."""
    refusal = trainee_refusal(user, trainee, RESET)
    if refusal:
        raise TraineeRefused(refusal)
    trainee.initial_password = roster_module.new_initial_password()
    recorded(trainee, user=user, reason=NEW_PASSWORD).save(update_fields=["initial_password"])
    if trainee.user_id:
        trainee.user.set_unusable_password()
        trainee.user.save(update_fields=["password"])
    return trainee.initial_password


@transaction.atomic
def trainee_password_chosen(*, user):
    """The trainee chose their own password: the printed initial one stops working."""
    # An UPDATE without history on purpose: the initial password is not in the history.
    Trainee.objects.filter(user=user).update(initial_password="")
