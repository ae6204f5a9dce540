"""Settings are read from the environment: each case starts a fresh Python process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INHERITED_SETTINGS = {
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "CACHE_URL",
    "VAR_DIR",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "k7Qz-production-like-key-with-enough-entropy-9fXw2LmP4vRt8sYb1nHc6dJe",
    "ALLOWED_HOSTS": "jingxun.gaj.example",
}


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_without_secret_key_and_debug_off_refuse_to_start():
    result = run(["manage.py", "check"], DJANGO_DEBUG="false")

    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "DJANGO_DEBUG=true" in result.stderr


def test_settings_debug_without_secret_key_uses_a_development_key():
    result = run(["manage.py", "check"], DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_settings_production_pass_check_deploy_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "no issues" in result.stdout


def test_settings_read_database_broker_and_mail_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from config.celery import app; "
        "db = s.DATABASES['default']; "
        "print(db['ENGINE'], db['OPTIONS']['pool']['max_size'], app.conf.broker_url,"
        " app.conf.task_always_eager, s.EMAIL_BACKEND, s.EMAIL_HOST)"
    )

    result = run(
        ["-c", script],
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://jx:pw@db.example:5432/jingxun",
        DATABASE_POOL_MAX="20",
        CELERY_BROKER_URL="redis://redis.example:6379/0",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.gaj.example:587",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "20",
        "redis://redis.example:6379/0",
        "False",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.gaj.example",
    ]


def test_settings_cache_url_puts_cache_and_sessions_in_redis():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE)"
    )

    result = run(
        ["-c", script],
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        CACHE_URL="redis://redis.example:6379/1",
    )
    wrong = run(
        ["-c", script],
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        CACHE_URL="memcached://cache.example",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "config.cache.RedisCache",
        "redis://redis.example:6379/1",
        "trainees.sessions",  # Django's cached_db, the account read along
    ]
    assert "CACHE_URL must be a redis:// address." in wrong.stderr


def test_settings_defaults_serve_the_demo_without_servers():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from config.celery import app; "
        "print(s.DATABASES['default']['ENGINE'], app.conf.task_always_eager, s.EMAIL_BACKEND,"
        " s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )

    result = run(["-c", script], DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
        "zh-hans",
        "Asia/Shanghai",
        "True",
    ]


def test_gunicorn_without_secret_key_or_debug_refuses_to_start():
    result = run(["-c", "import config.wsgi"])

    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def test_manage_py_in_a_checkout_assumes_development():
    result = run(["manage.py", "check"])

    assert result.returncode == 0, result.stderr


def test_a_fresh_checkout_migrates_into_a_var_folder_it_creates(tmp_path):
    var = tmp_path / "var"  # as in a fresh clone: not there yet

    result = run(
        ["manage.py", "migrate", "--noinput", "-v0"], DJANGO_DEBUG="true", VAR_DIR=str(var)
    )

    assert result.returncode == 0, result.stderr
    assert (var / "jingxun.sqlite3").exists()


def test_settings_production_hash_passwords_with_a_strong_hasher():
    """The suite hashes with MD5 for speed (tests/conftest.py); production must not."""
    script = (
        "import django; django.setup(); "
        "from django.contrib.auth.hashers import get_hasher; print(get_hasher().algorithm)"
    )

    result = run(["-c", script], **PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pbkdf2_sha256"


def test_settings_read_a_dot_env_file_and_the_environment_wins(tmp_path):
    dot_env = tmp_path / ".env"
    dot_env.write_text(
        f"SECRET_KEY={PRODUCTION['SECRET_KEY']}\nALLOWED_HOSTS=jingxun.gaj.example\n"
        "DJANGO_DEBUG=false\nEMAIL_TIMEOUT=45\n",
        encoding="utf-8",
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(s.SECRET_KEY == {PRODUCTION['SECRET_KEY']!r}, s.DEBUG, s.ALLOWED_HOSTS, "
        "s.EMAIL_TIMEOUT)"
    )

    checked = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], ENV_FILE=str(dot_env)
    )
    read = run(["-c", script], DJANGO_SETTINGS_MODULE="config.settings", ENV_FILE=str(dot_env))
    overridden = run(
        ["-c", script],
        DJANGO_SETTINGS_MODULE="config.settings",
        ENV_FILE=str(dot_env),
        EMAIL_TIMEOUT="300",
    )

    # manage.py with no DJANGO_DEBUG: the file's DJANGO_DEBUG=false and SECRET_KEY hold.
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout
    assert read.stdout.split() == ["True", "False", "['jingxun.gaj.example']", "45"]
    assert overridden.stdout.split()[-1] == "300"


def test_settings_without_dot_env_refuse_to_start_without_secret_key(tmp_path):
    """The control of the test above: the same command, the file without its SECRET_KEY."""
    dot_env = tmp_path / ".env"
    dot_env.write_text("DJANGO_DEBUG=false\n", encoding="utf-8")

    result = run(["manage.py", "check"], ENV_FILE=str(dot_env))

    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_sentry_only_with_a_dsn_and_without_personal_data():
    """A Sentry-compatible server gets the error, and no user, cookie or address with it."""
    import gzip
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Sentry(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append((self.path, body.decode()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Sentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = (
        "import django, sentry_sdk; django.setup(); from django.test import Client; "
        "client = sentry_sdk.get_client(); "
        "print(client.is_active(), client.options.get('send_default_pii')); "
        "sentry_sdk.capture_exception(ZeroDivisionError('division by zero')); "
        "sentry_sdk.flush(5)"
    )
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/7"
    try:
        reporting = run(
            ["-c", script], **PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", SENTRY_DSN=dsn
        )
        silent = run(["-c", script], **PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings")
    finally:
        server.shutdown()

    assert reporting.returncode == 0, reporting.stderr
    assert reporting.stdout.split() == ["True", "False"]
    assert silent.returncode == 0, silent.stderr
    assert silent.stdout.split()[0] == "False"  # no DSN: not initialised
    assert len(received) == 1
    path, envelope = received[0]
    assert path == "/api/7/envelope/"
    assert "ZeroDivisionError" in envelope
