"""Import a generated 10,000-row roster and print rows per second, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_roster.py [--rows 10000] [--format csv|xlsx]

For each database it prints the import's rows per second (reading, checking and writing:
trainees, units and enrollments), a second import of the same file (all unchanged), and
the ratio to a plain `Trainee.objects.bulk_create` of the same rows in the same run.
PostgreSQL is measured when BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432)
answers; the script makes and drops its own database there.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_one(rows, fmt):
    """In a child process whose DATABASE_URL is set: migrate, then measure."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tests import rosters
    from trainees.models import Program, Trainee, Unit
    from trainees.roster import read_roster
    from trainees.services.roster import roster_import

    call_command("migrate", verbosity=0)
    data = rosters.rows(rows)
    content = rosters.xlsx(data) if fmt == "xlsx" else rosters.csv_bytes(data)
    name = f"roster.{fmt}"
    program = Program.objects.create(
        code="BENCH", title="bench", start_date="2026-01-01", end_date="2026-01-05"
    )

    # The baseline: the same rows, already parsed, their units already there, bulk-inserted.
    parsed = read_roster(name, content).rows
    units = {}
    for unit_name, _parent in rosters.STATIONS:
        units[unit_name] = Unit.objects.create(name=unit_name)
    started = time.perf_counter()
    with transaction.atomic():
        Trainee.objects.bulk_create(
            [
                Trainee(
                    police_id=row.values["police_id"],
                    name=row.values["name"],
                    unit=units[row.values["unit"]],
                    position=row.values["position"],
                    phone=row.values["phone"],
                )
                for row in parsed
            ],
            batch_size=1000,
        )
        baseline = time.perf_counter() - started
        transaction.set_rollback(True)
    Unit.objects.all().delete()

    started = time.perf_counter()
    plan = roster_import(program=program, name=name, content=content)
    first = time.perf_counter() - started
    assert not plan.errors, plan.errors[:3]
    assert plan.count("create") == rows, plan.summary
    started = time.perf_counter()
    again = roster_import(program=program, name=name, content=content)
    second = time.perf_counter() - started
    assert again.count("unchanged") == rows, again.summary

    print(
        f"{connection.vendor:10} {fmt:4} {rows} rows: import {rows / first:8.0f} rows/s "
        f"({first:.2f} s), again {rows / second:8.0f} rows/s, plain bulk_create "
        f"{rows / baseline:8.0f} rows/s; ratio import/bulk_create {baseline / first:.2f}"
    )


def postgres_database(base_url):
    """A fresh database on the PostgreSQL server at base_url, or None if it does not answer."""
    import psycopg

    try:
        with psycopg.connect(f"{base_url}/postgres", autocommit=True, connect_timeout=3) as db:
            db.execute("DROP DATABASE IF EXISTS jingxun_bench_import")
            db.execute("CREATE DATABASE jingxun_bench_import")
    except psycopg.OperationalError as error:
        print(f"postgresql: skipped, {base_url} does not answer ({error})")
        return None
    return f"{base_url}/jingxun_bench_import"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.rows, args.format)
        return

    workdir = tempfile.mkdtemp(prefix="jingxun-bench-")
    targets = [f"sqlite:///{workdir}/bench.sqlite3"]
    postgres = postgres_database(
        os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    )
    if postgres:
        targets.append(postgres)
    for url in targets:
        child = [sys.executable, __file__, "--child", "--rows", str(args.rows)]
        subprocess.run(
            [*child, "--format", args.format],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )


if __name__ == "__main__":
    main()
