"""A program's roster: reading it, and writing it by a roster import, with the page's own
code (trainees.services.roster: the file read and every row checked by
trainees.roster.plan_roster, then written in one transaction), so that the same file gives the
same errors or the same changes as on the page."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import File, Query, Router, Status, UploadedFile

from api import schemas
from api.pagination import page
from api.scope import enrollments_in_scope, import_bound, program_of, program_to_write
from api.services import client_account
from trainees.forms import SpreadsheetUploadForm
from trainees.models import OrganizerUnit
from trainees.services.roster import roster_import

router = Router(tags=["roster"])


@router.get(
    "/programs/{code}/roster",
    response=schemas.answers(schemas.EnrollmentPage, 404),
    summary="A program's roster",
)
def program_roster(request, code: str, query: Query[schemas.PageQuery]):
    """Every enrollment (withdrawn ones too) of the trainees of the client's units."""
    program = program_of(request.auth, code)
    enrollments = (
        enrollments_in_scope(request.auth, program.enrollments.all())
        .select_related("trainee__unit__parent", "group")
        .order_by("group__number", "trainee__police_id")
    )

    def convert(enrollment):
        trainee = enrollment.trainee
        return {
            "police_id": trainee.police_id,
            "name": trainee.name,
            "gender": trainee.gender,
            "unit": trainee.unit.name,
            "parent_unit": trainee.unit.parent.name if trainee.unit.parent else "",
            "position": trainee.position,
            "phone": trainee.masked_phone,
            "group": enrollment.group.number if enrollment.group else None,
            "role": enrollment.role,
            "status": enrollment.status,
        }

    return page(enrollments, query, convert)


def row_errors(errors):
    return [
        {
            "row": error.row,
            "field": error.column,
            "message": error.message,
            "hint": getattr(error, "hint", "") or "",
        }
        for error in errors
    ]


@router.post(
    "/programs/{code}/roster",
    response={**schemas.answers(schemas.RosterImport, 403, 404), 400: schemas.ImportErrors},
    summary="Import a roster",
)
def roster_upload(request, code: str, file: File[UploadedFile], dry_run: bool = False):
    """Import an .xlsx or .csv roster (姓名, 警号, 单位; optionally 上级单位, 职务, 性别, 手机号,
    分组) into the program, all or nothing. Any error imports nothing and answers 400 with
    every error by row and column; `dry_run` checks and counts without writing. A read-write
    client only, into a program organized by a bureau among its units.

    The client imports as an organizer of that one program would on the page: the same
    checks, the same rules for a trainee's record shared with programs of others
    (trainees.permissions), and the history names the client's account (api-client-N)."""
    client = request.auth
    program = program_to_write(client, code)
    form = SpreadsheetUploadForm(data={}, files={"file": file})
    if not form.is_valid():
        message = " ".join(str(error) for error in form.errors["file"])
        errors = [{"row": None, "field": "", "message": message}]
        return Status(400, {"detail": _("Nothing was imported."), "errors": errors})
    account = client_account(client=client)
    bound = import_bound(client)
    with transaction.atomic():
        # For the length of the import, the client's account is one of the program's
        # organizers: the shared-record rules (known_to, held_by_others) then see it as the
        # page sees the program's organizer; and under a province, its unit is the client's,
        # as a city's organizer's is their city bureau (organizer_bound: no trainee filed in,
        # or enrolled from, another city). Removed before the commit, nobody sees them.
        program.organizers.add(account)
        if bound is not None:
            OrganizerUnit.objects.update_or_create(user=account, defaults={"unit": bound})
        plan = roster_import(
            program=program, name=file.name, content=file.read(), dry_run=dry_run, user=account
        )
        program.organizers.remove(account)
        if bound is not None:
            OrganizerUnit.objects.filter(user=account).delete()
    if plan.errors:
        count = len(plan.errors)
        detail = ngettext(
            "%(count)s error in the file: nothing was imported.",
            "%(count)s errors in the file: nothing was imported.",
            count,
        ) % {"count": count}
        return Status(400, {"detail": detail, "errors": row_errors(plan.errors)})
    imported = {
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
        "new_groups": [group.number for group in plan.new_groups],
        "dry_run": dry_run,
    }
    return Status(200, imported)
