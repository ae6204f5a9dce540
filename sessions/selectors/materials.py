"""Reads of course materials. Who may read them is decided in sessions.permissions."""

from sessions.models import Material


def materials_of(program):
    """The program's materials, each with its activity: one query."""
    return (
        Material.objects.filter(program=program)
        .select_related("activity")
        .order_by("activity__starts_at", "title")
    )
