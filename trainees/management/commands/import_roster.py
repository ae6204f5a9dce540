from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trainees.models import Program
from trainees.services.roster import roster_import


class Command(BaseCommand):
    help = (
        "Import a roster (.xlsx or .csv) into a program, all or nothing. Prints "
        "'created N, updated M, unchanged K'; on invalid input prints every error with its "
        "row on stderr, changes nothing and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("program_code")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but write nothing"
        )

    def handle(self, *args, program_code, file, dry_run, **options):
        try:
            program = Program.objects.get(code=program_code)
        except Program.DoesNotExist:
            raise CommandError(f"No program with the code {program_code!r}.") from None
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        plan = roster_import(program=program, name=file.name, content=content, dry_run=dry_run)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(plan.errors)} error(s) in {file.name}: nothing was imported.", returncode=1
            )
        self.stdout.write(plan.summary)
