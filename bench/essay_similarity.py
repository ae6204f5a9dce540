"""Time the similarity check of a handed-in essay against 5,000 and 150,000 stored essays, on
PostgreSQL and SQLite.

    .venv/bin/python bench/essay_similarity.py [--sizes 5000,150000] [--rounds 3] [--runs 3]
        [--databases postgresql,sqlite] [--cache DIR]

The stored essays (~2,000 characters in ten paragraphs, from the generator of reflection essays
in tests/discussions/test_similarity.py) are signed and cut into bands once for both databases,
on every core, and bulk-inserted with their signatures and their bands (EssayBand, COPY on
PostgreSQL; the indexes are dropped for the load and built again after it, as a restore would).
Signing in Python costs ~35 ms of CPU per essay, 45 minutes for 150,000 on two idle cores:
when a C compiler is found (cc), the MinHash minima and the bands are computed by a few lines
of C instead, checked against similarity.signature and similarity.passage_bands on the first
essays (the shingles' hashes stay the module's blake2b). --cache DIR keeps the signatures and
bands between runs.

Each size has a database of its own, with a new essay, three of whose ten paragraphs are
copied from one stored essay. Once all are stored, each is measured in turn, --rounds times
(so that every size sees the same load of a shared machine): a process hands the new essay to
`similarity.essay_matches_update` once to warm up, then --runs times, timed. For each database
and size it prints the median time per hand-in, the queries per call, the rows of the 128
buckets the candidate query reads and whether the copied essay ranked first; then the ratio of
the largest size to the smallest (the aim: at most 2). PostgreSQL is measured when
BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432) answers; the script makes its
own databases there (BENCH_POSTGRES_DATABASE_<size>, default jingxun_bench_essays_<size>) and
drops them at the end, as it removes its temporary directory (the SQLite files).
"""

import argparse
import ctypes
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
from array import array
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
NEW_POLICE_ID = "399999"  # the trainee who hands the new essay in
NO_BAND = -(1 << 63)  # in the bands file: this band of the essay is empty
CHUNK = 1000  # essays per task of the signing pool

# similarity._signature_of and similarity.passage_bands in C, checked against them on the first
# essays. minhash: for each (a, b), the smallest (a * x + b) mod (2^61 - 1) over the shingles
# x, kept to its low 32 bits (the reduction modulo the Mersenne prime is the usual fold:
# 2^61 = 1). passage_bands: the rolling hash of each `span`-character window, mixed, and the
# smallest per band, shifted to a signed number; NO_BAND where no window falls.
LIBRARY_C = """
#include <stddef.h>
#include <stdint.h>
#define P ((((uint64_t)1) << 61) - 1)
typedef unsigned __int128 u128;

void minhash(const uint64_t *xs, size_t n, const uint64_t *a, const uint64_t *b, size_t m,
             int64_t *out) {
    for (size_t j = 0; j < m; j++) {
        uint64_t best = UINT64_MAX;
        for (size_t i = 0; i < n; i++) {
            u128 v = (u128)a[j] * xs[i] + b[j];
            uint64_t r = (uint64_t)(v & P) + (uint64_t)(v >> 61);
            r = (r & P) + (r >> 61);
            if (r >= P) r -= P;
            if (r < best) best = r;
        }
        out[j] = (int64_t)(best & 0xFFFFFFFFu);
    }
}

static uint64_t mixed(uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void passage_bands(const uint32_t *codes, size_t n, size_t span, uint64_t roll,
                   uint64_t leaving, int bits, int64_t *out) {
    size_t bands = (size_t)1 << bits;
    uint64_t best[1024];
    int seen[1024];
    for (size_t b = 0; b < bands; b++) { best[b] = UINT64_MAX; seen[b] = 0; }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (i >= span) {
            uint64_t gone = (uint64_t)(((u128)codes[i - span] * leaving) % P);
            v = (v + P - gone) % P;
        }
        v = (uint64_t)(((u128)v * roll + codes[i]) % P);
        if (i + 1 < span) continue;
        uint64_t h = mixed(v);
        size_t band = (size_t)(h >> (64 - bits));
        if (!seen[band] || h < best[band]) { best[band] = h; seen[band] = 1; }
    }
    for (size_t b = 0; b < bands; b++)
        out[b] = seen[b] ? (int64_t)(best[b] ^ ((uint64_t)1 << 63)) : INT64_MIN;
}
"""


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def stored_essay(seed):
    """(title, body) of the stored essay `seed`, the same on every run."""
    from tests.discussions.test_similarity import essay_paragraphs

    return TITLES[seed % len(TITLES)], "\n".join(essay_paragraphs(seed))


