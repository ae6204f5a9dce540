"""The close of a program (结业): its rules, the exceptions granted before it, and the close
itself, which freezes each trainee's result and issues the certificates."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from completion.models import Completion, CompletionException, ProgramClosing
from completion.rules import closing_of
from completion.selectors.closing import completion_results
from completion.services.certificates import certificates_issue
from trainees.models import Enrollment
from trainees.summaries import programs_changed


class ClosingRefused(Exception):
    """Why the rules or an exception cannot change (the program is closed; no reason)."""


def refuse_if_closed(program):
    if ProgramClosing.objects.filter(program=program, closed_at__isnull=False).exists():
        raise ClosingRefused(_("The program is closed: its rules and results no longer change."))


@transaction.atomic
def closing_rules_update(
    *,
    program,
    hour_minutes,
    counted_kinds,
    evaluated_kinds,
    evaluation_days,
    min_attendance_rate,
    require_graduation_pass,
    require_essay,
):
    """Set the program's study hour, the kinds that count and that are evaluated, and its
    completion rules. Refused once the program is closed (its result is frozen)."""
    refuse_if_closed(program)
    closing, _created = ProgramClosing.objects.update_or_create(
        program=program,
        defaults={
            "hour_minutes": hour_minutes,
            "counted_kinds": list(counted_kinds),
            "evaluated_kinds": list(evaluated_kinds),
            "evaluation_days": evaluation_days,
            "min_attendance_rate": min_attendance_rate,
            "require_graduation_pass": require_graduation_pass,
            "require_essay": require_essay,
        },
    )
    return closing


@transaction.atomic
def completion_exception_grant(*, enrollment, reason, user, now=None):
    """Let an active trainee complete although a rule is not met (特批), saying why; the
    close records it in their Completion. A second grant replaces the reason."""
    refuse_if_closed(enrollment.program)
    reason = reason.strip()
    if not reason:
        raise ClosingRefused(_("Say why the exception is granted."))
    if enrollment.status != Enrollment.Status.ACTIVE:
        raise ClosingRefused(_("%(name)s has withdrawn.") % {"name": enrollment.trainee.name})
    exception, _created = CompletionException.objects.update_or_create(
        enrollment=enrollment,
        defaults={"reason": reason, "granted_by": user, "granted_at": now or timezone.now()},
    )
    return exception


@transaction.atomic
def completion_exception_withdraw(*, enrollment):
    """Take back an exception before the close."""
    refuse_if_closed(enrollment.program)
    CompletionException.objects.filter(enrollment=enrollment).delete()


def program_close(*, program, user, now=None):
    """Close the program (结业): in one transaction, a Completion for each active trainee
    (hours, attendance rate and the rules not met, frozen; the exception granted, if a rule
    was not met), a certificate for each who completes (services.certificates), and the
    closing's time and author. The rules in force are written into the program's
    ProgramClosing, defaults included, so that what was applied stays known.

    Closing again changes nothing: the conditional update that marks the program closed
    proceeds only if it was not, so of two organizers closing at once one closes and the
    other is told it was done. Returns (closing, whether this call closed it)."""
    now = now or timezone.now()
    with transaction.atomic():
        effective = closing_of(program)
        closing, _created = ProgramClosing.objects.get_or_create(program=program)
        claimed = ProgramClosing.objects.filter(pk=closing.pk, closed_at__isnull=True).update(
            closed_at=now,
            closed_by=user,
            counted_kinds=effective.counted_kinds,
            evaluated_kinds=effective.evaluated_kinds,
        )
        closing.refresh_from_db()
        if not claimed:
            return closing, False
        results = completion_results(program, closing=closing, now=now)
        completions = Completion.objects.bulk_create(
            Completion(
                enrollment=row.enrollment,
                completed=row.completes,
                hours=row.hours,
                attendance_rate=row.attendance_rate,
                shortfalls=row.shortfalls,
                # An exception counts, and is recorded, only where a rule was not met.
                exception_reason=row.exception_reason if row.shortfalls else "",
                exception_by=row.exception_by if row.shortfalls else None,
                decided_at=now,
            )
            for row in results.rows
        )
        certificates_issue(
            program=program,
            completions=[completion for completion in completions if completion.completed],
            now=now,
        )
        programs_changed([program.pk])  # bulk: the dashboards' summaries do not see it
    return closing, True
