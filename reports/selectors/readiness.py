"""Whether a program's score report is ready to publish: what is not final yet, which the
confirmation page shows in red and a provisional report (暂定) names in its mail and files.

Incomplete, in the report's own terms (reports.selectors.report):

- an active trainee without a graduation score: no final score of the graduation exam that
  counts (not sat, still writing, or short answers not graded), or no graduation exam at all;
- a short answer waiting for grading (阅卷) in a handed-in attempt of the entry or the
  graduation exam that the report reads;
- an activity not closed: its roll call (点名) has not been closed (`closed_at` is empty).
  That is an ended activity whose roll call is still open (its missing trainees are not yet
  absent or on leave), or one under way or still to come (not in the attendance rate yet);
  the page lists the two apart;
- an essay handed in and not reviewed (no grade yet), or not handed in (none, a draft, or
  returned for revision).
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions.models import Essay
from exams.models import Answer, Question
from sessions.models import Activity
from trainees.models import Enrollment


@dataclass
class GroupMissing:
    """A group's trainees without a graduation score, out of `trainees` in the group."""

    name: str
    trainees: int
    rows: list  # reports.selectors.report.ReportRow, in roster order


@dataclass
class Readiness:
    """What is not final in a program's score report, as counts and lists to show."""

    trainees: int
    graduation_exam: object | None
    without_graduation: list = field(default_factory=list)  # GroupMissing, by group
    short_answers: list = field(default_factory=list)  # (exam, answers waiting), with some
    rollcall_open: list = field(default_factory=list)  # Activity: ended, roll call open
    to_come: list = field(default_factory=list)  # Activity: under way or still to come
    essays_unreviewed: int = 0
    essays_missing: int = 0

    @property
    def missing_graduation(self):
        return sum(len(group.rows) for group in self.without_graduation)

    @property
    def short_answers_waiting(self):
        return sum(count for _exam, count in self.short_answers)

    @property
    def complete(self):
        return not self.incomplete()

    def reasons(self):
        """Why the figures are provisional, one sentence each, in the active language (the
        published report keeps them as written then); empty when nothing is incomplete."""
        return [sentence for _kind, sentence in self.incomplete()]

    def incomplete(self):
        """[(kind, sentence)] of what is not final; the kind names the page's element."""
        items = []
        if self.graduation_exam is None and self.trainees:
            items.append(
                (
                    "no-graduation-exam",
                    _("The program has no graduation exam: no trainee has its score."),
                )
            )
        elif self.missing_graduation:
            groups = _(", ").join(
                _("%(group)s: %(count)s") % {"group": group.name, "count": len(group.rows)}
                for group in self.without_graduation
            )
            sentence = _(
                "%(missing)s of %(trainees)s trainees have no graduation score yet "
                "(%(groups)s); the pass rate counts only those who have one."
            ) % {"missing": self.missing_graduation, "trainees": self.trainees, "groups": groups}
            items.append(("graduation", sentence))
        if self.short_answers:
            exams = _(", ").join(
                _("%(exam)s: %(count)s") % {"exam": exam.title, "count": count}
                for exam, count in self.short_answers
            )
            sentence = _("%(count)s short answers are waiting for grading (%(exams)s).") % {
                "count": self.short_answers_waiting,
                "exams": exams,
            }
            items.append(("short-answers", sentence))
        if self.rollcall_open:
            sentence = _("%(count)s ended activities still have their roll call open.") % {
                "count": len(self.rollcall_open)
            }
            items.append(("rollcall-open", sentence))
        if self.to_come:
            sentence = _(
                "%(count)s activities are under way or still to come; the attendance rate "
                "counts the ended ones only."
            ) % {"count": len(self.to_come)}
            items.append(("to-come", sentence))
        if self.essays_unreviewed:
            sentence = _("%(count)s essays handed in are not reviewed yet.") % {
                "count": self.essays_unreviewed
            }
            items.append(("essays-unreviewed", sentence))
        if self.essays_missing:
            sentence = _("%(count)s of %(trainees)s trainees have not handed in their essay.") % {
                "count": self.essays_missing,
                "trainees": self.trainees,
            }
            items.append(("essays-missing", sentence))
        return items


def publish_readiness(program, report, *, now=None):
    """What is not final in `report` (program_report of the whole `program`, as it would be
    published): trainees without a graduation score by group, short answers waiting, activities
    not closed, essays not reviewed or not handed in. Three queries beyond the report's,
    whatever the size of the class."""
    now = now or timezone.now()
    by_group, missing = {}, {}
    for row in report.rows:
        group = row.group
        key = (group is None, group.number if group else None)
        by_group[key] = by_group.get(key, 0) + 1
        if row.graduation is None:
            missing.setdefault(key, (str(group) if group else _("No group"), []))[1].append(row)
    without_graduation = [
        GroupMissing(name=name, trainees=by_group[key], rows=rows)
        for key, (name, rows) in sorted(missing.items())
    ]

    exams = {exam.pk: exam for exam in (report.entry_exam, report.graduation_exam) if exam}
    waiting = (
        Answer.objects.filter(
            attempt__exam_id__in=exams,
            attempt__submitted_at__isnull=False,
            attempt__enrollment__status=Enrollment.Status.ACTIVE,
            question__kind=Question.Kind.SHORT_ANSWER,
            points_awarded__isnull=True,
        )
        .values_list("attempt__exam_id")
        .annotate(count=Count("pk"))
        .order_by("attempt__exam_id")
    )
    short_answers = [(exams[exam_id], count) for exam_id, count in waiting] if exams else []

    open_activities = list(
        Activity.objects.filter(program=program, closed_at__isnull=True)
        .select_related("group")
        .only("title", "starts_at", "ends_at", "group__number", "group__name")
        .order_by("starts_at", "group__number")
    )

    handed_in = unreviewed = 0
    for status, grade in Essay.objects.filter(
        enrollment__program=program, enrollment__status=Enrollment.Status.ACTIVE
    ).values_list("status", "grade"):
        if status == Essay.Status.SUBMITTED:
            handed_in += 1
            unreviewed += not grade
    return Readiness(
        trainees=len(report.rows),
        graduation_exam=report.graduation_exam,
        without_graduation=without_graduation,
        short_answers=short_answers,
        rollcall_open=[a for a in open_activities if a.ends_at <= now],
        to_come=[a for a in open_activities if a.ends_at > now],
        essays_unreviewed=unreviewed,
        essays_missing=len(report.rows) - handed_in,
    )
