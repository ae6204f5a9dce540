"""A program's discussion groups: creating them and splitting the trainees over them; each
function is one transaction, and the history keeps each move (simple_history's bulk helpers).
"""

import itertools
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from trainees.audit import GROUP_SPLIT, GROUPS_EDITED
from trainees.models import Enrollment, Group
from trainees.summaries import programs_changed

# What the page of every group edits: the name, the host (title and name) and the topic.
GROUP_FIELDS = ["name", "host_title", "host_name", "topic"]


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


@transaction.atomic
def groups_update(*, program, groups, user=None):
    """Save the changed names, hosts and topics of `program`'s groups (unsaved instances)
    at once, all or nothing, in a fixed number of statements; the history keeps each group's
    change, by `user`."""
    groups = list(groups)
    if any(group.pk is None or group.program_id != program.pk for group in groups):
        raise ValueError(_("This group belongs to another program."))
    if groups:
        bulk_update_with_history(
            groups,
            Group,
            GROUP_FIELDS,
            batch_size=100,
            default_user=user,
            default_change_reason=GROUPS_EDITED,
        )
    return groups


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
    if moved:
        programs_changed([program.pk])  # bulk: the dashboards' summaries do not see it
    return assignment
