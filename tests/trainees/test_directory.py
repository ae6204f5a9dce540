"""Directory sign-in (trainees.directory) without a directory: the settings it is switched on
by, and the rules of the sync. tests/integration/test_ldap.py signs in against a real slapd."""

import importlib.util
import logging
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from tests import factories
from trainees import directory
from trainees.models import Leader, Unit

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
# A bureau's directory, as docs/deploy.md shows it.
BUREAU = {
    "LDAP_URL": "ldap://ldap1.czga.example:389,ldap://ldap2.czga.example:389",
    "LDAP_BIND_DN": "cn=jingxun,ou=services,dc=czga,dc=example",
    "LDAP_BIND_PASSWORD": "service-secret",
    "LDAP_USER_SEARCH_BASE": "ou=people,dc=czga,dc=example",
    "LDAP_USER_FILTER": "(!(employeeType=disabled))",
    "LDAP_ORGANIZER_GROUP": "cn=jingxun-organizers,ou=groups,dc=czga,dc=example",
    "LDAP_LEADERSHIP_GROUP": "cn=jingxun-leadership,ou=groups,dc=czga,dc=example",
    "LDAP_LEADER_UNIT_ATTRIBUTE": "departmentNumber",
    "LDAP_TIMEOUT": "2",
}
DIRECTORY_SETTINGS = (
    "AUTHENTICATION_BACKENDS",
    "LDAP_AUTH_URL",
    "LDAP_AUTH_USE_TLS",
    "LDAP_AUTH_CONNECTION_USERNAME",
    "LDAP_AUTH_CONNECTION_PASSWORD",
    "LDAP_AUTH_SEARCH_BASE",
    "LDAP_AUTH_OBJECT_CLASS",
    "LDAP_USER_FILTER",
    "LDAP_AUTH_USER_FIELDS",
    "LDAP_AUTH_USER_LOOKUP_FIELDS",
    "LDAP_AUTH_CLEAN_USER_DATA",
    "LDAP_AUTH_FORMAT_SEARCH_FILTERS",
    "LDAP_AUTH_SYNC_USER_RELATIONS",
    "LDAP_ORGANIZER_GROUP",
    "LDAP_LEADERSHIP_GROUP",
    "LDAP_GROUP_MEMBER_ATTRIBUTE",
    "LDAP_LEADER_UNIT_ATTRIBUTE",
    "LDAP_AUTH_CONNECT_TIMEOUT",
    "LDAP_AUTH_RECEIVE_TIMEOUT",
)


def settings_module(monkeypatch, environment):
    """config/settings.py run afresh, as a module of its own, with `environment` (and every
    LDAP_ variable not in it unset); Django's own settings are left alone."""
    for name in BUREAU:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def use_directory(monkeypatch, settings, environment):
    """Django's settings as config/settings.py makes them from `environment`."""
    module = settings_module(monkeypatch, environment)
    for name in DIRECTORY_SETTINGS:
        setattr(settings, name, getattr(module, name))


def test_directory_settings_are_off_by_default(monkeypatch):
    module = settings_module(monkeypatch, {})

    assert directory.BACKEND not in module.AUTHENTICATION_BACKENDS
    assert not hasattr(module, "LDAP_AUTH_URL")


def test_directory_settings_read_a_bureau_directory_from_the_environment(monkeypatch):
    module = settings_module(monkeypatch, BUREAU)

    # Last: local accounts (the superuser) are checked before the directory is asked.
    assert module.AUTHENTICATION_BACKENDS[-1] == directory.BACKEND
    assert module.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert module.LDAP_AUTH_URL == [
        "ldap://ldap1.czga.example:389",
        "ldap://ldap2.czga.example:389",
    ]
    assert module.LDAP_AUTH_CONNECTION_USERNAME == "cn=jingxun,ou=services,dc=czga,dc=example"
    assert module.LDAP_AUTH_CONNECTION_PASSWORD == "service-secret"
    assert module.LDAP_AUTH_SEARCH_BASE == "ou=people,dc=czga,dc=example"
    assert module.LDAP_AUTH_OBJECT_CLASS == "inetOrgPerson"
    assert module.LDAP_USER_FILTER == "(!(employeeType=disabled))"
    assert module.LDAP_AUTH_USER_FIELDS == {"username": "uid", "first_name": "cn", "email": "mail"}
    assert module.LDAP_LEADER_UNIT_ATTRIBUTE == "departmentNumber"
    assert (module.LDAP_AUTH_CONNECT_TIMEOUT, module.LDAP_AUTH_RECEIVE_TIMEOUT) == (2, 2)
    assert module.LDAP_AUTH_USE_TLS is False