def new_essay():
    """(title, body) of the essay handed in: its own paragraphs but three of SOURCE's."""
    from tests.discussions.test_similarity import essay_paragraphs

    paragraphs = essay_paragraphs(NEW)
    source = essay_paragraphs(SOURCE)
    for at, taken in COPIED.items():
        paragraphs[at] = source[taken]
    return TITLES[0], "\n".join(paragraphs)


_signer = None  # in each pool process: the C function, or None to sign in Python


def compile_library(workdir):
    """The path of the C library built in `workdir`, or None without a compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    source, library = Path(workdir) / "similarity.c", Path(workdir) / "similarity.so"
    source.write_text(LIBRARY_C)
    built = subprocess.run(
        [compiler, "-O2", "-shared", "-fPIC", "-o", str(library), str(source)],
        capture_output=True,
        text=True,
    )
    return str(library) if built.returncode == 0 else None


def start_signer(library):
    global _signer
    if library:
        from discussions import similarity

        functions = ctypes.CDLL(library)
        a = array("Q", [a for a, _b in similarity._PERMUTATIONS])
        b = array("Q", [b for _a, b in similarity._PERMUTATIONS])
        _signer = (functions, a, b)


def _address(values):
    return ctypes.c_void_p(values.buffer_info()[0])


def signature_of(text):
    """similarity.signature(text), through the C library if there is one."""
    from discussions import similarity

    if _signer is None:
        return similarity.signature(text)
    functions, a, b = _signer
    values = array("Q", [value % similarity._PRIME for value in similarity.shingles(text)])
    if not values:
        return [similarity.EMPTY] * similarity.N
    out = array("q", bytes(8 * similarity.N))
    size = ctypes.c_size_t
    functions.minhash(
        _address(values),
        size(len(values)),
        _address(a),
        _address(b),
        size(similarity.N),
        _address(out),
    )
    return out.tolist()


def bands_of(text):
    """similarity.passage_bands(text) as one number per band (NO_BAND if empty), through the C
    library if there is one."""
    from discussions import similarity

    if _signer is None:
        mine = similarity.passage_bands(text)
        return [mine.get(band, NO_BAND) for band in range(similarity.BANDS)]
    codes = array("I", map(ord, similarity.normalize(text)[0]))
    out = array("q", bytes(8 * similarity.BANDS))
    size = ctypes.c_size_t
    _signer[0].passage_bands(
        _address(codes),
        size(len(codes)),
        size(similarity.MIN_SPAN),
        ctypes.c_uint64(similarity._ROLL),
        ctypes.c_uint64(pow(similarity._ROLL, similarity.MIN_SPAN - 1, similarity._PRIME)),
        ctypes.c_int(similarity._BAND_BITS),
        _address(out),
    )
    return out.tolist()


def sign_chunk(job):
    """Signatures and/or bands of the stored essays start … start + CHUNK - 1, as bytes of
    flat int64 arrays (empty when not wanted)."""
    from discussions import similarity

    start, wanted = job
    signatures, bands = array("q"), array("q")
    for seed in range(start, start + CHUNK):
        text = similarity.essay_text(*stored_essay(seed))
        if "signatures" in wanted:
            signatures.extend(signature_of(text))
        if "bands" in wanted:
            bands.extend(bands_of(text))
    return signatures.tobytes(), bands.tobytes()


def sign_all(count, workdir, cache):
    """Sign the `count` stored essays and cut them into bands, on every core; write both to
    `workdir` (from `cache` where it holds them, and to it)."""
    from discussions import similarity

    count = -(-count // CHUNK) * CHUNK
    names = {"signatures": f"signatures-{count}.bin", "bands": f"bands-{count}.bin"}
    wanted = set()
    for kind, name in names.items():
        if cache and (Path(cache) / name).exists():
            shutil.copy(Path(cache) / name, Path(workdir) / name)
            print(f"{count} essays: {kind} from {cache}", flush=True)
        else:
            wanted.add(kind)
    if not wanted:
        return
    library = compile_library(workdir)
    start_signer(library)
    for seed in range(3):  # the C results are the module's, or the bench stops here
        text = similarity.essay_text(*stored_essay(seed))
        assert signature_of(text) == similarity.signature(text), "the C MinHash differs"
        bands = similarity.passage_bands(text)
        assert bands_of(text) == [bands.get(band, NO_BAND) for band in range(similarity.BANDS)]
    started = time.perf_counter()
    processes = os.cpu_count() or 1
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        jobs = [(start, wanted) for start in range(0, count, CHUNK)]
        parts = pool.map(sign_chunk, jobs, chunksize=1)
    for index, kind in enumerate(names):
        if kind in wanted:
            with open(Path(workdir) / names[kind], "wb") as file:
                for part in parts:
                    file.write(part[index])
            if cache:
                Path(cache).mkdir(parents=True, exist_ok=True)
                shutil.copy(Path(workdir) / names[kind], Path(cache) / names[kind])
    print(
        f"{count} essays: {' and '.join(sorted(wanted))} computed in "
        f"{time.perf_counter() - started:.0f} s ({processes} processes, "
        f"{'C' if library else 'Python'})",
        flush=True,
    )


def read_rows(path, start, stop, width):
    """Rows start … stop - 1 of a file of `width` int64 per essay."""
    values = array("q")
    with open(path, "rb") as file:
        file.seek(start * width * 8)
        values.frombytes(file.read((stop - start) * width * 8))
    return [values[i * width : (i + 1) * width].tolist() for i in range(stop - start)]


def bands_load(rows):
    """Insert (essay_id, band, hash) rows with the index's indexes dropped meanwhile and built
    again after: COPY on PostgreSQL, one executemany on SQLite."""
    from django.db import connection

    from discussions.models import EssayBand

    meta = EssayBand._meta
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        with connection.schema_editor() as editor:
            for index in meta.indexes:
                editor.remove_index(EssayBand, index)
            for constraint in meta.constraints:
                editor.remove_constraint(EssayBand, constraint)
        sql = f"COPY {table} (essay_id, band, hash) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        with connection.schema_editor() as editor:
            for constraint in meta.constraints:
                editor.add_constraint(EssayBand, constraint)
            for index in meta.indexes:
                editor.add_index(EssayBand, index)
        return
    # SQLite: the schema editor would copy the table to drop the unique constraint, which
    # stays; the look-up index is dropped and made again by name.
    (lookup,) = meta.indexes
    name = connection.ops.quote_name(lookup.name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {name}")
        cursor.executemany(f"INSERT INTO {table} (essay_id, band, hash) VALUES (%s, %s, %s)", rows)
        cursor.execute(f"CREATE INDEX {name} ON {table} (band, hash, essay_id)")


def seed_essays(workdir, count_file, start, stop, units, now):
    """Insert the stored essays start … stop - 1, handed in, signed and indexed, each by its own
    trainee in an earlier program of COHORT trainees."""
    from discussions import similarity
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
    signatures = Path(workdir) / f"signatures-{count_file}.bin"
    bands = Path(workdir) / f"bands-{count_file}.bin"
    stored = []
    for chunk in range(start, stop, 5000):
        seeds = range(chunk, min(chunk + 5000, stop))
        trainees = Trainee.objects.bulk_create(
            [
                Trainee(
                    police_id=f"{400000 + seed}", name=f"学员{seed}", unit=units[seed % len(units)]
                )
                for seed in seeds
            ],
            batch_size=1000,
        )
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(program=programs[seed // COHORT], trainee=trainee)
                for seed, trainee in zip(seeds, trainees, strict=True)
            ],
            batch_size=1000,
        )
        texts = [stored_essay(seed) for seed in seeds]
        essays = Essay.objects.bulk_create(
            [
                Essay(
                    enrollment=enrollment,
                    title=title,
                    body=body,
                    chars=essay_length(body),
                    status=Essay.Status.SUBMITTED,
                    submitted_at=now,
                    signature=signature,
                )
                for enrollment, (title, body), signature in zip(
                    enrollments,
                    texts,
                    read_rows(signatures, seeds[0], seeds[-1] + 1, similarity.N),
                    strict=True,
                )
            ],
            batch_size=500,
        )
        stored += [essay.pk for essay in essays]

    def rows():
        """(essay_id, band, hash) of the new essays, read from the bands file a chunk at a time."""
        for chunk in range(start, stop, 5000):
            end = min(chunk + 5000, stop)
            essay_bands = read_rows(bands, chunk, end, similarity.BANDS)
            for essay_id, mine in zip(
                stored[chunk - start : end - start], essay_bands, strict=True
            ):
                yield from (
                    (essay_id, band, value) for band, value in enumerate(mine) if value != NO_BAND
                )

    bands_load(rows())
    return stored


def seed_one(size, workdir, count_file):
    """In a child process whose DATABASE_URL is set: migrate, then store `size` essays and the
    new essay (not yet compared)."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from discussions import similarity
    from discussions.models import Essay
    from discussions.services.essays import essay_length
    from trainees.models import Enrollment, Program, Trainee, Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    first = read_rows(Path(workdir) / f"signatures-{count_file}.bin", 0, 1, similarity.N)[0]
    assert similarity.signature(similarity.essay_text(*stored_essay(0))) == first
    now = timezone.now()
    units = Unit.objects.bulk_create(
        [Unit(name=f"测试派出所{n}", kind=Unit.Kind.STATION) for n in range(1, 41)]
    )
    current = Program.objects.create(
        code="BNOW", title="本期派出所所长培训班", start_date="2026-04-06", end_date="2026-04-10"
    )
    title, body = new_essay()
    Essay.objects.create(
        enrollment=Enrollment.objects.create(
            program=current,
            trainee=Trainee.objects.create(police_id=NEW_POLICE_ID, name="新学员", unit=units[0]),
        ),
        title=title,
        body=body,
        chars=essay_length(body),
        status=Essay.Status.SUBMITTED,
        submitted_at=now,
    )
    seed_essays(workdir, count_file, 0, size, units, now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"{connection.vendor:10} {size:6} essays stored in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def measure_one(runs):
    """In a child process whose DATABASE_URL is set: hand the new essay to the check once to
    warm up, then `runs` times, timed; print the figures as one JSON line."""
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from discussions import similarity
    from discussions.models import Essay, EssayBand

    essay = Essay.objects.get(enrollment__trainee__police_id=NEW_POLICE_ID)
    source = Essay.objects.get(enrollment__trainee__police_id=f"{400000 + SOURCE}")
    similarity.essay_matches_update(essay=essay)  # warm-up: caches, and the first rows
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        similarity.essay_matches_update(essay=essay)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        found = similarity.essay_matches_update(essay=essay)
    statements = [
        query
        for query in queries.captured_queries
        if query["sql"].split()[0].upper() not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}
    ]
    bands = similarity.passage_bands(similarity.essay_text(essay.title, essay.body))
    rows = sum(
        EssayBand.objects.filter(band=band, hash=value).exclude(essay=essay).count()
        for band, value in bands.items()
    )
    print(
        json.dumps(
            {
                "times": times,
                "queries": len(queries),
                "statements": len(statements),
                "rows": rows,
                "first": bool(found) and found[0].other_id == source.pk,
                "similarity": [match.similarity for match in found],
            }
        ),
        flush=True,
    )


