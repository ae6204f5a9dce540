"""Who reads what through the API: the client's units, and 404 for anything else; the token
(401 for none, an unknown or a revoked one, alike); the rate limit; the record of each call."""

import pytest
from django.test import Client

from api.models import ApiCall, ApiClient
from api.services import client_revoke, client_token_issue
from tests import factories
from tests.api.conftest import TokenClient
from trainees.models import Unit


def items(response):
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_branch_client_reads_its_trainees_scores(world, api_client, units):
    _client, token = api_client(units["jintan"])

    response = TokenClient(token).get("/api/v1/programs/CZ2023/scores")

    assert items(response) == [
        {
            "police_id": "320401",
            "name": "龚定俊",
            "unit": "儒林派出所",
            "group": 1,
            "entry": 60.0,
            "graduation": 85.0,
            "gain": 25.0,
        },
        {
            "police_id": "320402",
            "name": "王建国",
            "unit": "儒林派出所",
            "group": 1,
            "entry": 70.0,
            "graduation": 72.0,
            "gain": 2.0,
        },
    ]


def test_trainee_of_another_branch_is_404_like_none(world, api_client, units):
    _client, token = api_client(units["jintan"])
    client = TokenClient(token)

    foreign = client.get("/api/v1/trainees/320499")
    missing = client.get("/api/v1/trainees/999999")
    own = client.get("/api/v1/trainees/320401")

    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert foreign.status_code == 404
    assert [row["code"] for row in own.json()["programs"]] == ["CZ2023"]
    assert own.json()["programs"][0]["gain"] == 25.0


def test_program_outside_the_client_units_is_404_like_none(world, api_client, units):
    _client, token = api_client(units["jintan"])
    client = TokenClient(token)

    listed = [row["code"] for row in items(client.get("/api/v1/programs"))]
    foreign = client.get("/api/v1/programs/WJ2023/roster")
    missing = client.get("/api/v1/programs/NOPE/roster")

    assert listed == ["CZ2023"]
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert foreign.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["roster", "attendance", "scores", "essays", "completion"],
)
def test_program_lists_count_the_client_units_only(world, api_client, units, path):
    _client, token = api_client(units["jintan"])

    rows = items(TokenClient(token).get(f"/api/v1/programs/CZ2023/{path}"))

    assert [row["police_id"] for row in rows] == ["320401", "320402"]


def test_root_client_reads_everything(world, api_client, units):
    _client, token = api_client(units["city"])
    client = TokenClient(token)

    programs = [row["code"] for row in items(client.get("/api/v1/programs"))]
    roster = items(client.get("/api/v1/programs/CZ2023/roster"))
    record = client.get("/api/v1/trainees/320499").json()

    assert programs == ["WJ2023", "CZ2023"]
    assert [row["police_id"] for row in roster] == ["320401", "320402", "320499"]
    assert [row["code"] for row in record["programs"]] == ["CZ2023", "WJ2023"]


def test_a_city_client_under_a_province_reads_its_city_only(world, api_client, units):
    """Under a province, the city bureau is no longer the top: its client sees its city, the
    province's client everything (trainees.permissions.is_top, as for leaders)."""
    province = factories.unit("江苏省公安厅", kind=Unit.Kind.PROVINCE)
    Unit.objects.filter(pk=units["city"].pk).update(parent=province)
    wuxi = factories.unit("无锡市公安局", parent=province, kind=Unit.Kind.BUREAU)
    factories.trainee("320888", name="无锡所长", unit=factories.unit("梁溪分局", parent=wuxi))
    city = TokenClient(api_client(Unit.objects.get(pk=units["city"].pk))[1])
    whole = TokenClient(api_client(province)[1])

    assert city.get("/api/v1/trainees/320888").status_code == 404
    assert city.get("/api/v1/trainees/320499").status_code == 200
    assert whole.get("/api/v1/trainees/320888").status_code == 200
    assert [row["code"] for row in items(whole.get("/api/v1/programs"))] == ["WJ2023", "CZ2023"]
    # A unit left at the root (an old import without a bureau) is no top under a province.
    stray = factories.unit("溧阳市公安局", kind=Unit.Kind.BUREAU)
    factories.trainee("320777", name="溧阳所长", unit=stray)
    loose = TokenClient(api_client(stray)[1])
    assert loose.get("/api/v1/trainees/320777").status_code == 200
    assert loose.get("/api/v1/trainees/320499").status_code == 404


def test_groups_count_the_client_units_only(world, api_client, units):
    _client, token = api_client(units["jintan"])

    groups = items(TokenClient(token).get("/api/v1/programs/CZ2023/groups"))

    assert [(group["number"], group["trainees"]) for group in groups] == [(1, 2)]


