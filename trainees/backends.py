from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.crypto import constant_time_compare

from trainees.models import Trainee
from trainees.roles import TRAINEE

SESSION_MUST_CHANGE_PASSWORD = "must_change_password"


class InitialPasswordBackend(ModelBackend):
    """A trainee's first sign-in, with the police ID and the initial password of their slip.

    The import stores only the initial password: the account (username = police ID) is made
    here, at the first sign-in, so that importing 220 or 10,000 trainees hashes no password.
    Until the trainee chooses their own, the account's password is unusable and the session
    sends them to the password page.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        trainee = (
            Trainee.objects.select_related("user")
            .filter(police_id=username)
            .exclude(initial_password="")
            .first()
        )
        if trainee is None or not constant_time_compare(password, trainee.initial_password):
            return None
        user = trainee.user or self.create_account(trainee)
        if not self.user_can_authenticate(user):
            return None
        if request is not None:
            request.session[SESSION_MUST_CHANGE_PASSWORD] = True
        return user

    @transaction.atomic
    def create_account(self, trainee):
        user, _created = get_user_model().objects.get_or_create(username=trainee.police_id)
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=TRAINEE)[0])
        Trainee.objects.filter(pk=trainee.pk, user__isnull=True).update(user=user)
        return user
