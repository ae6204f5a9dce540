"""Directory sign-in (trainees.directory) against a real OpenLDAP: Debian's slapd, started
for this module from a temporary folder on a free port, with the test directory of
tests/integration/ldap/ (directory.ldif: the people, the two groups, a password policy).
Without slapd these tests skip, unless INTEGRATION_REQUIRED=1 (CI), where they fail."""

import logging
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import ldap3
import pytest
from axes.models import AccessAttempt
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model

from tests import factories
from tests.trainees.test_directory import use_directory
from trainees import directory
from trainees.models import Leader, Unit

FILES = Path(__file__).resolve().parent / "ldap"
BASE = "dc=czga,dc=example"
PEOPLE = f"ou=people,{BASE}"
ORGANIZERS = f"cn=jingxun-organizers,ou=groups,{BASE}"
LEADERSHIP = f"cn=jingxun-leadership,ou=groups,{BASE}"
ROOT_DN, ROOT_PASSWORD = f"cn=root,{BASE}", "root-pw-1"  # slapd.conf
PASSWORD = "directory-pw-1"  # every person's, in directory.ldif
CHENJW = f"uid=chenjw,ou=political,{PEOPLE}"


def program(name):
    """A program of Debian's slapd package: in /usr/sbin, which a user's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    """The address of a slapd serving the test directory, stopped at the end of the module."""
    if not (program("slapd") and program("slapadd")):
        reason = "slapd is not installed (apt-get install slapd ldap-utils)"
        if os.environ.get("INTEGRATION_REQUIRED") == "1":
            pytest.fail(f"INTEGRATION_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    config = folder / "slapd.conf"
    config.write_text((FILES / "slapd.conf").read_text().replace("{DIRECTORY}", str(folder)))
    subprocess.run(
        [program("slapadd"), "-q", "-f", config, "-l", FILES / "directory.ldif"],
        check=True,
        capture_output=True,
    )
    url = f"ldap://127.0.0.1:{free_port()}"
    log = (folder / "slapd.log").open("w")
    # -d: in the foreground, so that this process owns it and stops it.
    server = subprocess.Popen(
        [program("slapd"), "-f", config, "-h", f"{url}/", "-d", "stats"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(url, server, folder / "slapd.log")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def wait_for(url, server, log, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"slapd stopped at start:\n{log.read_text()}", pytrace=False)
        try:
            ldap3.Connection(ldap3.Server(url, connect_timeout=1), auto_bind=True).unbind()
            return
        except ldap3.core.exceptions.LDAPException:
            time.sleep(0.1)
    pytest.fail(f"slapd did not answer at {url} within {seconds} s:\n{log.read_text()}")


def environment(url, **changes):
    """The environment of a deployment that uses the test directory."""
    return {
        "LDAP_URL": url,
        "LDAP_BIND_DN": f"cn=jingxun,{PEOPLE}",
        "LDAP_BIND_PASSWORD": "service-pw-1",
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_USER_FILTER": "(!(employeeType=disabled))",
        "LDAP_ORGANIZER_GROUP": ORGANIZERS,
        "LDAP_LEADERSHIP_GROUP": LEADERSHIP,
        "LDAP_LEADER_UNIT_ATTRIBUTE": "ou",
        "LDAP_TIMEOUT": "1",
        **changes,
    }


@pytest.fixture
def configure(monkeypatch, settings, slapd):
    """configure(**changes): the site set up for the test directory, as config/settings.py
    reads it from the environment."""

    def apply(**changes):
        use_directory(monkeypatch, settings, environment(slapd, **changes))

    apply()
    return apply


@contextmanager
def changed_entry(url, dn, attribute, operation, values):
    """The directory with one change to the entry `dn` for the block (an ldap3 modify: add,
    delete or replace values of `attribute`), undone after it."""
    with ldap3.Connection(url, ROOT_DN, ROOT_PASSWORD, auto_bind=True) as root:
        root.search(dn, "(objectClass=*)", ldap3.BASE, attributes=[attribute])
        before = root.response[0]["raw_attributes"].get(attribute, [])
        assert root.modify(dn, {attribute: [(operation, values)]}), root.result
        try:
            yield
        finally:
            assert root.modify(dn, {attribute: [(ldap3.MODIFY_REPLACE, before)]}), root.result


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def form_errors(answer):
    """The codes of the login form's errors ([] once signed in)."""
    if answer.status_code == 302:
        return []
    return [error.code for error in answer.context["form"].non_field_errors().as_data()]