def test_roster_masks_phones_and_essays_show_no_text(world, api_client, units):
    _client, token = api_client(units["jintan"])
    client = TokenClient(token)

    roster = items(client.get("/api/v1/programs/CZ2023/roster"))
    essays = items(client.get("/api/v1/programs/CZ2023/essays"))

    assert roster[0]["phone"] == "139****5678"
    assert set(essays[0]) == {
        "police_id",
        "name",
        "status",
        "grade",
        "excellent",
        "submitted_at",
        "reviewed_at",
    }


def test_pagination_pages_with_the_count(world, api_client, units):
    _client, token = api_client(units["city"])
    client = TokenClient(token)

    first = client.get("/api/v1/programs/CZ2023/roster?limit=2").json()
    second = client.get("/api/v1/programs/CZ2023/roster?limit=2&offset=2").json()
    too_big = client.get("/api/v1/programs/CZ2023/roster?limit=201")

    assert (first["count"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [row["police_id"] for row in first["items"]] == ["320401", "320402"]
    assert [row["police_id"] for row in second["items"]] == ["320499"]
    assert too_big.status_code == 422


def test_revoked_unknown_and_missing_tokens_are_401_alike(world, api_client, units):
    client, token = api_client(units["city"])
    before = TokenClient(token).get("/api/v1/programs")
    client_revoke(client=client)

    revoked = TokenClient(token).get("/api/v1/programs")
    unknown = TokenClient(token[:-4] + "abcd").get("/api/v1/programs")
    malformed = TokenClient("not-a-token").get("/api/v1/programs")
    missing = Client().get("/api/v1/programs")

    assert before.status_code == 200
    answers = {(r.status_code, r.content) for r in (revoked, unknown, malformed, missing)}
    assert len(answers) == 1
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"] == 'Bearer realm="api"'


def test_new_token_replaces_the_old_one(world, api_client, units):
    client, old = api_client(units["city"])

    new = client_token_issue(client=client)

    assert TokenClient(old).get("/api/v1/programs").status_code == 401
    assert TokenClient(new).get("/api/v1/programs").status_code == 200
    stored = ApiClient.objects.get(pk=client.pk)
    assert new not in (stored.token_hash, stored.token_prefix)
    assert len(stored.token_hash) == 64


def test_signed_in_user_without_token_is_401(world, organizer):
    browser = Client()
    browser.force_login(organizer)

    response = browser.get("/api/v1/programs/CZ2023")

    assert response.status_code == 401


def test_rate_limit_answers_429_with_retry_after(world, api_client, units, settings):
    settings.API_RATE_LIMIT = 2
    _client, token = api_client(units["city"])
    _other, other_token = api_client(units["jintan"])
    caller = TokenClient(token)

    answers = [caller.get("/api/v1/programs").status_code for _ in range(3)]
    refused = caller.get("/api/v1/programs")

    assert answers == [200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert TokenClient(other_token).get("/api/v1/programs").status_code == 200  # per client


def test_every_call_is_recorded(world, api_client, units):
    client, token = api_client(units["jintan"])

    TokenClient(token).get("/api/v1/programs/CZ2023/scores")
    TokenClient(token).get("/api/v1/trainees/320499")
    Client().get("/api/v1/programs")

    calls = list(ApiCall.objects.order_by("pk").values_list("client", "method", "path", "status"))
    assert calls == [
        (client.pk, "GET", "/api/v1/programs/CZ2023/scores", 200),
        (client.pk, "GET", "/api/v1/trainees/320499", 404),
        (None, "GET", "/api/v1/programs", 401),
    ]
    client.refresh_from_db()
    assert client.last_used_at is not None
    assert all(call.duration_ms >= 0 for call in ApiCall.objects.all())


def test_errors_speak_the_asked_language(world, api_client, units):
    response = Client().get("/api/v1/programs", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json() == {"detail": "A valid API token is required."}


def test_schema_and_docs_need_no_token_and_load_nothing_from_another_host(db):
    schema = Client().get("/api/v1/openapi.json")
    docs = Client().get("/api/v1/docs")

    assert schema.status_code == 200
    assert "/api/v1/programs/{code}/scores" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"http://" not in docs.content and b"https://" not in docs.content


def test_a_client_of_a_unit_without_trainees_sees_none(world, api_client, units):
    lone = factories.unit("朱林派出所", parent=units["jintan"])
    _client, token = api_client(lone)

    response = TokenClient(token).get("/api/v1/trainees")

    assert response.json()["count"] == 0
    assert TokenClient(token).get("/api/v1/programs").json()["count"] == 0
