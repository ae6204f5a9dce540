from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions import materials
from sessions.models import Material
from tests import factories
from tests.files import PDF, office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, program, name, content, title="课件"):
    return client.post(
        f"/timetable/programs/{program.code}/materials/",
        {"title": title, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("督察.pdf", PDF),
        ("主防.pptx", office("ppt/")),
        ("讲义.docx", office("word/")),
        ("名单.xlsx", office("xl/")),
        ("旧讲义.doc", materials.OLE2 + b"\0" * 64),
    ],
)
def test_organizer_attaches_office_and_pdf_files(client, organizer, program, name, content):
    client.force_login(organizer)

    response = upload(client, program, name, content)

    assert response.status_code == 200
    assert Material.objects.get().file.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ\x90\0", "只能上传 PDF、Word、PowerPoint 和 Excel 文件。"),
        ("假的.pdf", b"MZ\x90\0", "假的.pdf 的内容不是 .pdf 文件。"),
        ("假的.docx", office("xl/"), "假的.docx 的内容不是 .docx 文件。"),
        ("假的.pptx", b"PK\x03\x04garbage", "假的.pptx 的内容不是 .pptx 文件。"),
    ],
)
def test_material_is_checked_by_extension_and_content(
    client, organizer, program, name, content, message
):
    client.force_login(organizer)

    response = upload(client, program, name, content)

    assert message in response.content.decode()
    assert Material.objects.count() == 0


def test_material_over_the_size_limit_is_refused(client, organizer, program, monkeypatch):
    monkeypatch.setattr(materials, "MAX_BYTES", 10)
    client.force_login(organizer)

    response = upload(client, program, "督察.pdf", PDF)

    assert "文件超过 50 MB。" in response.content.decode()
    assert Material.objects.count() == 0


def test_material_downloads_for_the_programs_trainees_only(client, organizer, program):
    client.force_login(organizer)
    upload(client, program, "督察.pdf", PDF, title="从督察角度审视派出所工作")
    material = Material.objects.get()
    url = f"/timetable/programs/CZ2023/materials/{material.pk}/"
    mine = factories.trainee()
    factories.enrollment(program, mine)
    stranger = factories.trainee()
    factories.enrollment(factories.program(code="OTHER"), stranger)
    foreign_organizer = factories.user("organizer")

    answers = {}
    for who, user in [
        ("trainee", mine.user),
        ("stranger", stranger.user),
        ("other organizer", foreign_organizer),
        ("leadership", factories.user("leadership")),
    ]:
        client.force_login(user)
        answers[who] = client.get(url).status_code
    client.logout()
    answers["anonymous"] = client.get(url).status_code

    assert answers == {
        "trainee": 200,
        "stranger": 404,
        "other organizer": 404,
        "leadership": 200,
        "anonymous": 302,
    }
    client.force_login(mine.user)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_trainee_cannot_attach_or_remove(client, organizer, program):
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    client.force_login(trainee.user)

    assert upload(client, program, "x.pdf", PDF).status_code == 404
    assert Material.objects.count() == 0


def test_behind_nginx_a_download_is_handed_over_with_x_accel_redirect(
    client, organizer, program, settings
):
    """With PROTECTED_MEDIA_URL the view still decides who may download; nginx sends the
    bytes from its internal location (docs/deploy.md)."""
    settings.PROTECTED_MEDIA_URL = "/protected/"
    client.force_login(organizer)
    upload(client, program, "督察.pdf", PDF, title="从督察角度审视派出所工作")
    material = Material.objects.get()
    url = f"/timetable/programs/CZ2023/materials/{material.pk}/"

    response = client.get(url)

    assert unquote(response["X-Accel-Redirect"]) == f"/protected/{material.file.name}"
    assert response.content == b""
    assert "attachment" in response["Content-Disposition"]
    client.force_login(factories.user("organizer"))
    assert client.get(url).status_code == 404  # no header for whoever may not read it
