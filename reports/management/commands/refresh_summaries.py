import time

from django.core.management.base import BaseCommand, CommandError

from reports.summaries import summaries_backfill
from trainees.models import Program


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' summaries from the raw rows: every program's (--all), or "
        "one program's by its code. Safe to run at any time, twice, or while the site serves "
        "(each program in its own transaction). Prints how many programs and how long."
    )

    def add_arguments(self, parser):
        parser.add_argument("program_code", nargs="?")
        parser.add_argument("--all", action="store_true", help="every program")

    def handle(self, *args, program_code=None, all=False, **options):
        if all == bool(program_code):
            raise CommandError("Give either a program's code or --all.")
        if program_code:
            ids = list(Program.objects.filter(code=program_code).values_list("pk", flat=True))
            if not ids:
                raise CommandError(f"No program with the code {program_code!r}.")
        else:
            ids = None
        started = time.perf_counter()
        count = summaries_backfill(ids)
        seconds = time.perf_counter() - started
        self.stdout.write(f"refreshed {count} program(s) in {seconds:.1f} s")
