"""Directory sign-in for staff (统一身份认证): organizers and leaders sign in with the account
of the bureau's directory (LDAP), switched on by LDAP_URL (config/settings.py, README).

At each sign-in through the directory:
1. the service account (LDAP_BIND_DN) searches LDAP_USER_SEARCH_BASE for the user name, with
   LDAP_USER_FILTER added (how a directory marks a disabled account, if its bind does not
   fail by itself);
2. the password is checked by a bind as the entry found (OpenLDAP's ppolicy lock and Active
   Directory's disabled flag make this bind fail);
3. django-python3-ldap makes or updates the account (user name, name, email: clean_user_data)
   and calls sync_user_relations: the roles from the two directory groups, set afresh each
   time (who left a group loses its role), and a leader's unit from LDAP_LEADER_UNIT_ATTRIBUTE.

The first two steps are ours and not django-python3-ldap's connection(): it answers None both
for a wrong password and for a directory that is down (the login page must tell them apart),
it binds with a DN made up from the user name (a bureau files its people under their units),
and its default server pool waits for a dead server forever.

What the directory never does: sign in or change a local account (the superuser, an account
made in the admin) or a trainee's, whose police ID may well be a directory user name too. Such
a name is refused, with a log line, before the directory is asked (clean_user_data asks again
for the entry's own spelling of the name). The accounts the directory made are in the group
"directory"; their own password is unusable, so they sign in only through the directory, and
owe no password of their own (trainees.middleware.unfinished_step). The two-factor rules of
staff apply to them as to every organizer and leader.

When the directory cannot be reached (or refuses the service account), the login form says
so instead of "wrong password" (trainees.forms.LoginForm); local accounts are checked first
(ModelBackend), so the superuser still signs in. django-axes counts the failures as any other.
"""

import logging
import re
from contextlib import contextmanager

import ldap3
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django_python3_ldap import ldap as python3_ldap
from django_python3_ldap.utils import format_search_filter
from ldap3.core import exceptions as ldap_errors
from ldap3.utils.conv import escape_filter_chars

from trainees.models import Leader, Trainee, Unit
from trainees.roles import ALL_ROLES, LEADERSHIP, ORGANIZER

logger = logging.getLogger(__name__)

DIRECTORY = "directory"  # the group of the accounts the directory made
BACKEND = "trainees.directory.DirectoryBackend"
# Why the directory refused a sign-in, for the login form (request.directory_refusal).
UNAVAILABLE = "unavailable"
NO_ROLE = "no_role"
USERNAME = re.compile(UnicodeUsernameValidator.regex)
# An error of the network or of the server, not of the person signing in.
CONNECTION_ERRORS = (
    ldap_errors.LDAPCommunicationError,
    ldap_errors.LDAPStartTLSError,
    ldap_errors.LDAPSSLConfigurationError,
)


class DirectoryUnavailable(Exception):
    """The directory cannot be reached, or refuses the service account: nobody signs in
    through it until an operator looks (the reason is logged)."""


class Refused(Exception):
    """The directory knows the person and the password, but Jingxun refuses the sign-in."""

    def __init__(self, reason, username, detail):
        super().__init__(detail)
        self.reason = reason
        self.username = username


class DirectoryBackend(ModelBackend):
    """The authentication backend of directory sign-in (listed last in
    AUTHENTICATION_BACKENDS when LDAP_URL is set). Its permissions and get_user are
    ModelBackend's."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or not USERNAME.fullmatch(username):
            return None
        conflict = local_account(username)
        if conflict:
            # Not asked: a trainee's mistyped password is no business of the directory's.
            log = logger.info if conflict == "a trainee" else logger.warning
            log("Directory sign-in as %r not tried: %s has this user name", username, conflict)
            return None
        try:
            user = directory_user(username, password)
        except DirectoryUnavailable as error:
            logger.error(
                "Directory sign-in as %r: the directory is unavailable: %s", username, error
            )
            remember_refusal(request, UNAVAILABLE)
            return None
        except Refused as refusal:
            logger.warning("Directory sign-in as %r refused: %s", username, refusal)
            remember_refusal(request, refusal.reason)
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        # ModelBackend's own would check the local password.
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )


def remember_refusal(request, reason):
    if request is not None:
        request.directory_refusal = reason


def refusal(request):
    """Why the directory refused this request's sign-in (UNAVAILABLE, NO_ROLE), or None."""
    return getattr(request, "directory_refusal", None)


def signed_in_through_directory(request):
    """Whether this session signed in through the directory (read from the session: no query)."""
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND


def is_directory_account(user):
    """Whether the directory made this account (and so holds its password)."""
    return user.groups.filter(name=DIRECTORY).exists()


