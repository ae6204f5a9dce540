"""The house: admin, migrations, static files, translations, Celery configuration."""

import gettext
import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10: its backport, locked for it
    import tomli as tomllib
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command

from config.celery import app as celery_app
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ["trainees", "timetable", "discussions", "exams"]
# The audit trail's Historical… models are read through each record's history in the admin.
PROJECT_MODELS = [
    m
    for label in PROJECT_APPS
    for m in apps.get_app_config(label).get_models()
    if not m._meta.model_name.startswith("historical")
]


def test_timetable_app_lives_in_the_sessions_folder():
    config = apps.get_app_config("timetable")

    assert config.name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_admin_lists_every_model_with_search_and_filters(model):
    model_admin = admin.site._registry[model]

    assert model_admin.search_fields
    assert model_admin.list_filter or model._meta.model_name in {"venue", "speaker"}


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_and_add_page_open(client, model):
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    opts = model._meta
    changelist = f"/admin/{opts.app_label}/{opts.model_name}/"

    assert client.get(changelist, {"q": "派出所"}).status_code == 200
    assert client.get(f"{changelist}add/").status_code == 200


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


def test_collectstatic_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", "--noinput", verbosity=0)

    manifest = (tmp_path / "staticfiles.json").read_text()
    for vendored in [
        "bootstrap.min.css",
        "bootstrap.bundle.min.js",
        "htmx.min.js",
        "echarts.min.js",
    ]:
        assert vendored.split(".")[0] in manifest


def test_vendored_libraries_carry_their_licence():
    vendor = ROOT / "static" / "vendor"

    for library in ["bootstrap", "htmx", "echarts"]:
        assert (vendor / library / "LICENSE").stat().st_size > 0


def test_templates_load_nothing_from_another_host():
    offenders = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in re.findall(r'(?:src|href)=["\'](?:https?:)?//[^"\']+', path.read_text())
    ]

    assert offenders == []


def test_templates_have_no_inline_script_or_style():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=", path.read_text())
    ]

    assert offenders == []


def test_compiled_translations_match_the_po_file():
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = re.findall(
        r'^(?:msgctxt "(.+)"\n)?msgid "(.+)"\nmsgstr "(.+)"$', po, flags=re.MULTILINE
    )
    with (ROOT / "locale/zh_Hans/LC_MESSAGES/django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)

    def unquoted(text):  # the .po's escapes: \" and \\
        return text.replace('\\"', '"').replace("\\\\", "\\")

    def compiled(context, msgid):
        msgid = unquoted(msgid)
        return catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)

    assert len(entries) > 100
    stale = [
        msgid for context, msgid, msgstr in entries if compiled(context, msgid) != unquoted(msgstr)
    ]
    assert stale == [], "run `make messages` to recompile locale/"


def test_celery_app_acknowledges_late_and_serializes_json():
    conf = celery_app.conf
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery

    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert "trainees.tasks.clear_expired_login_sessions" in celery_app.tasks


def test_the_po_file_has_no_fuzzy_and_no_empty_entry():
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    blocks = po.split("\n\n")[1:]  # the first is the header

    fuzzy = [block for block in blocks if "#, fuzzy" in block]
    empty = [b for b in blocks if re.search(r'^msgstr(\[\d+\])? ""$(?!\n")', b, re.MULTILINE)]

    assert fuzzy == [], fuzzy[:3]
    assert empty == [], empty[:3]


@pytest.mark.django_db
def test_the_week_view_names_a_saturday_in_chinese(client):
    """ "Sat" is also the heading of an exam's column (参考人数): that one has a context."""
    organizer = factories.user("organizer")
    factories.program(organizers=[organizer], code="SAT", start_date=date(2026, 12, 3))
    client.force_login(organizer)

    page = client.get("/timetable/programs/SAT/week/").content.decode()

    assert "12-05 星期六" in page
    assert "参考人数" not in page


@pytest.mark.django_db
def test_favicon_is_served(client):
    icon = client.get("/favicon.ico")

    assert icon.status_code == 301 and icon["Location"].endswith("img/favicon.ico")
    assert (ROOT / "static/img/favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


def _locked():
    """{name: (version, marker, hashes)} of requirements.lock."""
    locked, name = {}, None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            name = match[1].lower().replace("_", "-")
            locked[name] = (match[2], match[3], [])
        elif name and line.strip().startswith("--hash=sha256:"):
            locked[name][2].append(line.strip())
    return locked


def test_the_lock_holds_every_pin_of_pyproject_with_hashes():
    """requirements.lock is what `make install` installs: every pin of pyproject.toml (the
    source) at its version, one version per package for Python 3.10 and 3.11, each with hashes.
    A failure here means: run `make lock` after changing pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
        *project["tool"]["uv"]["constraint-dependencies"],
    ]
    locked = _locked()
    assert len(locked) > 40
    for pin in pins:
        name, version = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)$", pin).groups()
        name = name.lower().replace("_", "-")
        assert name in locked, f"{name} is not in requirements.lock: run make lock"
        assert locked[name][0] == version, f"{name}: {version} in pyproject, not in the lock"
    for name, (version, marker, hashes) in locked.items():
        assert hashes, f"{name}=={version} has no hash"
        assert (
            not marker
            or "python" not in marker
            or name
            in {
                "async-timeout",
                "exceptiongroup",
                "tomli",  # backports that 3.11 has built in
            }
        ), f"{name} is locked for some Python versions only: {marker}"
