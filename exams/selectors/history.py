"""The exams app's part of a trainee's history (trainees.audit): the kept changes of their
scores. Registered in ExamsConfig.ready()."""

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from exams.models import Answer, Attempt, ScoreChange
from trainees.audit import Change, HistoryEntry, label, shown

# The reasons the exams services (attempts, grading, paper) give a change of a score.
SCORE_REASONS = {
    "submitted": _("Submitted"),
    "graded": _("Graded"),
    "short answer": _("Short answer"),
    "paper scores": _("Score grid"),
    "paper import": _("Import scores"),
}


def score_history(enrollment):
    """The kept changes of the trainee's scores, and of the points of each answer graded by
    hand (trainees.audit): one query."""

    def number(value):
        return shown(None if value is None else format(value.normalize(), "f"))

    entries = []
    for change in ScoreChange.objects.filter(attempt__enrollment=enrollment).select_related(
        "attempt__exam", "question", "changed_by"
    ):
        subject = change.attempt.exam.title
        changes = []
        if change.question_id is not None:
            subject = f"{subject} · {Truncator(change.question.text).chars(24)}"
            if change.old_points != change.new_points:
                changes.append(
                    Change(
                        label(Answer, "points_awarded"),
                        number(change.old_points),
                        number(change.new_points),
                    )
                )
        if change.old_score != change.new_score or not changes:
            changes.append(
                Change(label(Attempt, "score"), number(change.old_score), number(change.new_score))
            )
        entries.append(
            HistoryEntry(
                when=change.changed_at,
                topic=label(Attempt, "score"),
                subject=subject,
                changes=changes,
                who=change.changed_by,
                note=SCORE_REASONS.get(change.reason, change.reason),
            )
        )
    return entries