def test_directory_settings_for_active_directory(monkeypatch):
    module = settings_module(
        monkeypatch,
        {
            **BUREAU,
            "LDAP_URL": "ldaps://dc1.czga.example",
            "LDAP_USER_OBJECT_CLASS": "user",
            "LDAP_ATTR_USERNAME": "sAMAccountName",
            "LDAP_ATTR_NAME": "displayName",
            "LDAP_USER_FILTER": "(!(userAccountControl:1.2.840.113556.1.4.803:=2))",
        },
    )

    assert module.LDAP_AUTH_URL == ["ldaps://dc1.czga.example"]
    assert module.LDAP_AUTH_OBJECT_CLASS == "user"
    assert module.LDAP_AUTH_USER_FIELDS == {
        "username": "sAMAccountName",
        "first_name": "displayName",
        "email": "mail",
    }


@pytest.mark.parametrize(
    ("unset", "changed", "named"),
    [
        ("LDAP_USER_SEARCH_BASE", {}, "LDAP_USER_SEARCH_BASE"),
        ("LDAP_ORGANIZER_GROUP", {"LDAP_LEADERSHIP_GROUP": ""}, "LDAP_ORGANIZER_GROUP"),
        (None, {"LDAP_URL": "ldap1.czga.example"}, "ldap://"),
    ],
)
def test_directory_settings_refuse_to_start_half_configured(monkeypatch, unset, changed, named):
    environment = {**BUREAU, **changed}
    environment.pop(unset, None)

    with pytest.raises(ImproperlyConfigured, match=named):
        settings_module(monkeypatch, environment)


@pytest.mark.django_db
def test_unit_named_by_full_name_or_name_and_never_a_guess():
    city = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    jintan = factories.unit("金坛分局", parent=city, kind=Unit.Kind.BRANCH)
    liyang = factories.unit("溧阳市公安局", parent=city, kind=Unit.Kind.BRANCH)
    chengguan_jintan = factories.unit("城关派出所", parent=jintan)
    factories.unit("城关派出所", parent=liyang)

    assert directory.unit_named("常州市公安局金坛分局") == jintan
    assert directory.unit_named("金坛分局") == jintan
    assert directory.unit_named("常州市公安局") == city
    assert directory.unit_named("金坛分局城关派出所") == chengguan_jintan
    assert directory.unit_named("城关派出所") is None  # one in every county: which?
    assert directory.unit_named("常州市公安局武进分局") is None
    assert directory.unit_named("") is None


@pytest.mark.django_db
def test_local_accounts_and_trainees_are_not_the_directorys():
    factories.user(username="admin", is_superuser=True)
    factories.user("organizer", username="localorg")
    factories.trainee(police_id="320401")
    factories.trainee(police_id="320402", with_login=False)  # the slip not used yet
    made = factories.user("organizer", username="chenjw")
    made.groups.add(Group.objects.get_or_create(name=directory.DIRECTORY)[0])

    assert directory.local_account("ADMIN") == "a local superuser"
    assert directory.local_account("LocalOrg") == "a local account (not made by the directory)"
    assert directory.local_account("320401") == "a trainee"
    assert directory.local_account("320402") == "a trainee"
    assert directory.local_account("chenjw") == ""
    assert directory.local_account("nobody") == ""


@pytest.mark.django_db
def test_clean_user_data_empties_what_the_entry_lacks_and_refuses_a_local_name():
    factories.user(username="admin", is_superuser=True)

    assert directory.clean_user_data({"username": "chenjw", "email": "not an address"}) == {
        "username": "chenjw",
        "first_name": "",
        "last_name": "",
        "email": "",
    }
    with pytest.raises(directory.Refused, match="superuser"):
        directory.clean_user_data({"username": "Admin", "first_name": "目录管理员"})


