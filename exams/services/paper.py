"""Scores of a paper exam: typed in the score grid (paper_scores_set), or read from a
spreadsheet (scores_import): 警号 and 成绩 (and 姓名, checked if present). Every score is checked
first; one error and nothing is written. Each change is kept (ScoreChange)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.models import Attempt, ScoreChange
from exams.services.grading import ScoreError
from exams.services.numbers import plain
from trainees.spreadsheets import SpreadsheetError, SpreadsheetFileError, read_table
from trainees.summaries import programs_changed

COLUMNS = {
    "police_id": ("警号", "police_id", "policeid"),
    "name": ("姓名", "name"),
    "score": ("成绩", "分数", "得分", "score"),
}
REQUIRED = ("police_id", "score")


@dataclass
class ScoreImport:
    scores: dict = field(default_factory=dict)  # enrollment id → Decimal
    errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (row number, enrollment, score) for the preview


def scores_import(*, exam, name, content, user, dry_run=False):
    """Read, check every row against the program's roster and the full marks, then save."""
    try:
        table = read_table(
            name,
            content,
            COLUMNS,
            REQUIRED,
            _("No header row found: the file needs 警号 and 成绩."),
        )
    except SpreadsheetFileError as error:
        return ScoreImport(errors=[SpreadsheetError(None, "", str(error))])
    result = ScoreImport()
    if not table.rows:
        result.errors.append(SpreadsheetError(None, "", _("The file has no scores.")))
        return result
    enrollments = {
        e.trainee.police_id: e
        for e in exam.program.enrollments.filter(status="active").select_related("trainee")
    }
    seen = {}
    for row in table.rows:
        police_id, text = row.values.get("police_id", ""), row.values.get("score", "")
        column = table.columns

        def error(key, message, row=row, column=column):
            result.errors.append(SpreadsheetError(row.number, column[key], message))

        enrollment = enrollments.get(police_id)
        if enrollment is None:
            error(
                "police_id",
                _("No trainee of this program has the police ID %(id)s.")
                % {"id": police_id or "—"},
            )
            continue
        if police_id in seen:
            error("police_id", _("The same police ID as row %(row)s.") % {"row": seen[police_id]})
            continue
        seen[police_id] = row.number
        name_given = row.values.get("name", "")
        if name_given and name_given != enrollment.trainee.name:
            error(
                "name",
                _("The police ID %(id)s belongs to %(name)s.")
                % {"id": police_id, "name": enrollment.trainee.name},
            )
            continue
        try:
            score = Decimal(text)
            if not score.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            error("score", _("“%(value)s” is not a number.") % {"value": text or "—"})
            continue
        if not (0 <= score <= exam.full_marks) or score != score.quantize(Decimal("0.1")):
            error(
                "score",
                _("A score is between 0 and %(max)s, with at most one decimal.")
                % {"max": plain(exam.full_marks)},
            )
            continue
        result.scores[enrollment.pk] = score
        result.rows.append((row.number, enrollment, score))
    if result.errors or dry_run:
        return result
    paper_scores_set(exam=exam, scores=result.scores, user=user, reason="paper import")
    return result


@transaction.atomic
def paper_scores_set(*, exam, scores, user, reason="paper scores", now=None):
    """Scores of a paper exam: `scores` is {enrollment id: Decimal or None}. All are checked
    against the full marks first; each change is kept."""
    now = now or timezone.now()
    enrollments = {e.pk: e for e in exam.program.enrollments.select_related("trainee")}
    errors = []
    for enrollment_id, score in scores.items():
        if enrollment_id not in enrollments:
            errors.append(_("A trainee is not in this program; reload the page."))
        elif score is not None and not (0 <= score <= exam.full_marks):
            errors.append(
                _("%(name)s: a score must be between 0 and %(max)s.")
                % {"name": enrollments[enrollment_id].trainee.name, "max": plain(exam.full_marks)}
            )
    if errors:
        raise ScoreError(errors)
    attempts = {
        a.enrollment_id: a
        for a in Attempt.objects.select_for_update().filter(exam=exam, enrollment_id__in=scores)
    }
    new, changes = [], []
    for enrollment_id, score in scores.items():
        attempt = attempts.get(enrollment_id)
        if attempt is None:
            if score is None:
                continue
            attempt = Attempt(exam=exam, enrollment_id=enrollment_id)
            new.append(attempt)
        elif attempt.score == score:
            continue
        changes.append((attempt, attempt.score, score))
        attempt.score = score
        attempt.submitted_at = attempt.submitted_at or now
        attempt.status = Attempt.Status.GRADED
    Attempt.objects.bulk_create(new)
    programs_changed([exam.program_id])  # bulk: the dashboards' summaries do not see it
    Attempt.objects.bulk_update(
        [a for a, _old, _new in changes if a not in new], ["score", "submitted_at", "status"]
    )
    ScoreChange.objects.bulk_create(
        ScoreChange(
            attempt=attempt,
            old_score=old,
            new_score=score,
            changed_by=user,
            changed_at=now,
            reason=reason,
        )
        for attempt, old, score in changes
    )
    return len(changes)