pytestmark = pytest.mark.django_db


def test_ldap_organizer_signs_in_through_the_login_page(client, configure):
    answer = sign_in(client, "chenjw")

    assert answer.status_code == 302 and answer["Location"] == "/"
    account = get_user_model().objects.get(username="chenjw")
    assert (account.first_name, account.email) == ("陈教务", "chenjw@czga.example")
    assert set(account.groups.values_list("name", flat=True)) == {"organizer", "directory"}
    assert not account.has_usable_password()
    assert client.session[BACKEND_SESSION_KEY] == directory.BACKEND
    # Signed in, with no password of its own to choose: the organizer's start page.
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/trainees/programs/"
    # Nor may it set one: a local password would outlive the directory account.
    answer = client.post(
        "/accounts/password/",
        {"new_password1": "Local-pw-12345", "new_password2": "Local-pw-12345"},
    )
    assert answer.status_code == 302
    assert not get_user_model().objects.get(username="chenjw").has_usable_password()


def test_ldap_second_sign_in_updates_the_account(client, configure, slapd):
    sign_in(client, "chenjw")
    client.logout()

    with changed_entry(slapd, CHENJW, "mail", ldap3.MODIFY_REPLACE, ["chen@czga.example"]):
        sign_in(client, "chenjw")

    assert get_user_model().objects.get(username="chenjw").email == "chen@czga.example"
    assert get_user_model().objects.filter(username__iexact="chenjw").count() == 1


def test_ldap_group_gives_the_role_and_leaving_it_takes_it_away(client, configure, slapd):
    assert sign_in(client, "chenjw").status_code == 302
    client.logout()

    with changed_entry(slapd, ORGANIZERS, "member", ldap3.MODIFY_DELETE, [CHENJW]):
        answer = sign_in(client, "chenjw")

    assert form_errors(answer) == ["directory_no_role"]
    assert not get_user_model().objects.get(username="chenjw").groups.filter(name="organizer")


def test_ldap_leader_gets_the_unit_the_directory_names(client, configure, slapd):
    city = factories.unit("常州市公安局", kind=Unit.Kind.BUREAU)
    jintan = factories.unit("金坛分局", parent=city, kind=Unit.Kind.BRANCH)

    assert sign_in(client, "jintanld").status_code == 302

    leader = Leader.objects.get(user__username="jintanld")
    assert leader.unit == jintan
    assert set(leader.user.groups.values_list("name", flat=True)) == {"leadership", "directory"}
    # Moved to the organizers' group: organizer, and no leader's unit any more.
    client.logout()
    dn = f"uid=jintanld,{PEOPLE}"
    with (
        changed_entry(slapd, LEADERSHIP, "member", ldap3.MODIFY_DELETE, [dn]),
        changed_entry(slapd, ORGANIZERS, "member", ldap3.MODIFY_ADD, [dn]),
    ):
        assert sign_in(client, "jintanld").status_code == 302
    account = get_user_model().objects.get(username="jintanld")
    assert set(account.groups.values_list("name", flat=True)) == {"organizer", "directory"}
    assert not Leader.objects.filter(user=account).exists()


def test_ldap_leader_of_an_unknown_unit_signs_in_without_one(client, configure, caplog):
    with caplog.at_level(logging.WARNING, logger="trainees.directory"):
        assert sign_in(client, "unknownld").status_code == 302

    assert not Leader.objects.filter(user__username="unknownld").exists()
    assert "常州市公安局不存在分局" in caplog.text


def test_ldap_user_in_no_group_is_refused_and_no_account_made(client, configure):
    answer = sign_in(client, "wangmin")

    assert form_errors(answer) == ["directory_no_role"]
    assert not get_user_model().objects.filter(username="wangmin").exists()


