"""Who may see and do what in the timetable app, on top of trainees.permissions (which decides
who reads and changes a program).

- an activity's pages (the roll-call sheet, the projector, the paper sheet) belong to its
  program: a foreign activity is a 404, and a change needs the right to change the program;
- a program's materials are read by its organizers and leadership, and by its active trainees.
"""

from django.shortcuts import get_object_or_404

from sessions.models import Activity
from trainees.models import Enrollment
from trainees.permissions import may_read, program_for


def activity_for(request, code, pk, *, change=False):
    """(program, activity) if the user may read (or, with `change`, change) the program;
    404 for an activity of another program."""
    program = program_for(request.user, code, change=change)
    activity = get_object_or_404(
        Activity.objects.select_related("program", "group", "venue"), program=program, pk=pk
    )
    return program, activity


def may_read_materials(user, program):
    """Organizers and leadership who may read the program, and its active trainees."""
    if may_read(user, program):
        return True
    return Enrollment.objects.filter(
        program=program, trainee__user=user, status=Enrollment.Status.ACTIVE
    ).exists()
