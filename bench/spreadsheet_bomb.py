"""Run hostile spreadsheets through the imports' reader and print each read's peak memory and time.

    .venv/bin/python bench/spreadsheet_bomb.py

The files (tests/hostile_spreadsheets.py) are written to a temporary directory by one child
process; each is then read by `trainees.spreadsheets.read_table`, with the roster's columns, in
a child process of its own. The parent stays small: Linux carries the parent's peak into a
child's ru_maxrss, so the builder's memory would otherwise show as the reader's.
For each it prints the outcome (the number of rows, or the refusal), the child's peak in MB,
the part of it the read added to a child that only started Django, and the seconds of the read.
Issue 17 asks for every peak under 200 MB. The old reader took 2.8 GB and failed on the 1.5 KB
bomb, and ran for minutes on the 2,000,000 rows.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# title, file, the function of tests/hostile_spreadsheets.py that builds it and its arguments
# (none: built for an earlier line), settings for the reader (its environment)
CASES = [
    ("dimension bomb: A1:XFD1048576, one cell", "bomb.xlsx", ("dimension_bomb",), {}),
    ("the same under a header row", "bomb-header.xlsx", ("dimension_bomb", True), {}),
    ("2,000,000 rows", "rows.xlsx", ("many_rows", 2_000_000), {}),
    ("2,000,000 rows, size cap 1 GB", "rows.xlsx", (), {"SPREADSHEET_MAX_UNCOMPRESSED_MB": "1024"}),
    ("5 rows, 1,000,000 empty formatted", "empty.xlsx", ("empty_formatted_rows", 5, 10**6), {}),
    ("20 MB of blanks (zip bomb)", "tight.xlsx", ("packed_tight", 20), {}),
    ("2,000,000 rows", "rows.csv", ("csv_many_rows", 2_000_000), {}),
    ("one line of 1,000,000 fields", "wide.csv", ("csv_wide_line", 1_000_000), {}),
]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()


def read_one(path):
    """In the child: read one file, print its outcome, peak and time as one tab-separated line."""
    setup_django()
    from django.utils import translation

    from trainees.roster import COLUMNS, REQUIRED
    from trainees.spreadsheets import SpreadsheetFileError, read_table

    content = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with translation.override("en"):
        try:
            table = read_table(path, content, COLUMNS, REQUIRED, "no header row")
            outcome = f"{len(table.rows)} rows, the last numbered {table.rows[-1].number:,}"
        except SpreadsheetFileError as error:
            outcome = f"refused: {error}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.0f}\t{peak - before:.0f}\t{seconds:.2f}\t{outcome}")


def unpacked_size(path):
    if not path.endswith(".xlsx"):
        return os.path.getsize(path)
    with zipfile.ZipFile(path) as archive:
        return sum(member.file_size for member in archive.infolist())


def build_all(workdir):
    """In a child: write every file of CASES."""
    from tests import hostile_spreadsheets

    for _title, name, builder, _environment in CASES:
        if builder:
            function, *arguments = builder
            content = getattr(hostile_spreadsheets, function)(*arguments)
            Path(workdir, name).write_bytes(content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--read", help=argparse.SUPPRESS)
    parser.add_argument("--build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_one(args.read)
        return
    if args.build:
        build_all(args.build)
        return

    with tempfile.TemporaryDirectory(prefix="jingxun-bench-") as workdir:
        subprocess.run([sys.executable, __file__, "--build", workdir], check=True)
        print(f"{'file':45} {'packed':>11} {'unpacked':>12} {'peak MB':>8} {'read MB':>8} {'s':>6}")
        for title, name, _builder, environment in CASES:
            path = os.path.join(workdir, name)
            child = subprocess.run(
                [sys.executable, __file__, "--read", path],
                env={**os.environ, **environment},
                capture_output=True,
                text=True,
                check=True,
            )
            peak, read, seconds, outcome = child.stdout.strip().split("\t")
            print(
                f"{title + ' .' + name.rpartition('.')[2]:45} {os.path.getsize(path):>11,} "
                f"{unpacked_size(path):>12,} {peak:>8} {read:>8} {seconds:>6}\n    {outcome}"
            )


if __name__ == "__main__":
    main()
