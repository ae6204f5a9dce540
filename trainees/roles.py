"""Roles are Django groups, created by migration 0002: organizer (教务), trainee (学员),
leadership (领导). A superuser may do everything an organizer may."""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied

ORGANIZER = "organizer"
TRAINEE = "trainee"
LEADERSHIP = "leadership"
ALL_ROLES = (ORGANIZER, TRAINEE, LEADERSHIP)


@dataclass(frozen=True)
class Roles:
    organizer: bool = False
    trainee: bool = False
    leadership: bool = False

    def __contains__(self, role):
        return getattr(self, role, False)


def user_roles(user):
    """The roles of a user, read once per request (cached on the user object)."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_jingxun_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        cached = roles_set(user, names)
    return cached


def roles_set(user, names):
    """Cache on `user` the roles its groups `names` give, as user_roles reads them."""
    user._jingxun_roles = Roles(
        organizer=user.is_superuser or ORGANIZER in names,
        trainee=TRAINEE in names,
        leadership=LEADERSHIP in names,
    )
    return user._jingxun_roles


def role_required(*roles):
    """View decorator: the signed-in user must hold one of `roles`, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            held = user_roles(request.user)
            if not any(role in held for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
