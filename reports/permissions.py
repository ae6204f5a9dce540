"""Who may read and change the score report and the dashboards, in one place.

The score report follows its program (trainees.permissions.program_for): the program's
organizers change it, the city bureau's leadership reads it (403 on a change), anyone else
gets 404. The dashboards follow trainees.permissions.dashboard_scope: organizers read the
programs they organize, the city bureau's leadership everything, a branch's leadership the
programs its units attended, counting its own units only; a unit or trainee outside that is
a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.models import ScoreReport
from trainees.permissions import program_for


def published_for(user, code, number, *, change=False):
    """(the program, its published report `number`) if `user` may read them (or change
    them, with change=True), else 404/403."""
    program = program_for(user, code, change=change)
    return program, get_object_or_404(ScoreReport, program=program, number=number)


def narrowed(unit_ids, unit):
    """The unit ids of `unit`'s subtree within `unit_ids` (None: every unit); 404 if `unit`
    is outside them."""
    if unit is None:
        return unit_ids
    if unit_ids is not None and unit.pk not in unit_ids:
        raise Http404
    return set(unit.descendant_ids()) if unit_ids is None else unit_ids & unit.descendant_ids()


def trainee_readable(trainee, unit_ids):
    """404 unless `trainee` is of the units the reader counts (`unit_ids`; None: every one)."""
    if unit_ids is not None and trainee.unit_id not in unit_ids:
        raise Http404
