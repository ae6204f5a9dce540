"""Who may see and change a program: the one place the trainees app decides it.

- organizers of a program (and superusers) read and change it;
- the leadership of the top of the unit tree (a Leader of the root unit: the city bureau of a
  single-city installation, or the province, 省公安厅, above the city bureaus) reads every
  program and changes none (403 on a change);
- the leadership of a city bureau under a province (or of a province that is not the root)
  reads the programs organized in its subtree (Program.bureau) and the dashboards of its
  subtree's trainees, in any program: in a province-wide program, counting its own city's
  trainees only. The program pages of a program organized elsewhere show every unit: 404;
- the leadership of a branch (a Leader of any other unit) reads the dashboards of its own
  units only (reports.selectors), and gets 404 on the program pages;
- anyone else, an organizer of another program or a trainee included, gets 404.

An organizer may be given a unit (OrganizerUnit: under a province, their city bureau): their
programs' bureau, the units they correct, the units their imports file trainees in and the
trainees they enroll stay in its subtree (`organizer_bound`).

A trainee's record (name, police ID, unit, position, gender, phone, the account) is shared by
every program he attends, over the years; what a program holds about him (scores, roll call,
leave, essays) is that program's. Who may do what to the shared record is decided here too
(`others_enrollments`, `held_by_others`, `trainee_refusal`) and enforced by the services, so
that the pages, the command line and an API answer alike. The README's "Roles" says it in
words.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from trainees.models import Enrollment, Leader, OrganizerUnit, Program, Unit
from trainees.roles import user_roles


@dataclass(frozen=True)
class Scope:
    """The units a reader sees: every unit (`unit_ids` None), those of a subtree, or none;
    and `bureau_ids`, the units whose programs (Program.bureau) the leader reads in full (a
    city bureau's or a province's subtree; empty for a branch)."""

    unit: object = None  # the leader's unit; None for an organizer or a superuser
    unit_ids: frozenset | None = None
    nothing: bool = False
    bureau_ids: frozenset = frozenset()

    @property
    def everything(self):
        return not self.nothing and self.unit_ids is None

    def covers(self, unit_id):
        return not self.nothing and (self.unit_ids is None or unit_id in self.unit_ids)


def is_top(unit):
    """Whether `unit`'s leadership reads everything: the root of the tree, unless the tree has
    a province (省公安厅) and `unit` is not one. A single-city installation (no province)
    keeps its city bureau at the top; under a province, a unit left at the root by an import
    of a program without a bureau reads its own subtree, not the province."""
    if unit.parent_id is not None:
        return False
    return (
        unit.kind == Unit.Kind.PROVINCE or not Unit.objects.filter(kind=Unit.Kind.PROVINCE).exists()
    )


def leader_scope(user):
    """The Scope of a leadership account (cached on the user for the request): everything
    for the top of the tree (is_top); its unit's subtree, with the programs organized there
    for a city bureau or a province (Unit.reads_programs); nothing without a unit. Superusers
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
        elif is_top(leader.unit):
            scope = Scope(unit=leader.unit)
        else:
            ids = frozenset(leader.unit.descendant_ids())
            scope = Scope(
                unit=leader.unit,
                unit_ids=ids,
                bureau_ids=ids if leader.unit.reads_programs else frozenset(),
            )
    user._jingxun_scope = scope
    return scope


def dashboard_scope(user):
    """(the programs whose dashboards `user` reads, the ids of the units whose trainees count
    in them, or None for every unit). Organizers read the programs they organize; the top's
    leadership every program; a city bureau's (under a province) the programs organized in
    its city and those its units attended (a province-wide program), a branch's the programs
    its units attended, each counting its own units' trainees only. A leadership account
    without a unit, or another role: 403."""
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
        read = Q(pk__in=attended.values("pk"))
        if scope.bureau_ids:
            read |= Q(bureau_id__in=scope.bureau_ids)
        return Program.objects.filter(read), scope.unit_ids
    if roles.organizer:
        return Program.objects.filter(organizers=user), None
    raise PermissionDenied


def reads_every_program(user):
    """Superusers, and the leadership of the top of the unit tree (is_top)."""
    if user.is_superuser:
        return True
    return user_roles(user).leadership and leader_scope(user).everything


def leadership_reads(user, program):
    """Whether `user` reads `program`'s pages as its leadership (changing none): the top's
    leadership every program, a city bureau's (or a province's) those organized in its
    subtree."""
    if reads_every_program(user):
        return True
    if not user_roles(user).leadership or program.bureau_id is None:
        return False
    return program.bureau_id in leader_scope(user).bureau_ids


def reads_programs(user):
    """Whether any program page may be open to `user` as leadership (the navbar's 培训班)."""
    return reads_every_program(user) or (
        user_roles(user).leadership and bool(leader_scope(user).bureau_ids)
    )