def local_account(username):
    """What `username` names in Jingxun that the directory must leave alone, or "": a trainee
    (a police ID, with or without an account), a superuser, or any account the directory did
    not make. Compared without case: the directory compares user names so."""
    if Trainee.objects.filter(police_id__iexact=username).exists():
        return "a trainee"
    accounts = get_user_model().objects.filter(username__iexact=username)
    if accounts.filter(trainee__isnull=False).exists():
        return "a trainee"
    if accounts.filter(is_superuser=True).exists():
        return "a local superuser"
    if accounts.filter(~Q(groups__name=DIRECTORY)).exists():
        return "a local account (not made by the directory)"
    return ""


def directory_user(username, password):
    """The account of the directory user `username` if `password` is theirs, made or updated
    from the directory; None for an unknown user name, a wrong password or a disabled
    account. Raises DirectoryUnavailable, or Refused (a local account, no role)."""
    with service_connection() as (service, server):
        entry = find_entry(service, username)
        if entry is None:
            logger.info("Directory sign-in as %r: no such enabled user in the directory", username)
            return None
        if not password_matches(server, entry["dn"], password):
            return None
        try:
            with transaction.atomic():  # the account, its roles and unit: all or nothing
                return python3_ldap.Connection(service).get_user(username=username)
        except Refused as refused:
            if refused.reason == NO_ROLE:
                revoke_roles(refused.username)
            raise


@contextmanager
def service_connection():
    """A connection bound as the service account, to the first server of LDAP_URL that
    answers, and that server. Any LDAP error while it is used is DirectoryUnavailable."""
    failures = []
    for url in settings.LDAP_AUTH_URL:
        server = ldap3.Server(
            url,
            get_info=ldap3.NONE,
            use_ssl=url.startswith("ldaps://"),
            connect_timeout=settings.LDAP_AUTH_CONNECT_TIMEOUT,
        )
        connection = None
        try:
            connection = connect(
                server,
                settings.LDAP_AUTH_CONNECTION_USERNAME or None,
                settings.LDAP_AUTH_CONNECTION_PASSWORD or None,
            )
            connection.bind(read_server_info=False)
        except CONNECTION_ERRORS as error:
            failures.append(f"{url}: {error}")
            if connection is not None:
                connection.unbind()
            continue
        except ldap_errors.LDAPException as error:
            connection.unbind()
            raise DirectoryUnavailable(
                f"{url} refused the service account "
                f"{settings.LDAP_AUTH_CONNECTION_USERNAME!r} (LDAP_BIND_DN): {error}"
            ) from error
        try:
            yield connection, server
        except ldap_errors.LDAPException as error:
            raise DirectoryUnavailable(f"{url}: {error}") from error
        finally:
            connection.unbind()
        return
    raise DirectoryUnavailable("; ".join(failures) or "LDAP_URL names no server")


def connect(server, user, password):
    """An open connection to `server` (StartTLS with LDAP_START_TLS), not yet bound."""
    connection = ldap3.Connection(
        server,
        user=user,
        password=password,
        raise_exceptions=True,
        receive_timeout=settings.LDAP_AUTH_RECEIVE_TIMEOUT,
        auto_referrals=False,
    )
    connection.open(read_server_info=False)
    if settings.LDAP_AUTH_USE_TLS:
        connection.start_tls(read_server_info=False)
    return connection


def find_entry(connection, username):
    """The one entry of the user search for `username`, or None (none, or more than one)."""
    connection.search(
        search_base=settings.LDAP_AUTH_SEARCH_BASE,
        search_filter=format_search_filter({"username": username}),
        search_scope=ldap3.SUBTREE,
        attributes=ldap3.NO_ATTRIBUTES,
        size_limit=2,
    )
    entries = [entry for entry in connection.response if entry["type"] == "searchResEntry"]
    if len(entries) > 1:
        logger.warning("Directory sign-in as %r: the user search finds several entries", username)
        return None
    return entries[0] if entries else None


def password_matches(server, dn, password):
    """Whether the directory accepts `password` for the entry `dn` (a bind as it, on a
    connection of its own)."""
    try:
        connection = connect(server, dn, password)
    except CONNECTION_ERRORS as error:
        raise DirectoryUnavailable(f"{server}: {error}") from error
    try:
        connection.bind(read_server_info=False)
    except CONNECTION_ERRORS as error:
        raise DirectoryUnavailable(f"{server}: {error}") from error
    except ldap_errors.LDAPException as error:  # wrong password, locked, disabled, expired
        logger.info("Directory bind as %s refused: %s", dn, error)
        return False
    finally:
        connection.unbind()
    return True


def format_search_filters(ldap_fields):
    """The user search (LDAP_AUTH_FORMAT_SEARCH_FILTERS), with LDAP_USER_FILTER added. Values
    escaped by ldap3 (RFC 4515): django-python3-ldap's own escaping drops Chinese characters
    and lets "*" through."""
    filters = [f"({name}={escape_filter_chars(value)})" for name, value in ldap_fields.items()]
    extra = settings.LDAP_USER_FILTER.strip()
    if extra:
        filters.append(extra if extra.startswith("(") else f"({extra})")
    return filters


