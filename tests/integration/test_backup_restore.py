"""The backup of docs/backup.md, restored for real: `pg_dump -Fc` of a database holding the
demo program and an uploaded material, an archive of MEDIA_ROOT, then `pg_restore` into a new
empty database, the media folder unpacked elsewhere, and the app run on them in other
processes (manage.py, gunicorn) as a restored server would run."""

import contextlib
import http.cookiejar
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import global_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from psycopg import sql

from config.celery import app as celery_app
from demo import data
from sessions.models import Material
from tests.files import PDF
from tests.integration.celery_worker import database_url
from trainees.models import Enrollment, Program, Trainee, Unit

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
MATERIAL = PDF + "派出所执法规范化 — 恢复测试".encode() + b"\n%%EOF\n"

# Every table of the project, counted by the process that runs this test and by the restored
# app alike; a write through the restored app must find its sequence past the restored rows.
COUNT_ROWS = """
import json
from django.apps import apps
from trainees.models import Unit
counts = {
    model._meta.label: model._default_manager.count()
    for model in apps.get_models(include_auto_created=True)
    if model._meta.managed and not model._meta.proxy
}
unit = Unit.objects.create(name="恢复后新建的派出所", kind=Unit.Kind.STATION)
print(json.dumps({"counts": counts, "new_unit": unit.pk}))
"""


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def tool(name, package):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: apt-get install {package}", pytrace=False)
    return path


def conninfo(dbname):
    """libpq's key=value string for `dbname` on the test database's server and role."""
    settings = connection.settings_dict
    parts = {
        "host": settings["HOST"],
        "port": settings["PORT"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
    }
    return psycopg.conninfo.make_conninfo(
        dbname=dbname, **{key: str(value) for key, value in parts.items() if value}
    )


def run(command, env, timeout=120):
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}{result.stderr}"
    return result.stdout


@contextlib.contextmanager
def eager_tasks():
    """The seed's essays are compared at once, as in the demo, instead of waiting in Redis
    for a worker this test does not start."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def restored_name():
    """The name of the database to restore into; dropped afterwards, whatever happened."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"[:63]
    yield name
    with psycopg.connect(conninfo(connection.settings_dict["NAME"]), autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, log):
    """gunicorn on a free loopback port, once /healthz answers; yields the base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--access-logfile", "-"]
    with open(log, "w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, Path(log).read_text()
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                        assert answer.read() == b"ok"
                        break
                except OSError:
                    assert time.monotonic() < deadline, Path(log).read_text()
                    time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser(follow=True):
    handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())]
    if not follow:
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def sign_in(base, username):
    """A browser signed in through the login page; returns it and the page it lands on."""
    opener = browser()
    with opener.open(f"{base}/accounts/login/") as page:
        assert page.status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    form = {
        "csrfmiddlewaretoken": token[1],
        "username": username,
        "password": data.DEMO_PASSWORD,
    }
    landed = opener.open(f"{base}/accounts/login/", urllib.parse.urlencode(form).encode())
    with landed:
        return opener, landed.status, urllib.parse.urlsplit(landed.url).path, landed.read()


def test_a_dump_and_the_media_archive_restore_into_an_app_that_serves_them(
    media, restored_name, tmp_path, client
):
    pg_dump, pg_restore = (
        tool("pg_dump", "postgresql-client"),
        tool("pg_restore", "postgresql-client"),
    )
    tar = tool("tar", "tar")

    # The live server: the demo program, and a material uploaded through its page.
    with eager_tasks():
        call_command("seed_demo", stdout=io.StringIO())
    program = Program.objects.get(code="CZ2023")
    client.force_login(program.organizers.get(username=data.ORGANIZER["username"]))
    client.post(
        f"/timetable/programs/{program.code}/materials/",
        {"title": "执法规范化讲义", "file": SimpleUploadedFile("讲义.pdf", MATERIAL)},
    )
    material = Material.objects.get(program=program)
    assert (media / material.file.name).read_bytes() == MATERIAL
    trainee = Trainee.objects.get(police_id=data.DEMO_TRAINEES[0])
    # The suite hashes with MD5 (tests/conftest.py); the restored app runs production's
    # hashers, so the two accounts that sign in there get a password hashed as it would.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        for account in (program.organizers.get(username=data.ORGANIZER["username"]), trainee.user):
            account.set_password(data.DEMO_PASSWORD)
            account.save(update_fields=["password"])
    trainees = program.enrollments.filter(status=Enrollment.Status.ACTIVE).count()
    counts = row_counts()
    last_unit = Unit.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert trainees == 94 and counts["discussions.Essay"] > 0 and counts["exams.Answer"] > 0

    # The backup, as docs/backup.md takes it.
    dump, archive = tmp_path / "jingxun.dump", tmp_path / "media.tar.gz"
    source = conninfo(connection.settings_dict["NAME"])
    run([pg_dump, "-Fc", "--file", dump, "--dbname", source], os.environ)
    run([tar, "-C", media, "-czf", archive, "."], os.environ)
    shutil.rmtree(media)  # the old server's disk is gone

    # The restore: an empty database, pg_restore, the media folder unpacked somewhere else.
    with psycopg.connect(source, autocommit=True) as db:
        db.execute(
            sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(restored_name)
            )
        )
    run(
        [pg_restore, "--no-owner", "--exit-on-error", "--dbname", conninfo(restored_name), dump],
        os.environ,
    )
    restored_media = tmp_path / "restored" / "media"
    restored_media.mkdir(parents=True)
    run([tar, "-C", restored_media, "-xzf", archive], os.environ)

    # The app on them, in other processes, in production mode.
    env = {
        key: value
        for key, value in os.environ.items()
        # No broker: nothing is left queued in Redis. No nginx: the app sends files itself.
        if key not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PROTECTED_MEDIA_URL"}
    }
    env |= {
        "DATABASE_URL": database_url({**connection.settings_dict, "NAME": restored_name}),
        "MEDIA_ROOT": str(restored_media),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    assert "No migrations to apply." in run([*manage, "migrate", "--noinput"], env)
    production = {
        key: value
        for key, value in env.items()
        if key not in {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"}
    }
    run([*manage, "check", "--deploy", "--database", "default"], production)
    restored = json.loads(run([*manage, "shell", "-c", COUNT_ROWS], env).strip().splitlines()[-1])
    assert restored["counts"] == counts
    assert restored["new_unit"] > last_unit
    run([*manage, "collectstatic", "--noinput", "-v0"], env)

    material_url = f"/timetable/programs/{program.code}/materials/{material.pk}/"
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        _, status, page, body = sign_in(base, data.ORGANIZER["username"])
        assert (status, page) == (200, "/trainees/programs/")
        listed = re.search(
            rf"<code>{program.code}</code>.*?<td class=\"text-end\">(\d+)</td>", body.decode(), re.S
        )
        assert listed and int(listed[1]) == trainees

        chief, status, page, body = sign_in(base, trainee.police_id)
        assert (status, page) == (200, "/timetable/my-day/")
        assert trainee.name in body.decode()
        with chief.open(f"{base}{material_url}") as download:
            assert download.status == 200
            assert "attachment" in download.headers["Content-Disposition"]
            assert download.read() == MATERIAL

        with pytest.raises(urllib.error.HTTPError) as anonymous:
            browser(follow=False).open(f"{base}{material_url}")
        assert anonymous.value.code == 302
        assert anonymous.value.headers["Location"].startswith("/accounts/login/")
