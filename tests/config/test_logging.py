"""Log lines as JSON (LOG_FORMAT=json), and an unhandled error mailed to ADMINS."""

import json
import logging
import sys

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import path

from config.logging import JsonFormatter
from tests.config.test_settings import PRODUCTION, run


def record(message, *args, level=logging.WARNING, exc_info=None, **extra):
    entry = logging.LogRecord("reports.tasks", level, __file__, 1, message, args, exc_info)
    entry.__dict__.update(extra)
    return entry


def test_json_formatter_writes_one_object_a_line():
    line = JsonFormatter().format(record("第%s次\n尝试", 2))

    entry = json.loads(line)
    assert "\n" not in line
    assert "第2次" in line  # readable, not \\u escapes
    assert set(entry) == {"time", "level", "logger", "message"}
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "reports.tasks",
        "第2次\n尝试",
    )
    assert entry["time"].endswith("+08:00")  # Beijing time, with its offset


def test_json_formatter_adds_the_request_and_the_exception():
    request = RequestFactory().post("/reports/programs/CZ2023/report/")
    try:
        raise ValueError("坏的分数")
    except ValueError:
        exc_info = sys.exc_info()

    entry = json.loads(
        JsonFormatter().format(
            record(
                "Internal Server Error: %s",
                request.path,
                level=logging.ERROR,
                exc_info=exc_info,
                request=request,
                status_code=500,
            )
        )
    )

    assert (entry["method"], entry["path"], entry["status"]) == (
        "POST",
        "/reports/programs/CZ2023/report/",
        500,
    )
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: 坏的分数")


def test_settings_log_format_json_makes_every_line_json():
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('trainees.imports').warning('名册导入：%s 行', 3)"
    )

    result = run(
        ["-c", script], **PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", LOG_FORMAT="json"
    )
    wrong = run(
        ["-c", script], **PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", LOG_FORMAT="xml"
    )

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["message"] == "名册导入：3 行"
    assert "LOG_FORMAT must be plain or json." in wrong.stderr


def test_settings_admins_are_read_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.ADMINS)"
    )

    result = run(
        ["-c", script],
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        ADMINS="信息中心 值班 <ops@gaj.example>, it@gaj.example",
    )
    wrong = run(
        ["-c", script],
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        ADMINS="Ops <ops@gaj.example>, 值班室",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('信息中心 值班', 'ops@gaj.example'), ('it@gaj.example', 'it@gaj.example')]"
    )
    assert "ADMINS: '值班室' is not an address" in wrong.stderr


@login_not_required
def broken_view(request):
    raise ZeroDivisionError("division by zero in the score report")


urlpatterns = [path("broken/", broken_view)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, ADMINS=[("Ops", "ops@gaj.example")])
def test_an_unhandled_error_is_mailed_once_to_the_admins(client):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@gaj.example"]
    assert "Internal Server Error: /broken/" in mail.outbox[0].subject
    assert "division by zero in the score report" in mail.outbox[0].body
