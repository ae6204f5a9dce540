"""Writes of the trainees app: each function is one transaction.

Units, trainees, groups and enrollments keep their history (django-simple-history): a save()
records itself, with the signed-in user of the request (HistoryRequestMiddleware) unless a
service names one; the bulk writes go through simple_history's bulk helpers, given the acting
user, because bulk_create, bulk_update and QuerySet.update() send no signal.
"""

import itertools
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from trainees import roster as roster_module
from trainees.audit import (
    GROUP_SPLIT,
    MOVED,
    NEW_PASSWORD,
    ROSTER_IMPORT,
    TAKEN_BACK,
    WITHDRAWN,
)
from trainees.models import Enrollment, Group, Trainee, Unit
from trainees.spreadsheets import SpreadsheetError, SpreadsheetFileError


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
    plan = roster_module.plan_roster(program, roster)
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
    history = {"default_user": user, "default_change_reason": ROSTER_IMPORT, "batch_size": 1000}
    pending_units = list(plan.units.new)
    while pending_units:  # parents before their children
        ready = [u for u in pending_units if u.parent is None or u.parent.pk is not None]
        bulk_create_with_history(ready, Unit, **history)
        pending_units = [u for u in pending_units if u.pk is None]

    new_trainees, changed_trainees, changed_fields = [], [], set()
    new_enrollments, moved_enrollments = [], []
    for planned in plan.rows:
        if planned.trainee.pk is None:
            new_trainees.append(planned.trainee)
        elif set(planned.changes) - {"group"}:
            changed_trainees.append(planned.trainee)
            changed_fields.update(set(planned.changes) - {"group"})
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
    return plan


@transaction.atomic
def groups_create(*, program, count, user=None):
    """Add groups so that the program has `count` of them, numbered 1..count."""
    existing = set(program.groups.values_list("number", flat=True))
    bulk_create_with_history(
        [
            Group(program=program, number=number)  # unnamed: 第N组 in the reader's language
            for number in range(1, count + 1)
            if number not in existing
        ],
        Group,
        default_user=user,
    )


def split_plan(enrollments, groups):
    """Assign enrollments to groups: sizes differ by at most one, and each parent unit is
    spread as evenly as the numbers allow.

    Trainees are lined up by parent unit, largest unit first, and dealt round-robin over
    the groups: a run of k trainees of one unit dealt this way gives every group either
    floor(k/n) or ceil(k/n) of them, and the whole deal gives sizes that differ by one.
    """
    by_parent = defaultdict(list)
    for enrollment in enrollments:
        unit = enrollment.trainee.unit
        by_parent[unit.parent_id or unit.pk].append(enrollment)
    lined_up = list(
        itertools.chain.from_iterable(
            sorted(members, key=lambda e: e.trainee.police_id)
            for _parent, members in sorted(by_parent.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        )
    )
    return {enrollment: groups[i % len(groups)] for i, enrollment in enumerate(lined_up)}


@transaction.atomic
def groups_split(*, program, user=None):
    """Split the program's active trainees over its groups (see split_plan); the history keeps
    each move, by `user`."""
    groups = list(program.groups.order_by("number"))
    if not groups:
        raise ValueError(_("Create the groups first."))
    enrollments = list(
        Enrollment.objects.select_for_update(of=("self",))
        .filter(program=program, status=Enrollment.Status.ACTIVE)
        .select_related("trainee__unit")
    )
    assignment = split_plan(enrollments, groups)
    moved = [e for e, group in assignment.items() if e.group_id != group.pk]
    for enrollment in moved:
        enrollment.group = assignment[enrollment]
    bulk_update_with_history(
        moved,
        Enrollment,
        ["group"],
        batch_size=1000,
        default_user=user,
        default_change_reason=GROUP_SPLIT,
    )
    return assignment


def recorded(instance, *, user, reason):
    """Name who (if not the request's user) and why, for the history row of the next save."""
    if user is not None:
        instance._history_user = user
    instance._change_reason = reason
    return instance


@transaction.atomic
def enrollment_move(*, enrollment, group, user=None):
    """Move one trainee to another group of the same program (or out of every group)."""
    if group is not None and group.program_id != enrollment.program_id:
        raise ValueError(_("This group belongs to another program."))
    if enrollment.group_id == getattr(group, "pk", None):
        return  # nothing to move, nothing to record
    enrollment.group = group
    recorded(enrollment, user=user, reason=MOVED).save(update_fields=["group"])


@transaction.atomic
def enrollment_set_status(*, enrollment, status, user=None):
    """Withdraw a trainee from the program (退训), or take them back; nothing is deleted."""
    if enrollment.status == status:
        return
    enrollment.status = status
    reason = WITHDRAWN if status == Enrollment.Status.WITHDRAWN else TAKEN_BACK
    recorded(enrollment, user=user, reason=reason).save(update_fields=["status"])


@transaction.atomic
def trainee_reset_password(*, trainee, user=None):
    """Give the trainee a new initial password (for a new slip); the old one stops working.
    The history says who issued it and when, never the password."""
    trainee.initial_password = roster_module.new_initial_password()
    recorded(trainee, user=user, reason=NEW_PASSWORD).save(update_fields=["initial_password"])
    if trainee.user_id:
        trainee.user.set_unusable_password()
        trainee.user.save(update_fields=["password"])
    return trainee.initial_password


@transaction.atomic
def trainee_password_chosen(*, user):
    """The trainee chose their own password: the printed initial one stops working."""
    # An UPDATE without history on purpose: the initial password is not in the history.
    Trainee.objects.filter(user=user).update(initial_password="")


@transaction.atomic
def program_save(*, form, user):
    """Create or update a program from its form; whoever saves it stays one of its organizers
    (a superuser need not be one)."""
    program = form.save()
    if not user.is_superuser:
        program.organizers.add(user)
    return program
