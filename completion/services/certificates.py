"""Completion certificates (结业证书): issuing them when a program closes, their serial
numbers, and revoking one."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from completion.models import Certificate
from trainees.summaries import programs_changed


class RevokeRefused(Exception):
    """Why a certificate cannot be revoked (already revoked; no reason given)."""


def serial_numbers(program, count):
    """`count` serial numbers for `program`'s certificates, in order: CZ2023-0001, -0002 …
    A serial is unique across every program (a database constraint); the program's code
    is, so they differ from other programs' — except where a code was given up and taken
    again (CZ2023 renamed, a new CZ2023): the numbers its certificates hold are skipped,
    as are those that differ from them only in case (cz2023-0001), which a reader could not
    tell apart. One query."""
    prefix = f"{program.code}-"
    taken = {
        serial.upper()
        for serial in Certificate.objects.filter(serial__istartswith=prefix).values_list(
            "serial", flat=True
        )
    }
    serials, n = [], 0
    while len(serials) < count:
        n += 1
        serial = f"{prefix}{n:04d}"
        if serial.upper() not in taken:
            serials.append(serial)
    return serials


def certificates_issue(*, program, completions, now=None):
    """A certificate for each of `completions` (Completion rows of `program`, completed),
    numbered in the order of the police IDs, with the study hours frozen in the completion.
    A trainee who holds one already (written by an administrator) keeps it: a certificate is
    never issued twice. Called by the close (completion.services.closing.program_close), in
    its transaction. Three queries."""
    now = now or timezone.now()
    holders = set(
        Certificate.objects.filter(
            enrollment_id__in=[completion.enrollment_id for completion in completions]
        ).values_list("enrollment_id", flat=True)
    )
    chosen = sorted(
        (completion for completion in completions if completion.enrollment_id not in holders),
        key=lambda completion: completion.enrollment.trainee.police_id,
    )
    serials = serial_numbers(program, len(chosen))
    return Certificate.objects.bulk_create(
        Certificate(
            enrollment=completion.enrollment,
            serial=serial,
            hours=completion.hours,
            issued_at=now,
        )
        for completion, serial in zip(chosen, serials, strict=True)
    )


@transaction.atomic
def certificate_revoke(*, certificate, user, reason, now=None):
    """Revoke a certificate (撤销), with why and by whom: its verification page then says so.
    A conditional update, so that of two organizers revoking at once one is told it is
    done already, and the first reason stays."""
    reason = reason.strip()
    if not reason:
        raise RevokeRefused(_("Say why the certificate is revoked."))
    now = now or timezone.now()
    changed = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=user, revoked_reason=reason
    )
    if not changed:
        raise RevokeRefused(
            _("Certificate %(serial)s has been revoked already.") % {"serial": certificate.serial}
        )
    certificate.refresh_from_db()
    programs_changed([certificate.enrollment.program_id])  # an update: the summaries
    return certificate
