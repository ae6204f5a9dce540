"""What an API client sees (the Scope of trainees.permissions, as a branch leader's dashboard):
the trainees of its unit and the units under it, and the programs they attended or that a
bureau among those units organizes, counting its own units' trainees only. A client of the top
of the tree (the city bureau; under a province, the province: trainees.permissions.is_top)
sees everything. Anything else is 404, as if it did not exist."""

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from trainees.models import Program, Trainee, Unit
from trainees.permissions import Scope, is_top


def client_scope(client):
    """The Scope of `client` (kept on it for the request)."""
    cached = getattr(client, "_jingxun_scope", None)
    if cached is None:
        unit = client.unit
        if is_top(unit):
            cached = Scope(unit=unit)
        else:
            cached = Scope(unit=unit, unit_ids=frozenset(unit.descendant_ids()))
        client._jingxun_scope = cached
    return cached


def not_found():
    return HttpError(404, _("Not found."))


def visible_programs(client):
    scope = client_scope(client)
    if scope.everything:
        return Program.objects.all()
    seen = Program.objects.filter(
        Q(enrollments__trainee__unit_id__in=scope.unit_ids) | Q(bureau_id__in=scope.unit_ids)
    )
    return Program.objects.filter(pk__in=seen.values("pk"))


def program_of(client, code):
    """The program `code`, if `client` sees it; else 404."""
    program = visible_programs(client).select_related("bureau").filter(code=code).first()
    if program is None:
        raise not_found()
    return program


def program_to_write(client, code):
    """The program `code` for a roster import: 403 for a read-only client; 404 for a program
    the client does not see, or whose organizing bureau is not among its units."""
    if not client.writes:
        raise HttpError(403, _("This API client may only read."))
    program = program_of(client, code)
    scope = client_scope(client)
    if not scope.everything and program.bureau_id not in scope.unit_ids:
        raise not_found()
    return program


def import_bound(client):
    """The unit that bounds `client`'s roster imports, as an organizer's unit (教务所属单位,
    trainees.permissions.organizer_bound) bounds theirs: under a province, a client below
    the top files no trainee in another city's units and enrolls none of another city's
    trainees; None for the top's client, or in a single-city installation (no province), where
    the client imports as an organizer without a unit does."""
    if client_scope(client).everything:
        return None
    if not Unit.objects.filter(kind=Unit.Kind.PROVINCE).exists():
        return None
    return client.unit


def in_scope(client, rows, unit_id):
    """The rows (of any kind) whose trainee's unit, unit_id(row), the client sees."""
    scope = client_scope(client)
    if scope.everything:
        return list(rows)
    return [row for row in rows if unit_id(row) in scope.unit_ids]


def enrollments_in_scope(client, enrollments):
    scope = client_scope(client)
    if scope.everything:
        return enrollments
    return enrollments.filter(trainee__unit_id__in=scope.unit_ids)


def visible_trainees(client):
    scope = client_scope(client)
    if scope.everything:
        return Trainee.objects.all()
    return Trainee.objects.filter(unit_id__in=scope.unit_ids)


def trainee_of(client, police_id):
    trainee = (
        visible_trainees(client).select_related("unit__parent").filter(police_id=police_id).first()
    )
    if trainee is None:
        raise not_found()
    return trainee
