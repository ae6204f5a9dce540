"""Time the similarity check of a handed-in essay against 500 and 5,000 stored essays, on SQLite
and PostgreSQL.

    .venv/bin/python bench/essay_similarity.py [--sizes 500,5000] [--runs 5]

The stored essays (~2,000 characters in ten paragraphs, from the generator of reflection essays
in tests/discussions/test_similarity.py) are signed once for both databases, on every core, and
bulk-inserted with their signatures; signing 5,000 takes ~165 s of CPU, most of the run. A new
essay, three of whose ten paragraphs are copied from one stored essay, is then handed to
`similarity.essay_matches_update`. For each database and size it prints the median time per
hand-in, the queries per call and whether the copied essay ranked first; then the ratio of the
largest size to the smallest. PostgreSQL is measured when BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432) answers; the script makes its own database there and drops
it at the end, as it removes its temporary directory (the SQLite file).
"""

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE = "jingxun_bench_essays"
COHORT = 50  # essays per earlier program
TITLES = [
    "学习心得体会",
    "参加所长轮训班的几点体会",
    "培训学习心得",
    "学以致用 做合格的派出所所长",
    "所长培训学习体会",
    "立足岗位谈体会",
]
SOURCE = 137  # the stored essay copied from: among the first 500
NEW = 1_000_000  # seed of the new essay's own paragraphs
COPIED = {2: 3, 5: 6, 8: 7}  # the new essay's paragraph: the source's paragraph put there


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def corpus(count):
    """(title, body) of the stored essays 0 … count - 1, the same on every run."""
    from tests.discussions.test_similarity import essay_paragraphs

    return [
        (TITLES[seed % len(TITLES)], "\n".join(essay_paragraphs(seed))) for seed in range(count)
    ]


def new_essay():
    """(title, body) of the essay handed in: its own paragraphs but three of SOURCE's."""
    from tests.discussions.test_similarity import essay_paragraphs

    paragraphs = essay_paragraphs(NEW)
    source = essay_paragraphs(SOURCE)
    for at, taken in COPIED.items():
        paragraphs[at] = source[taken]
    return TITLES[0], "\n".join(paragraphs)


def sign_all(count, path):
    """Sign the `count` stored essays on every core and write the signatures to `path`."""
    from discussions import similarity
    from discussions.services.essays import essay_length

    essays = corpus(count)
    texts = [similarity.essay_text(title, body) for title, body in essays]
    started = time.perf_counter()
    processes = os.cpu_count() or 1
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        signatures = pool.map(similarity.signature, texts, chunksize=50)
    signing = time.perf_counter() - started
    path.write_text(json.dumps(signatures))
    length = statistics.mean(essay_length(body) for _title, body in essays)
    print(
        f"{count} essays of {length:.0f} characters on average, signed in {signing:.1f} s "
        f"({processes} processes)"
    )


