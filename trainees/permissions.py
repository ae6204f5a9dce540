"""Who may see and change a program: the one place the trainees app decides it.

- organizers of a program (and superusers) read and change it;
- leadership reads every program and changes none (403 on a change);
- anyone else, an organizer of another program or a trainee included, gets 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from trainees.models import Program
from trainees.roles import user_roles


def program_for(user, code, *, change=False):
    """The program `code` if `user` may read it (or change it, with change=True), else 404/403."""
    program = get_object_or_404(Program, code=code)
    if user.is_superuser:
        return program
    roles = user_roles(user)
    if roles.organizer and program.organizers.filter(pk=user.pk).exists():
        return program
    if roles.leadership:
        if change:
            raise PermissionDenied
        return program
    raise Http404


def may_read(user, program):
    """What program_for allows, as a yes or no (for a check that has other ways in)."""
    if user.is_superuser:
        return True
    roles = user_roles(user)
    if roles.leadership:
        return True
    return roles.organizer and program.organizers.filter(pk=user.pk).exists()


def may_change(user, program):
    """For templates: whether to offer the buttons that change `program`."""
    if user.is_superuser:
        return True
    return user_roles(user).organizer and program.organizers.filter(pk=user.pk).exists()


class ProgramMixin:
    """Class-based views of one program: sets self.program from the URL's `code`."""

    change = False

    def dispatch(self, request, *args, **kwargs):
        self.program = program_for(request.user, kwargs["code"], change=self.change)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            program=self.program, can_change=may_change(self.request.user, self.program), **kwargs
        )