def test_the_user_search_adds_the_disabled_filter(settings):
    settings.LDAP_USER_FILTER = "!(employeeType=disabled)"  # parentheses added when missing

    assert directory.format_search_filters({"uid": "chenjw", "objectClass": "inetOrgPerson"}) == [
        "(uid=chenjw)",
        "(objectClass=inetOrgPerson)",
        "(!(employeeType=disabled))",
    ]
    assert directory.format_search_filters({"uid": "陈*)("}) == [
        "(uid=陈\\2a\\29\\28)",
        "(!(employeeType=disabled))",
    ]


class FakeGroups:
    """A service connection that answers the group searches of directory_roles: `members`
    maps a group DN to the DNs of its members."""

    def __init__(self, members):
        self.members = members
        self.response = []

    def search(self, group_dn, search_filter, **kwargs):
        found = search_filter in {f"(member={dn})" for dn in self.members[group_dn]}
        self.response = [{"type": "searchResEntry", "dn": group_dn}] if found else []


ORGANIZERS = "cn=jingxun-organizers,ou=groups,dc=czga,dc=example"
LEADERSHIP = "cn=jingxun-leadership,ou=groups,dc=czga,dc=example"
LEADER_DN = "uid=jintanld,ou=people,dc=czga,dc=example"


@pytest.fixture
def groups(settings):
    settings.LDAP_ORGANIZER_GROUP = ORGANIZERS
    settings.LDAP_LEADERSHIP_GROUP = LEADERSHIP
    settings.LDAP_GROUP_MEMBER_ATTRIBUTE = "member"
    settings.LDAP_LEADER_UNIT_ATTRIBUTE = "departmentNumber"


@pytest.mark.django_db
def test_sync_sets_roles_afresh_and_the_leaders_unit(groups):
    jintan = factories.unit("金坛分局", kind=Unit.Kind.BRANCH)
    account = get_user_model().objects.create_user("jintanld", password="was-local-1")
    account.groups.add(Group.objects.get_or_create(name="organizer")[0])  # not any more
    attributes = {"uid": ["jintanld"], "departmentNumber": ["金坛分局"]}
    connection = FakeGroups({ORGANIZERS: [], LEADERSHIP: [LEADER_DN]})

    directory.sync_user_relations(account, attributes, connection=connection, dn=LEADER_DN)

    assert set(account.groups.values_list("name", flat=True)) == {"leadership", "directory"}
    assert Leader.objects.get(user=account).unit == jintan
    assert not account.has_usable_password()  # the directory's password only, from now on


@pytest.mark.django_db
def test_sync_leaves_a_leader_of_an_unknown_unit_without_one_and_says_so(groups, caplog):
    account = factories.user("leadership", username="jintanld")
    attributes = {"uid": ["jintanld"], "departmentNumber": ["常州市公安局不存在分局"]}
    connection = FakeGroups({ORGANIZERS: [], LEADERSHIP: [LEADER_DN]})

    with caplog.at_level(logging.WARNING, logger="trainees.directory"):
        directory.sync_user_relations(account, attributes, connection=connection, dn=LEADER_DN)

    assert not Leader.objects.filter(user=account).exists()
    assert "常州市公安局不存在分局" in caplog.text


@pytest.mark.django_db
def test_sync_refuses_a_member_of_no_group(groups):
    account = get_user_model().objects.create_user("wangmin")
    connection = FakeGroups({ORGANIZERS: ["uid=chenjw"], LEADERSHIP: []})

    with pytest.raises(directory.Refused) as refused:
        directory.sync_user_relations(account, {}, connection=connection, dn="uid=wangmin")

    assert refused.value.reason == directory.NO_ROLE


@pytest.mark.django_db
def test_an_unreachable_directory_is_said_on_the_login_form(client, settings, monkeypatch):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, directory.BACKEND]

    def unreachable(username, password):
        raise directory.DirectoryUnavailable("ldap://127.0.0.1:9: connection refused")

    monkeypatch.setattr(directory, "directory_user", unreachable)

    answer = client.post("/accounts/login/", {"username": "chenjw", "password": "pw-1234567"})

    assert answer.status_code == 200
    assert [error.code for error in answer.context["form"].non_field_errors().as_data()] == [
        "directory_unavailable"
    ]
    # A wrong password of a trainee never asks the directory, up or down.
    factories.trainee(police_id="320401")
    answer = client.post("/accounts/login/", {"username": "320401", "password": "wrong-pw-1"})
    assert [error.code for error in answer.context["form"].non_field_errors().as_data()] == [
        "invalid_login"
    ]