def seed_essays(essays, signatures, start, stop, units, now):
    """Insert the stored essays start … stop - 1, handed in and signed, each by its own trainee
    in an earlier program of COHORT trainees."""
    from discussions.models import Essay
    from discussions.services.essays import essay_length
    from trainees.models import Enrollment, Program, Trainee

    first = date(2015, 3, 2)
    programs = {
        number: Program(
            code=f"B{number:04}",
            title=f"第{number + 1}期派出所所长培训班",
            start_date=first + timedelta(weeks=number),
            end_date=first + timedelta(weeks=number, days=4),
        )
        for number in range(start // COHORT, (stop - 1) // COHORT + 1)
    }
    existing = Program.objects.in_bulk(
        [program.code for program in programs.values()], field_name="code"
    )
    new = [program for program in programs.values() if program.code not in existing]
    Program.objects.bulk_create(new)
    programs = {number: existing.get(program.code, program) for number, program in programs.items()}
    trainees = Trainee.objects.bulk_create(
        [
            Trainee(police_id=f"{400000 + seed}", name=f"学员{seed}", unit=units[seed % len(units)])
            for seed in range(start, stop)
        ],
        batch_size=1000,
    )
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(program=programs[seed // COHORT], trainee=trainee)
            for seed, trainee in zip(range(start, stop), trainees, strict=True)
        ],
        batch_size=1000,
    )
    return Essay.objects.bulk_create(
        [
            Essay(
                enrollment=enrollment,
                title=essays[seed][0],
                body=essays[seed][1],
                chars=essay_length(essays[seed][1]),
                status=Essay.Status.SUBMITTED,
                submitted_at=now,
                signature=signatures[seed],
            )
            for seed, enrollment in zip(range(start, stop), enrollments, strict=True)
        ],
        batch_size=500,
    )


def run_one(sizes, runs, workdir):
    """In a child process whose DATABASE_URL is set: migrate, seed, then measure."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from discussions import similarity
    from discussions.models import Essay
    from discussions.services.essays import essay_length
    from trainees.models import Enrollment, Program, Trainee, Unit

    call_command("migrate", verbosity=0)
    signatures = json.loads((Path(workdir) / "signatures.json").read_text())
    essays = corpus(sizes[-1])
    assert similarity.signature(similarity.essay_text(*essays[0])) == signatures[0]
    now = timezone.now()
    units = Unit.objects.bulk_create(
        [Unit(name=f"测试派出所{n}", kind=Unit.Kind.STATION) for n in range(1, 41)]
    )
    current = Program.objects.create(
        code="BNOW", title="本期派出所所长培训班", start_date="2026-04-06", end_date="2026-04-10"
    )
    title, body = new_essay()
    essay = Essay.objects.create(
        enrollment=Enrollment.objects.create(
            program=current,
            trainee=Trainee.objects.create(police_id="399999", name="新学员", unit=units[0]),
        ),
        title=title,
        body=body,
        chars=essay_length(body),
        status=Essay.Status.SUBMITTED,
        submitted_at=now,
    )

    medians = {}
    stored = []
    for size in sizes:
        stored += seed_essays(essays, signatures, len(stored), size, units, now)
        source = stored[SOURCE]
        similarity.essay_matches_update(essay=essay)  # warm-up: caches, and the first rows
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            similarity.essay_matches_update(essay=essay)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            found = similarity.essay_matches_update(essay=essay)
        medians[size] = statistics.median(times)
        statements = [
            query
            for query in queries.captured_queries
            if query["sql"].split()[0].upper() not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}
        ]
        first = found[0].other_id == source.pk if found else False
        next_best = f", next {found[1].similarity:.3f}" if len(found) > 1 else ""
        print(
            f"{connection.vendor:10} {size:5} essays: {medians[size] * 1000:6.1f} ms per hand-in "
            f"(median of {runs}, {min(times) * 1000:.1f}–{max(times) * 1000:.1f}), "
            f"{len(queries)} queries ({len(statements)} besides BEGIN/COMMIT); "
            f"copied essay ranked first: {'yes' if first else 'NO'} "
            f"(Jaccard {found[0].similarity if found else 0:.3f}{next_best})",
            flush=True,
        )
    largest, smallest = sizes[-1], sizes[0]
    print(
        f"{connection.vendor:10} ratio {largest}/{smallest} essays: "
        f"{medians[largest] / medians[smallest]:.2f}",
        flush=True,
    )


def postgres_database(base_url):
    """A fresh database on the PostgreSQL server at base_url, or None if it does not answer."""
    import psycopg

    try:
        with psycopg.connect(f"{base_url}/postgres", autocommit=True, connect_timeout=3) as db:
            db.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            db.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as error:
        print(f"postgresql: skipped, {base_url} does not answer ({error})")
        return None
    return f"{base_url}/{DATABASE}"


def drop_postgres_database(base_url):
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True, connect_timeout=3) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500,5000", help="stored essays, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per size")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    if sizes[0] <= SOURCE:
        parser.error(f"--sizes: each must be over {SOURCE}, the essay copied from")
    if args.child:
        run_one(sizes, args.runs, args.workdir)
        return

    workdir = tempfile.mkdtemp(prefix="jingxun-bench-")
    base_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    postgres = None
    try:
        targets = [f"sqlite:///{workdir}/bench.sqlite3"]
        postgres = postgres_database(base_url)
        if postgres:
            targets.append(postgres)
        # The parent only signs: its settings name the SQLite file, which it never opens.
        os.environ["VAR_DIR"] = workdir
        os.environ["DATABASE_URL"] = targets[0]
        setup_django()
        sign_all(sizes[-1], Path(workdir) / "signatures.json")
        for url in targets:
            child = [sys.executable, __file__, "--child", "--workdir", workdir]
            subprocess.run(
                [*child, "--sizes", ",".join(map(str, sizes)), "--runs", str(args.runs)],
                env={**os.environ, "DATABASE_URL": url},
                check=True,
            )
    finally:
        if postgres:
            drop_postgres_database(base_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