def measure_all(url, sizes, rounds, runs):
    """Measure each size's database in turn, `rounds` times (so that both sizes see the same
    load of the machine), and print one line per size and the ratio of the largest to the
    smallest."""
    figures = {size: [] for size in sizes}
    for _ in range(rounds):
        for size in sizes:
            child = subprocess.run(
                [sys.executable, __file__, "--measure", "--runs", str(runs)],
                env={**os.environ, "DATABASE_URL": url(size)},
                check=True,
                capture_output=True,
                text=True,
            )
            figures[size].append(json.loads(child.stdout.strip().splitlines()[-1]))
    vendor = "postgresql" if url(sizes[0]).startswith("postgres") else "sqlite"
    medians = {}
    for size in sizes:
        times = [seconds for figure in figures[size] for seconds in figure["times"]]
        last = figures[size][-1]
        medians[size] = statistics.median(times)
        similar = last["similarity"]
        next_best = f", next {similar[1]:.3f}" if len(similar) > 1 else ""
        first = all(figure["first"] for figure in figures[size])
        print(
            f"{vendor:10} {size:6} essays: {medians[size] * 1000:6.1f} ms per hand-in "
            f"(median of {len(times)}, {min(times) * 1000:.1f}–{max(times) * 1000:.1f}), "
            f"{last['queries']} queries ({last['statements']} besides BEGIN/COMMIT), "
            f"{last['rows']} rows in its buckets; copied essay ranked first: "
            f"{'yes' if first else 'NO'} (Jaccard {similar[0] if similar else 0:.3f}"
            f"{next_best}, {len(similar)} listed)",
            flush=True,
        )
    largest, smallest = sizes[-1], sizes[0]
    print(
        f"{vendor:10} ratio {largest}/{smallest} essays: "
        f"{medians[largest] / medians[smallest]:.2f}",
        flush=True,
    )


