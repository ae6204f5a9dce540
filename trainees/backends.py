from collections import defaultdict

from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare

from trainees.models import Trainee
from trainees.roles import ALL_ROLES, TRAINEE, roles_set, user_roles
from trainees.sessions import SessionStore as AccountSessionStore
from trainees.sessions import prefetched_account, user_cache_key

# What an account's cache entry holds for a while after it changed, instead of the account: a
# request that read the row before the change committed cannot put it back (cache.add).
CHANGED = "changed"
CHANGED_SECONDS = 60


class ModelBackend(backends.ModelBackend):
    """Django's, except that the signed-in account of each request (get_user) comes from the
    shared cache when USER_CACHE_SECONDS is set (only with CACHE_URL: a cache of each process
    could not be told of a change made in another): one cache GET instead of two queries (the
    account, and its roles, which ride along). Every save, deletion or change of roles of an
    account empties its entry (users_changed), so that a new password, a deactivation or a
    role taken away counts at the next request; Django still compares the session's password
    hash with the account's, as it does with the database's row.
    """

    def get_user(self, user_id):
        seconds = settings.USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        key = user_cache_key(user_id)
        # Read along with this request's session (trainees.sessions), or else now.
        found = prefetched_account(key)
        cached = found[1] if found is not None else cache.get(key)
        if isinstance(cached, get_user_model()):
            return cached if self.user_can_authenticate(cached) else None
        user = super().get_user(user_id)
        if user is not None and cached is None:
            user_roles(user)  # read now, kept with the account
            cache.add(key, user, seconds)
        return user


def account_cache_fill(user_ids):
    """Put these accounts, with their roles, into the cache as get_user would, read afresh:
    at a sign-in (user_logged_in), so that the page it leads to and the next hour's read no
    row of the account. cache.add: an entry already there (the account, or the mark of a
    change) stays. Two queries, however many accounts."""
    seconds = settings.USER_CACHE_SECONDS
    if not seconds or not user_ids:
        return
    User = get_user_model()
    names = defaultdict(set)
    for user_id, name in User.groups.through.objects.filter(
        user_id__in=user_ids, group__name__in=ALL_ROLES
    ).values_list("user_id", "group__name"):
        names[user_id].add(name)
    for user in User._default_manager.filter(pk__in=user_ids):
        roles_set(user, names[user.pk])
        cache.add(user_cache_key(user.pk), user, seconds)


def account_signed_in(sender, request, user, **kwargs):
    account_cache_fill([user.pk])
    session = getattr(request, "session", None)
    if isinstance(session, AccountSessionStore):
        # A key that names the account, now that the session does: its requests read the
        # session and the account in one round trip (trainees.sessions).
        session.cycle_key()


def users_changed(user_ids):
    """Empty the cache entries of these accounts, now and once the transaction commits."""
    user_ids = [user_id for user_id in user_ids if user_id is not None]
    if not user_ids or not settings.USER_CACHE_SECONDS:
        return

    def mark():
        cache.set_many({user_cache_key(pk): CHANGED for pk in user_ids}, CHANGED_SECONDS)

    mark()
    transaction.on_commit(mark)


def user_saved_or_deleted(sender, instance, update_fields=None, **kwargs):
    # A sign-in's stamp (update_last_login) changes nothing a request reads of the account.
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    users_changed([instance.pk])


def user_roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups changed (reverse: group.user_set); a clear is caught before it happens."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        users_changed([instance.pk])
    elif action == "pre_clear":
        users_changed(list(instance.user_set.values_list("pk", flat=True)))
    else:
        users_changed(pk_set or [])


def group_renamed_or_deleted(sender, instance, **kwargs):
    """Roles are read by the group's name: its members' entries go if it changes."""
    if instance.pk is not None:
        users_changed(list(instance.user_set.values_list("pk", flat=True)))


def connect_user_cache():
    """The signals that keep ModelBackend's cache of accounts true (TraineesConfig.ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    User = get_user_model()
    post_save.connect(user_saved_or_deleted, sender=User, dispatch_uid="user-cache-save")
    post_delete.connect(user_saved_or_deleted, sender=User, dispatch_uid="user-cache-delete")
    m2m_changed.connect(
        user_roles_changed, sender=User.groups.through, dispatch_uid="user-cache-roles"
    )
    post_save.connect(group_renamed_or_deleted, sender=Group, dispatch_uid="user-cache-group")
    pre_delete.connect(
        group_renamed_or_deleted, sender=Group, dispatch_uid="user-cache-group-delete"
    )


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
