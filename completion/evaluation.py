"""Course evaluation (评教): the one rule of who may evaluate which activity, and until when.

A trainee evaluates an activity once, when:

- it is of a kind the program evaluates (`evaluated_kinds`: ProgramClosing.evaluated_kinds,
  or EVALUATED_KINDS when the program has no closing rules or chose none);
- it has ended, and the window to evaluate it is open: `evaluation_days` days from its end
  (ProgramClosing.evaluation_days, 3 unless the program says otherwise);
- they attended it (Attendance.ATTENDED: present, late or left early).

That it is once is the receipt's unique constraint (completion.services.evaluation). The
service, the list of what is waiting and the link on "my day" all ask `refusal`.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _

from completion.models import EVALUATED_KINDS, ProgramClosing
from sessions.models import Attendance

DEFAULT_DAYS = ProgramClosing._meta.get_field("evaluation_days").default


@dataclass(frozen=True)
class Rules:
    """What a program evaluates: the kinds of activity, and the days from an end to answer."""

    kinds: tuple
    days: int

    @classmethod
    def of(cls, kinds=None, days=None):
        """The rules from a ProgramClosing's two fields (None without a closing row)."""
        return cls(
            kinds=tuple(kinds) if kinds else tuple(EVALUATED_KINDS),
            days=DEFAULT_DAYS if days is None else days,
        )


def closing_of(program):
    """The program's ProgramClosing, or None (read once: Django keeps the answer, even none,
    on the program, and select_related("closing") reads it with the program)."""
    try:
        return program.closing
    except ProgramClosing.DoesNotExist:
        return None


def evaluation_rules(program):
    """The program's Rules."""
    closing = closing_of(program)
    if closing is None:
        return Rules.of()
    return Rules.of(closing.evaluated_kinds, closing.evaluation_days)


def evaluated_kinds(program):
    """The kinds of activity the program's trainees evaluate."""
    return list(evaluation_rules(program).kinds)


def deadline(activity, rules):
    """The moment the window to evaluate `activity` closes."""
    return activity.ends_at + timedelta(days=rules.days)


def refusal(activity, *, status, rules, now):
    """Why a trainee whose roll-call status for `activity` is `status` (None without a record)
    may not evaluate it at `now`; None if they may (the receipt decides "once")."""
    if activity.kind not in rules.kinds:
        return _("This activity is not evaluated.")
    if now < activity.ends_at:
        return _("This activity has not ended yet.")
    if now >= deadline(activity, rules):
        return _("The time to evaluate this activity is over.")
    if status not in Attendance.ATTENDED:
        return _("Only the trainees who attended an activity evaluate it.")
    return None