def readable_programs(user):
    """The programs whose pages `user` reads: every one for a superuser and the top's
    leadership; those they organize, and for a city bureau's leadership those organized in
    its subtree; none for a branch's leadership (it reads the dashboards)."""
    if reads_every_program(user):
        return Program.objects.all()
    read = Q(pk__in=Program.objects.filter(organizers=user).values("pk"))
    if user_roles(user).leadership and leader_scope(user).bureau_ids:
        read |= Q(bureau_id__in=leader_scope(user).bureau_ids)
    return Program.objects.filter(read)


def program_for(user, code, *, change=False):
    """The program `code` if `user` may read it (or change it, with change=True), else 404/403."""
    program = get_object_or_404(Program, code=code)
    if user.is_superuser:
        return program
    roles = user_roles(user)
    if roles.organizer and program.organizers.filter(pk=user.pk).exists():
        return program
    if leadership_reads(user, program):
        if change:
            raise PermissionDenied
        return program
    raise Http404


def may_read(user, program):
    """What program_for allows, as a yes or no (for a check that has other ways in)."""
    if leadership_reads(user, program):
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


# An organizer's unit -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """An organizer's unit (OrganizerUnit) and the ids of its subtree: what they reach."""

    unit: object
    unit_ids: frozenset

    def covers(self, unit_id):
        return unit_id in self.unit_ids


def organizer_bound(user):
    """The Bound of an organizer who has a unit (cached on the user for the request), None
    for one without (a single-city installation), a superuser, or without a user (the command
    line, the demo: run by the server's administrator)."""
    if user is None or user.is_superuser:
        return None
    cached = getattr(user, "_jingxun_bound", False)
    if cached is not False:
        return cached
    own = OrganizerUnit.objects.select_related("unit").filter(user=user).first()
    bound = None if own is None else Bound(own.unit, frozenset(own.unit.descendant_ids()))
    user._jingxun_bound = bound
    return bound


def bureau_choices(user, current=None):
    """The units `user` may name as a program's bureau: a province, a city bureau, or a root
    of the tree (a bureau not yet filed under one); an organizer with a unit, those in its
    subtree only (and `current`, the bureau the program has). None if the bureau may stay
    empty: it may not for an organizer with a unit, whose roster's new units it files."""
    units = Unit.objects.filter(
        Q(parent__isnull=True) | Q(kind__in=[Unit.Kind.PROVINCE, Unit.Kind.BUREAU])
    )
    bound = organizer_bound(user)
    if bound is not None:
        within = Q(pk__in=bound.unit_ids) & (
            Q(pk=bound.unit.pk) | Q(kind__in=[Unit.Kind.PROVINCE, Unit.Kind.BUREAU])
        )
        units = Unit.objects.filter(within | Q(pk=getattr(current, "pk", None)))
    return units.order_by("name")


# The shared record of a trainee -------------------------------------------------------------
RESET, WITHDRAW, ERASE = "reset", "withdraw", "erase"


def others_enrollments(user, trainee_ids):
    """The enrollments of these trainees in programs `user` does not organize: what `user`
    must neither read nor reach through the shared record. None for a superuser, or without
    a user (the command line, the demo: run by the server's administrator)."""
    if user is None or user.is_superuser:
        return Enrollment.objects.none()
    return Enrollment.objects.filter(trainee_id__in=list(trainee_ids)).exclude(
        program__organizers=user
    )


def held_by_others(user, trainee_ids):
    """The ids of those trainees who are active in a program `user` does not organize and
    that has not ended: while it runs (or before it starts), its organizers keep their
    record, and an import of `user` does not change it."""
    return set(
        others_enrollments(user, trainee_ids)
        .filter(status=Enrollment.Status.ACTIVE, program__end_date__gte=timezone.localdate())
        .values_list("trainee_id", flat=True)
    )


def known_to(user, trainee_ids):
    """The ids of those trainees enrolled in a program `user` organizes (every one for a
    superuser or without a user): whose stored record `user` may already read."""
    trainee_ids = list(trainee_ids)
    if user is None or user.is_superuser:
        return set(trainee_ids)
    return set(
        Enrollment.objects.filter(trainee_id__in=trainee_ids, program__organizers=user)
        .values_list("trainee_id", flat=True)
        .distinct()
    )


def trainee_refusal(user, trainee, action):
    """Why `user`, an organizer of one of the trainee's programs, may not give him a new
    password (RESET), withdraw him from that program (WITHDRAW) or erase his personal data
    (ERASE); None if they may.

    - A new password opens his account, and with it what every program he attended holds
      about him: only for a trainee who attends no program `user` does not organize.
    - Erasure changes his record in every program: likewise.
    - A withdrawal is refused while he is active in a program of others that has not ended:
      the two programs' organizers settle where he is, through an administrator.
    A superuser may do each (the administrator named in the messages).
    """
    others = others_enrollments(user, [trainee.pk])
    if action == WITHDRAW:
        if trainee.pk in held_by_others(user, [trainee.pk]):
            return _(
                "%(name)s is also active in a program you do not organize that has not "
                "ended: only an administrator can withdraw them."
            ) % {"name": trainee.name}
        return None
    if others.exists():
        if action == RESET:
            message = _(
                "%(name)s also attends programs you do not organize, and their account "
                "opens them: only an administrator can give them a new password."
            )
        else:
            message = _(
                "%(name)s also attends programs you do not organize, whose records hold "
                "their data: only an administrator can erase it."
            )
        return message % {"name": trainee.name}
    return None


