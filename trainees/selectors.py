"""Reads of the trainees app, with their queries tuned (constant in the number of trainees)."""

from django.db.models import Count, Q

from trainees.models import Enrollment, Program, Trainee, Unit
from trainees.permissions import organizer_bound, readable_programs


def program_list_for(user):
    """The programs a user may read (trainees.permissions.readable_programs), each with its
    number of active trainees."""
    return (
        readable_programs(user)
        .annotate(
            trainee_count=Count(
                "enrollments", filter=Q(enrollments__status="active"), distinct=True
            ),
            group_count=Count("groups", distinct=True),
        )
        .order_by("-start_date", "code")
    )


def organizer_bureau(user):
    """A new program's bureau: the bureau of the latest program `user` organizes that names
    one, as an organizer works for one bureau; for an organizer with a unit, within it, or
    else that unit (None without either)."""
    bound = organizer_bound(user)
    programs = Program.objects.filter(organizers=user, bureau__isnull=False)
    if bound is not None:
        programs = programs.filter(bureau_id__in=bound.unit_ids)
    latest = programs.order_by("-start_date").values_list("bureau_id", flat=True).first()
    if latest is None and bound is not None:
        return bound.unit.pk
    return latest


def roster(program, *, query="", group=None, unit=None, status=None):
    """The program's enrollments, searched by name, police ID or unit and filtered."""
    enrollments = Enrollment.objects.filter(program=program).select_related(
        "trainee__unit__parent", "group"
    )
    if query:
        enrollments = enrollments.filter(
            Q(trainee__name__icontains=query)
            | Q(trainee__police_id__icontains=query)
            | Q(trainee__unit__name__icontains=query)
            | Q(trainee__unit__parent__name__icontains=query)
        )
    if group == "none":
        enrollments = enrollments.filter(group__isnull=True)
    elif group:
        enrollments = enrollments.filter(group__number=group)
    if unit:
        enrollments = enrollments.filter(
            Q(trainee__unit_id=unit) | Q(trainee__unit__parent_id=unit)
        )
    if status:
        enrollments = enrollments.filter(status=status)
    return enrollments.order_by("group__number", "trainee__police_id")


def roster_units(program):
    """The units (and their parents) that have trainees in the program, for the filter."""
    unit_ids = Trainee.objects.filter(enrollments__program=program).values("unit_id")
    return (
        Unit.objects.filter(Q(pk__in=unit_ids) | Q(children__pk__in=unit_ids))
        .select_related("parent")
        .distinct()
        .order_by("name")
    )


def groups_with_counts(program):
    """The program's groups with their numbers of active trainees."""
    return program.groups.annotate(
        trainee_count=Count("enrollments", filter=Q(enrollments__status="active"))
    ).order_by("number")


def group_lists(program):
    """Every group with its active trainees, for the printed group lists: two queries."""
    groups = list(groups_with_counts(program))
    members = {group.pk: [] for group in groups}
    for enrollment in (
        Enrollment.objects.filter(program=program, status="active", group__isnull=False)
        .select_related("trainee__unit")
        .order_by("trainee__unit__name", "trainee__police_id")
    ):
        members[enrollment.group_id].append(enrollment)
    for group in groups:
        group.members = members[group.pk]
    return groups


def unit_tree(within=None):
    """Every unit as (unit, depth) in tree order, read in one query; with `within` (a Bound:
    an organizer's unit), that unit and those under it."""
    units = Unit.objects.annotate(trainee_count=Count("trainees")).order_by("name")
    if within is not None:
        units = units.filter(pk__in=within.unit_ids)
    children = {}
    for unit in units:
        parent_id = None if within is not None and unit.pk == within.unit.pk else unit.parent_id
        children.setdefault(parent_id, []).append(unit)
    ordered = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered
