"""Time the start page of each role on the demo data and print requests per second.

    .venv/bin/python bench/pages.py [--requests 200]

Uses a throw-away SQLite database unless DATABASE_URL is set (it must then be an empty
database of its own: the script migrates it and loads the demo).
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
workdir = tempfile.mkdtemp(prefix="jingxun-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")

import django  # noqa: E402

warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise, no collectstatic

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

PAGES = [
    ("organizer", "/trainees/programs/"),
    ("organizer", "/trainees/programs/CZ2023/roster/"),
    ("organizer", "/timetable/programs/CZ2023/week/"),
    ("leader", "/reports/dashboard/"),
    ("320401", "/timetable/my-day/"),
    ("320401", "/timetable/programs/CZ2023/mine/"),
]  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"database: {connection.vendor}, {args.requests} requests per page")
    for username, url in PAGES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        client.get(url)  # warm up
        started = time.perf_counter()
        for _ in range(args.requests):
            assert client.get(url).status_code == 200
        elapsed = time.perf_counter() - started
        print(
            f"{url:36} {args.requests / elapsed:8.1f} req/s  "
            f"{1000 * elapsed / args.requests:6.2f} ms/req"
        )


if __name__ == "__main__":
    main()
