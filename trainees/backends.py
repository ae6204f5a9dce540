from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare

from trainees.models import Trainee
from trainees.roles import TRAINEE


class InitialPasswordBackend(ModelBackend):
    """A trainee's first sign-in, with the police ID and the initial password of their slip.

    The import stores only the initial password: the account (username = police ID) is made
    here, at the first sign-in, so that importing 220 or 10,000 trainees hashes no password.
    The account's own password stays unusable until the trainee chooses one, and while it is
    unusable every page leads to the password page (SignInStepsMiddleware). Once
    the account has a usable password, however it got it, the slip's password is dead.
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
        user = trainee.user
        if user is None:
            user = self.create_account(trainee)
        elif user.has_usable_password():
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

    def create_account(self, trainee):
        """A new account for the trainee; never one that exists already (a staff account
        that happens to bear the same name must not be handed to whoever holds the slip)."""
        try:
            with transaction.atomic():
                user = get_user_model()(username=trainee.police_id)
                user.set_unusable_password()
                user.save()
                user.groups.add(Group.objects.get_or_create(name=TRAINEE)[0])
                linked = Trainee.objects.filter(pk=trainee.pk, user__isnull=True).update(user=user)
                if not linked:  # a parallel first sign-in linked another account first
                    raise IntegrityError
        except IntegrityError:
            return None
        return user
