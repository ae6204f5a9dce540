"""A roster import through the API: the page's own checks, all or nothing, the row errors in
the answer; a read-write client only, into a program of a bureau among its units."""

from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import ApiClient
from tests import rosters
from tests.api.conftest import TokenClient
from trainees.models import Enrollment, Group, Trainee, Unit

RW = ApiClient.Access.READ_WRITE


def upload(token, code, content, name="名册.csv", **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return TokenClient(token).post(
        f"/api/v1/programs/{code}/roster" + (f"?{query}" if query else ""),
        {"file": SimpleUploadedFile(name, content)},
    )


def state():
    return (
        Trainee.objects.count(),
        Enrollment.objects.count(),
        Unit.objects.count(),
        Group.objects.count(),
        sorted(Trainee.objects.values_list("police_id", "name", "unit_id", "phone")),
    )


def test_import_creates_and_counts(world, api_client, units, organizer):
    client, token = api_client(units["jintan"], RW)
    data = rosters.rows(3, group_count=2)

    response = upload(token, "CZ2023", rosters.csv_bytes(data))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "new_groups": [2],
        "dry_run": False,
    }
    program = world["program"]
    assert program.enrollments.count() == 6
    assert list(program.organizers.all()) == [organizer]  # the client's account is gone
    client.refresh_from_db()
    created = Trainee.objects.get(police_id=data[0][2])
    assert created.history.get().history_user == client.user
    assert client.user.username == f"api-client-{client.pk}" and not client.user.is_active


def test_import_again_is_unchanged(world, api_client, units):
    _client, token = api_client(units["jintan"], RW)
    content = rosters.xlsx(rosters.rows(3))
    upload(token, "CZ2023", content, name="名册.xlsx")

    again = upload(token, "CZ2023", content, name="名册.xlsx")

    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)


def test_one_bad_row_imports_nothing_and_names_it(world, api_client, units):
    _client, token = api_client(units["jintan"], RW)
    data = rosters.rows(4)
    data[2][2] = "12-34"  # 警号 of the file's row 4 (header on row 1)
    before = state()

    response = upload(token, "CZ2023", rosters.csv_bytes(data))

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {
            "row": 4,
            "field": "警号",
            "message": "“12-34”不是有效的警号（3 到 20 位数字和字母）",
            "hint": "",
        }
    ]
    assert state() == before


def test_dry_run_counts_and_writes_nothing(world, api_client, units):
    _client, token = api_client(units["jintan"], RW)
    before = state()

    response = upload(token, "CZ2023", rosters.csv_bytes(rosters.rows(2)), dry_run="true")

    assert response.json()["created"] == 2 and response.json()["dry_run"] is True
    assert state() == before


def test_read_only_client_is_403(world, api_client, units):
    _client, token = api_client(units["jintan"])
    before = state()

    response = upload(token, "CZ2023", rosters.csv_bytes(rosters.rows(2)))

    assert response.status_code == 403
    assert state() == before


def test_program_of_another_bureau_is_404_like_none(world, api_client, units):
    _client, token = api_client(units["jintan"], RW)
    content = rosters.csv_bytes(rosters.rows(2))
    before = state()

    foreign = upload(token, "WJ2023", content)
    missing = upload(token, "NOPE", content)

    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert foreign.status_code == 404
    assert state() == before


def test_program_the_client_sees_but_another_bureau_organizes_is_404(world, api_client, units):
    """金坛's client reads CZ2023's figures; a program its trainees attend that 武进 organizes is
    not its to write."""
    _client, token = api_client(units["wujin"], RW)

    assert TokenClient(token).get("/api/v1/programs/CZ2023").status_code == 200
    assert upload(token, "CZ2023", rosters.csv_bytes(rosters.rows(1))).status_code == 404


def test_not_a_spreadsheet_is_400(world, api_client, units):
    _client, token = api_client(units["jintan"], RW)

    text = upload(token, "CZ2023", b"hello", name="notes.txt")
    garbage = upload(token, "CZ2023", b"PK\x03\x04garbage", name="名册.xlsx")

    assert text.status_code == 400 and text.json()["errors"][0]["row"] is None
    assert garbage.status_code == 400


def test_a_stored_name_of_another_program_is_not_revealed(world, api_client, units):
    """A police ID of a trainee the program does not hold, with another name: refused without
    the stored name, as on the page for an organizer who does not read him."""
    _client, token = api_client(units["jintan"], RW)
    data = rosters.rows(1)
    data[0][2] = "320499"  # 湖塘所长, in CZ2023 … but let WJ2023's only trainee be asked
    world["enrollments"][2].delete()

    response = upload(token, "CZ2023", rosters.csv_bytes(data))

    assert response.status_code == 400
    assert "湖塘所长" not in response.content.decode()
