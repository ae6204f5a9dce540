"""An administrator registers an API client in the admin and is shown its token once; only its
hash is kept. Revoking and issuing a new token are actions of the list."""

import hashlib
import re

from django.contrib.messages import get_messages
from django.test import Client

from api.models import ApiClient
from tests import factories
from tests.api.conftest import TokenClient

TOKEN = re.compile(r"jx_[A-Za-z0-9]+_[A-Za-z0-9_-]{40,}")


def admin_browser():
    browser = Client()
    browser.force_login(factories.user(is_superuser=True, is_staff=True))
    return browser


def shown_tokens(response):
    return [found for m in get_messages(response.wsgi_request) for found in TOKEN.findall(str(m))]


def test_creating_a_client_shows_its_token_once_and_keeps_its_hash(world, units):
    browser = admin_browser()

    response = browser.post(
        "/admin/api/apiclient/add/",
        {"name": "金坛分局人事系统", "unit": units["jintan"].pk, "access": "read"},
    )

    (token,) = shown_tokens(response)
    client = ApiClient.objects.get(name="金坛分局人事系统")
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.split("_")[1] == client.token_prefix
    assert TokenClient(token).get("/api/v1/programs").status_code == 200
    shown = browser.get("/admin/api/apiclient/")  # the message, on the page after the save
    again = browser.get(f"/admin/api/apiclient/{client.pk}/change/")
    assert token in shown.content.decode()
    assert token not in again.content.decode()


def test_revoke_and_new_token_actions(world, units, api_client):
    client, old = api_client(units["jintan"])
    browser = admin_browser()
    changelist = "/admin/api/apiclient/"

    browser.post(changelist, {"action": "revoke", "_selected_action": [client.pk]})
    revoked = TokenClient(old).get("/api/v1/programs").status_code
    response = browser.post(changelist, {"action": "issue_token", "_selected_action": [client.pk]})
    (new,) = shown_tokens(response)

    assert revoked == 401
    assert TokenClient(old).get("/api/v1/programs").status_code == 401
    assert TokenClient(new).get("/api/v1/programs").status_code == 200
