"""Who may see and change a program: the one place the trainees app decides it.

- organizers of a program (and superusers) read and change it;
- leadership of the city bureau (a Leader of a root unit) reads every program and changes
  none (403 on a change);
- the leadership of a branch (a Leader of any other unit) reads the dashboards of its own
  units only (reports.selectors), and gets 404 on the program pages, which show every unit;
- anyone else, an organizer of another program or a trainee included, gets 404.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from trainees.models import Leader, Program
from trainees.roles import user_roles


@dataclass(frozen=True)
class Scope:
    """The units a reader sees: every unit (`unit_ids` None), those of a subtree, or none."""

    unit: object = None  # the leader's unit; None for an organizer or a superuser
    unit_ids: frozenset | None = None
    nothing: bool = False

    @property
    def everything(self):
        return not self.nothing and self.unit_ids is None

    def covers(self, unit_id):
        return not self.nothing and (self.unit_ids is None or unit_id in self.unit_ids)


def leader_scope(user):
    """The Scope of a leadership account (cached on the user for the request): its unit's
    subtree, everything for a root unit (the city bureau), nothing without a unit. Superusers
    and organizers see every unit (organizers are limited to their programs elsewhere)."""
    cached = getattr(user, "_jingxun_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser or not user_roles(user).leadership:
        scope = Scope()
    else:
        leader = Leader.objects.select_related("unit").filter(user=user).first()
        if leader is None:
            scope = Scope(nothing=True)
        elif leader.unit.parent_id is None:
            scope = Scope(unit=leader.unit)
        else:
            scope = Scope(unit=leader.unit, unit_ids=frozenset(leader.unit.descendant_ids()))
    user._jingxun_scope = scope
    return scope


def dashboard_scope(user):
    """(the programs whose dashboards `user` reads, the ids of the units whose trainees count
    in them, or None for every unit). Organizers read the programs they organize, the city
    bureau's leadership every program, a branch's leadership the programs its units attended,
    counting its units only. A leadership account without a unit, or another role: 403."""
    if user.is_superuser:
        return Program.objects.all(), None
    roles = user_roles(user)
    if roles.leadership:
        scope = leader_scope(user)
        if scope.nothing:
            raise PermissionDenied(_("Your account has no unit yet; ask an administrator."))
        if scope.everything:
            return Program.objects.all(), None
        attended = Program.objects.filter(enrollments__trainee__unit_id__in=scope.unit_ids)
        return Program.objects.filter(pk__in=attended.values("pk")), scope.unit_ids
    if roles.organizer:
        return Program.objects.filter(organizers=user), None
    raise PermissionDenied


def reads_every_program(user):
    """Superusers, and the leadership of the city bureau."""
    if user.is_superuser:
        return True
    return user_roles(user).leadership and leader_scope(user).everything


def program_for(user, code, *, change=False):
    """The program `code` if `user` may read it (or change it, with change=True), else 404/403."""
    program = get_object_or_404(Program, code=code)
    if user.is_superuser:
        return program
    roles = user_roles(user)
    if roles.organizer and program.organizers.filter(pk=user.pk).exists():
        return program
    if reads_every_program(user):
        if change:
            raise PermissionDenied
        return program
    raise Http404


def may_read(user, program):
    """What program_for allows, as a yes or no (for a check that has other ways in)."""
    if reads_every_program(user):
        return True
    return user_roles(user).organizer and program.organizers.filter(pk=user.pk).exists()


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
