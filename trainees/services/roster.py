"""Importing a roster file into a program (学员名册), all or nothing: one transaction.

The file is read and checked by trainees.roster; this writes the checked plan, each row with
its history row (simple_history's bulk helpers, given the acting user).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from trainees import roster as roster_module
from trainees.audit import ROSTER_IMPORT
from trainees.models import Enrollment, Group, Trainee, Unit
from trainees.spreadsheets import SpreadsheetError, SpreadsheetFileError
from trainees.summaries import programs_changed


def roster_import(*, program, name, content, dry_run=False, user=None):
    """Import a roster file into `program`, all or nothing; returns the RosterPlan.

    With errors (in plan.errors) or `dry_run`, nothing is written. `user` is who imports, for
    the history (None from the command line).
    """
    try:
        roster = roster_module.read_roster(name, content)
    except SpreadsheetFileError as error:
        plan = roster_module.RosterPlan(program=program, roster=None)
        plan.errors.append(SpreadsheetError(None, "", str(error)))
        return plan
    plan = roster_module.plan_roster(program, roster, user=user)
    if plan.errors or dry_run:
        return plan
    try:
        roster_apply(plan, user=user)
    except IntegrityError:
        # Another import or edit of the same trainees committed first; nothing was written.
        message = _("The roster changed while it was being imported; nothing was imported.")
        plan.errors.append(SpreadsheetError(None, "", message))
    return plan


@transaction.atomic
def roster_apply(plan, *, user=None):
    """Write a checked RosterPlan with a handful of bulk statements, whatever its size; each
    row written leaves its history row, by `user`."""
    # A trainee's record is shared by the programs he attends: the reason names the program.
    reason = f"{ROSTER_IMPORT}:{plan.program.code}"
    history = {"default_user": user, "default_change_reason": reason, "batch_size": 1000}
    pending_units = list(plan.units.new)
    while pending_units:  # parents before their children
        ready = [u for u in pending_units if u.parent is None or u.parent.pk is not None]
        bulk_create_with_history(ready, Unit, **history)
        pending_units = [u for u in pending_units if u.pk is None]
    # The groups the file names that the program did not have: created here, in the import's
    # transaction, so a failed import leaves none behind.
    bulk_create_with_history(plan.new_groups, Group, **history)

    new_trainees, changed_trainees, changed_fields = [], [], set()
    new_enrollments, moved_enrollments = [], []
    for planned in plan.rows:
        if planned.trainee.pk is None:
            new_trainees.append(planned.trainee)
        elif planned.written:
            changed_trainees.append(planned.trainee)
            changed_fields.update(planned.written)
        if planned.enrollment.pk is None:
            new_enrollments.append(planned.enrollment)
        elif "group" in planned.changes:
            moved_enrollments.append(planned.enrollment)
    bulk_create_with_history(new_trainees, Trainee, **history)
    if changed_trainees:
        bulk_update_with_history(changed_trainees, Trainee, sorted(changed_fields), **history)
    bulk_create_with_history(new_enrollments, Enrollment, **history)
    if moved_enrollments:
        bulk_update_with_history(moved_enrollments, Enrollment, ["group"], **history)
    # Bulk writes: the dashboards' summaries of this program, and of the other programs of
    # trainees who moved to another unit, are told.
    changed = [plan.program.pk]
    if "unit" in changed_fields:
        changed += Enrollment.objects.filter(trainee__in=changed_trainees).values_list(
            "program_id", flat=True
        )
    programs_changed(changed)
    return plan