def clean_user_data(fields):
    """The account's fields from the entry (LDAP_AUTH_CLEAN_USER_DATA), before
    django-python3-ldap writes them: a field whose attribute the entry lacks is emptied, and
    an entry whose user name is a local account's is refused here, where its own spelling is
    known."""
    username = fields.get("username", "")
    conflict = local_account(username)
    if conflict:
        raise Refused("local_account", username, f"{conflict} has the user name {username!r}")
    cleaned = {"first_name": "", "last_name": "", "email": "", **fields}
    cleaned["first_name"] = str(cleaned["first_name"]).strip()[:150]
    try:
        validate_email(cleaned["email"])
    except ValidationError:
        cleaned["email"] = ""
    return cleaned


def sync_user_relations(user, attributes, *, connection, dn):
    """The roles and the unit of a directory account, set afresh at each sign-in
    (LDAP_AUTH_SYNC_USER_RELATIONS). A member of neither group is refused."""
    roles = directory_roles(connection, dn)
    if not roles:
        raise Refused(NO_ROLE, user.get_username(), f"{dn} is in no group of Jingxun's roles")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (*ALL_ROLES, DIRECTORY)}
    user.groups.remove(*(groups[name] for name in ALL_ROLES if name not in roles))
    user.groups.add(*(groups[name] for name in (*roles, DIRECTORY)))
    if user.has_usable_password():  # an account an admin gave to the directory
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if settings.LDAP_LEADER_UNIT_ATTRIBUTE:
        sync_leader_unit(user, roles, attributes)


def directory_roles(connection, dn):
    """The roles whose directory group (LDAP_ORGANIZER_GROUP, LDAP_LEADERSHIP_GROUP) has `dn`
    among its members (LDAP_GROUP_MEMBER_ATTRIBUTE)."""
    member = f"({settings.LDAP_GROUP_MEMBER_ATTRIBUTE}={escape_filter_chars(dn)})"
    roles = []
    for role, setting in (
        (ORGANIZER, "LDAP_ORGANIZER_GROUP"),
        (LEADERSHIP, "LDAP_LEADERSHIP_GROUP"),
    ):
        group_dn = getattr(settings, setting)
        if not group_dn:
            continue
        try:
            connection.search(
                group_dn, member, search_scope=ldap3.BASE, attributes=ldap3.NO_ATTRIBUTES
            )
        except ldap_errors.LDAPNoSuchObjectResult as error:
            raise DirectoryUnavailable(
                f"{setting} {group_dn!r} is no entry of the directory"
            ) from error
        if any(entry["type"] == "searchResEntry" for entry in connection.response):
            roles.append(role)
    return roles


def sync_leader_unit(user, roles, attributes):
    """A leader's unit (Leader) from LDAP_LEADER_UNIT_ATTRIBUTE; none when the directory
    names no unit of Jingxun, or several (logged), and none for who is no leader."""
    if LEADERSHIP not in roles:
        Leader.objects.filter(user=user).delete()
        return
    value = first_value(attributes, settings.LDAP_LEADER_UNIT_ATTRIBUTE)
    unit = unit_named(value)
    if unit is None:
        Leader.objects.filter(user=user).delete()
        logger.warning(
            "Directory account %r: %s %r names no single unit of Jingxun; the leader has no unit "
            "(and reads nothing) until it does",
            user.get_username(),
            settings.LDAP_LEADER_UNIT_ATTRIBUTE,
            value,
        )
        return
    Leader.objects.update_or_create(user=user, defaults={"unit": unit})


def first_value(attributes, name):
    """The first value of the attribute `name` of an entry (names compared without case), or ""."""
    for key, values in attributes.items():
        if key.lower() == name.lower():
            if isinstance(values, (list, tuple)):
                values = values[0] if values else ""
            return str(values).strip()
    return ""


def unit_named(text):
    """The one unit whose full name (常州市公安局金坛分局) or, failing that, whose name
    (金坛分局) is `text`, or None."""
    text = text[:200]
    if not text:
        return None
    suffixes = {text[start:] for start in range(len(text))}
    candidates = list(Unit.objects.filter(name__in=suffixes).select_related("parent"))
    for matches in (
        [unit for unit in candidates if unit.full_name == text],
        [unit for unit in candidates if unit.name == text],
    ):
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


def revoke_roles(username):
    """A directory account that is in no group any more loses its roles and its unit."""
    with transaction.atomic():
        user = (
            get_user_model()
            .objects.filter(username=username, groups__name=DIRECTORY, is_superuser=False)
            .first()
        )
        if user is None:
            return
        user.groups.remove(*Group.objects.filter(name__in=ALL_ROLES))
        Leader.objects.filter(user=user).delete()
