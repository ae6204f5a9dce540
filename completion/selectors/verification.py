"""What the public verification page of a certificate may say (completion:verify), and
nothing more: the serial, the program's title and dates, the hours, the holder's name masked,
and whether it was revoked and when. No police ID, no unit, no score: they are not even read
from the database."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from completion.models import Certificate


@dataclass(frozen=True)
class Verification:
    serial: str
    program: str
    start_date: date
    end_date: date
    hours: Decimal
    holder: str  # masked: 龚*俊
    revoked_at: datetime | None


def masked_name(name):
    """The first and the last character with a star for each one between (龚定俊 → 龚*俊,
    欧阳明远 → 欧**远); a two-character name keeps its first (方圆 → 方*), a single one
    shows none."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return f"{name[0]}*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verification(token):
    """The Verification of the certificate whose token is `token`, or None. One query."""
    certificate = (
        Certificate.objects.select_related("enrollment__program", "enrollment__trainee")
        .only(
            "serial",
            "hours",
            "revoked_at",
            "enrollment__program__title",
            "enrollment__program__start_date",
            "enrollment__program__end_date",
            "enrollment__trainee__name",
        )
        .filter(token=token)
        .first()
    )
    if certificate is None:
        return None
    program = certificate.enrollment.program
    return Verification(
        serial=certificate.serial,
        program=program.title,
        start_date=program.start_date,
        end_date=program.end_date,
        hours=certificate.hours,
        holder=masked_name(certificate.enrollment.trainee.name),
        revoked_at=certificate.revoked_at,
    )