def postgres_database(base_url, name):
    """A fresh database on the PostgreSQL server at base_url, or None if it does not answer."""
    import psycopg

    try:
        with psycopg.connect(f"{base_url}/postgres", autocommit=True, connect_timeout=3) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name}")
            db.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as error:
        print(f"postgresql: skipped, {base_url} does not answer ({error})")
        return None
    return f"{base_url}/{name}"


def drop_postgres_database(base_url, name):
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True, connect_timeout=3) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,150000", help="stored essays, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="turns of measuring every size")
    parser.add_argument("--runs", type=int, default=3, help="timed calls per size and round")
    parser.add_argument(
        "--databases", default="postgresql,sqlite", help="postgresql, sqlite or both"
    )
    parser.add_argument("--cache", help="keep the signatures and bands here between runs")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    databases = [name.strip() for name in args.databases.split(",")]
    count_file = -(-sizes[-1] // CHUNK) * CHUNK
    if sizes[0] <= SOURCE:
        parser.error(f"--sizes: each must be over {SOURCE}, the essay copied from")
    if not set(databases) <= {"postgresql", "sqlite"}:
        parser.error("--databases: postgresql, sqlite or both")
    if args.seed:
        seed_one(args.seed, args.workdir, count_file)
        return
    if args.measure:
        measure_one(args.runs)
        return

    workdir = tempfile.mkdtemp(prefix="jingxun-bench-")
    base_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    prefix = os.environ.get("BENCH_POSTGRES_DATABASE", DATABASE)
    made = []
    try:
        # The parent only signs: its settings name a SQLite file, which it never opens.
        os.environ["VAR_DIR"] = workdir
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/unused.sqlite3"
        setup_django()
        sign_all(sizes[-1], workdir, args.cache)
        for vendor in databases:
            # A database per size, all kept until every size is measured.
            if vendor == "postgresql":
                urls = {size: postgres_database(base_url, f"{prefix}_{size}") for size in sizes}
                made += [f"{prefix}_{size}" for size, url in urls.items() if url]
                if not all(urls.values()):
                    continue
            else:
                urls = {size: f"sqlite:///{workdir}/bench-{size}.sqlite3" for size in sizes}
            seed = [sys.executable, __file__, "--workdir", workdir, "--sizes", args.sizes]
            for size in sizes:
                subprocess.run(
                    [*seed, "--seed", str(size)],
                    env={**os.environ, "DATABASE_URL": urls[size]},
                    check=True,
                )
            measure_all(urls.get, sizes, args.rounds, args.runs)
            for name in made:
                drop_postgres_database(base_url, name)
            made = []
    finally:
        for name in made:
            drop_postgres_database(base_url, name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