class TraineeRefused(PermissionDenied):
    """`trainee_refusal` said no: the message says why and who can."""


# A trainee's learning file (学习档案), across programs ------------------------------------------


def trainee_programs(user, trainee):
    """The programs of `trainee` whose records `user` reads in the learning file, or 404.

    - the trainee reads every program of his own;
    - the leadership reads every program of a trainee of its units (the city bureau: of
      every trainee), the superuser every program of everyone (dashboard_scope);
    - an organizer reads the programs he organizes, and nothing of the others: their
      titles, hours, scores and certificates are what those programs hold (others_enrollments);
    - anyone else, or a reader for whom no program is left, gets 404.
    """
    if trainee.user_id is not None and trainee.user_id == user.pk:
        return Program.objects.filter(enrollments__trainee=trainee)
    roles = user_roles(user)
    if not (user.is_superuser or roles.organizer or roles.leadership):
        raise Http404
    programs, unit_ids = dashboard_scope(user)
    if unit_ids is not None and trainee.unit_id not in unit_ids:
        raise Http404
    programs = Program.objects.filter(pk__in=programs.values("pk"), enrollments__trainee=trainee)
    if not programs.exists():
        raise Http404
    return programs


def dashboard_bound(user):
    """The Bound of an organizer with a unit on the dashboards, whose filter offers the units
    under it. None for the leadership (dashboard_scope bounds it) and superusers."""
    if user.is_superuser or user_roles(user).leadership:
        return None
    return organizer_bound(user)


def unit_hidden(user, unit):
    """Whether `user`, an organizer with a unit, may not name `unit` on the dashboards (the
    filter, a unit's drill-down, its learning files): another city's units are not theirs to
    see, as on the units page, unless a trainee of their programs sits in or under it."""
    bound = dashboard_bound(user)
    if bound is None or bound.covers(unit.pk):
        return False
    return not Enrollment.objects.filter(
        program__organizers=user, trainee__unit_id__in=unit.descendant_ids()
    ).exists()


def unit_programs(user, unit):
    """(the programs, the ids of the units) whose trainees' learning files `user` exports
    for `unit`: the leadership of `unit` or of a unit above it, every program of its trainees
    (of the unit and the units under it); an organizer, the programs he organizes; 403 for a
    trainee, 404 for a unit outside the leadership's, or hidden from an organizer (unit_hidden)."""
    programs, unit_ids = dashboard_scope(user)
    if unit_ids is not None and unit.pk not in unit_ids:
        raise Http404
    if unit_hidden(user, unit):
        raise Http404
    return programs, unit.descendant_ids()


def unit_refusal(user, unit):
    """Why `user` may not correct `unit` (its name, kind, parent, email); None if they may.

    The unit tree is the bureau's, shared by every program: a unit's place decides which
    leadership reads its trainees' figures, its name is printed in every program's report, and
    its email receives score reports. An organizer corrects a unit in or under which sits no
    trainee of a program they do not organize, and that organizes no program of others; an
    email, which receives other programs' reports, only an administrator sets. An organizer
    with a unit (OrganizerUnit) corrects the units under it only, never that unit itself."""
    if user.is_superuser:
        return None
    bound = organizer_bound(user)
    if bound is not None and unit.pk == bound.unit.pk:
        return _("%(unit)s is the unit of your account: only an administrator can change it.") % {
            "unit": unit.name
        }
    if bound is not None and not bound.covers(unit.pk):
        return _(
            "%(unit)s is not under %(own)s, the unit of your account: only an administrator "
            "can change it."
        ) % {"unit": unit.name, "own": bound.unit.name}
    units = unit.descendant_ids()
    # A unit with an email receives score reports (the default list takes the political
    # department and the branches by their place and name): renamed or moved by an organizer,
    # it would take another program's rows to its mailbox, or lose them.
    if Unit.objects.filter(pk__in=units).exclude(email="").exists():
        return _(
            "%(unit)s, or a unit under it, receives score reports by email: only an "
            "administrator can change it."
        ) % {"unit": unit.name}
    others = Enrollment.objects.filter(trainee__unit_id__in=units).exclude(program__organizers=user)
    bureau_of_others = Program.objects.filter(bureau_id__in=units).exclude(organizers=user)
    if others.exists() or bureau_of_others.exists():
        return _(
            "Trainees of programs you do not organize belong to %(unit)s or the units under it: "
            "only an administrator can change it."
        ) % {"unit": unit.name}
    return None