def test_ldap_wrong_password_is_wrong_and_counted_by_axes(client, configure):
    answer = sign_in(client, "chenjw", "not-the-password")

    assert form_errors(answer) == ["invalid_login"]
    assert AccessAttempt.objects.get(username="chenjw").failures_since_start == 1
    assert not get_user_model().objects.filter(username="chenjw").exists()


def test_ldap_account_disabled_by_the_filter_is_refused(client, configure):
    answer = sign_in(client, "zhaoting")

    assert form_errors(answer) == ["invalid_login"]
    assert not get_user_model().objects.filter(username="zhaoting").exists()
    # The filter is what refuses: without it the same person signs in.
    configure(LDAP_USER_FILTER="")
    assert sign_in(client, "zhaoting").status_code == 302


def test_ldap_account_locked_by_the_password_policy_is_refused(client, configure, slapd):
    answer = sign_in(client, "sunsuo")

    assert form_errors(answer) == ["invalid_login"]
    assert not get_user_model().objects.filter(username="sunsuo").exists()
    # The lock is what refuses: unlocked, the same person signs in.
    dn = f"uid=sunsuo,{PEOPLE}"
    with changed_entry(slapd, dn, "pwdAccountLockedTime", ldap3.MODIFY_DELETE, []):
        assert sign_in(client, "sunsuo").status_code == 302


def test_ldap_never_takes_over_the_local_superuser(client, configure, caplog):
    admin = factories.user(username="admin", is_superuser=True, is_staff=True, email="a@gaj.cn")

    with caplog.at_level(logging.WARNING, logger="trainees.directory"):
        answer = sign_in(client, "admin")  # the directory's "admin" and its password

    assert form_errors(answer) == ["invalid_login"]
    admin.refresh_from_db()
    assert (admin.first_name, admin.email, admin.has_usable_password()) == ("", "a@gaj.cn", True)
    assert "a local superuser" in caplog.text
    assert sign_in(client, "admin", factories.PASSWORD).status_code == 302


def test_ldap_never_takes_a_trainees_police_id(client, configure):
    factories.trainee(police_id="320999", with_login=False, initial_password="slip-pw-1")

    answer = sign_in(client, "320999")  # the directory's "320999" and its password

    assert form_errors(answer) == ["invalid_login"]
    assert not get_user_model().objects.filter(username="320999").exists()
    # The trainee's slip still makes the trainee's account.
    assert sign_in(client, "320999", "slip-pw-1").status_code == 302
    assert get_user_model().objects.get(username="320999").trainee.police_id == "320999"


def test_ldap_staff_keep_the_two_factor_rules(client, configure, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True

    assert sign_in(client, "chenjw").status_code == 302

    assert client.get("/trainees/programs/")["Location"] == "/accounts/two-factor/"


def test_ldap_server_down_superuser_in_others_told(client, configure, caplog):
    factories.user(username="admin", is_superuser=True, is_staff=True)
    configure(LDAP_URL=f"ldap://127.0.0.1:{free_port()}")  # nothing listens there

    with caplog.at_level(logging.ERROR, logger="trainees.directory"):
        staff = sign_in(client, "chenjw")

    assert form_errors(staff) == ["directory_unavailable"]
    assert "the directory is unavailable: ldap://127.0.0.1" in caplog.text
    assert sign_in(client, "admin", factories.PASSWORD).status_code == 302


def test_ldap_server_that_never_answers_counts_as_down(client, configure):
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        configure(LDAP_URL=f"ldap://127.0.0.1:{silent.getsockname()[1]}", LDAP_TIMEOUT="1")

        answer = sign_in(client, "chenjw")

    assert form_errors(answer) == ["directory_unavailable"]


def test_ldap_second_server_answers_when_the_first_is_down(client, configure, slapd):
    configure(LDAP_URL=f"ldap://127.0.0.1:{free_port()},{slapd}")

    assert sign_in(client, "chenjw").status_code == 302


def test_ldap_wrong_service_password_is_the_directory_unavailable(client, configure, caplog):
    configure(LDAP_BIND_PASSWORD="expired-service-pw")

    with caplog.at_level(logging.ERROR, logger="trainees.directory"):
        answer = sign_in(client, "chenjw")

    assert form_errors(answer) == ["directory_unavailable"]
    assert "LDAP_BIND_DN" in caplog.text
