"""Sitting an online exam: starting, autosaving answers, handing in, and closing the attempts
whose time is up.

The server keeps the time of an online attempt: its deadline is set when it starts (start +
duration, capped by the exam's close) and no answer is taken after it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.models import Answer, Attempt, Exam, Question
from exams.selectors.keys import answer_key, attempt_owner
from exams.services.grading import attempt_grade
from trainees.rows import cache_per_process, execute, table
from trainees.text import without_control

MAX_TEXT = 5000  # characters of a short answer


class AttemptRefused(Exception):
    """The exam cannot be started (not open, closed, on paper, without questions)."""


class AnswerRefused(Exception):
    """An answer the server does not take: `closed`, the attempt is over; `missing`, it is
    not the user's or does not exist."""

    def __init__(self, message, *, closed=False, missing=False):
        super().__init__(message)
        self.closed, self.missing = closed, missing


def attempt_start(*, exam, enrollment, now=None):
    """The trainee's attempt, started now if it was not: deadline = now + duration, capped by
    the exam's close. Starting twice (two tabs, two phones) returns the same attempt."""
    now = now or timezone.now()
    existing = Attempt.objects.filter(exam=exam, enrollment=enrollment).first()
    if existing is not None and existing.started_at is not None:
        return existing
    if exam.mode != Exam.Mode.ONLINE:
        raise AttemptRefused(_("This exam is taken on paper."))
    if enrollment.status != enrollment.Status.ACTIVE:
        raise AttemptRefused(_("You have withdrawn from this program."))
    if now < exam.opens_at:
        raise AttemptRefused(_("This exam has not opened yet."))
    if now >= exam.closes_at:
        raise AttemptRefused(_("This exam is closed."))
    with transaction.atomic():
        # The exam's row orders a start with a change of its questions (exam_questions_set
        # locks it too): the answer rows are made for the questions the exam has now.
        Exam.objects.select_for_update(no_key=True).filter(pk=exam.pk).first()
        question_ids = list(exam.exam_questions.values_list("question_id", flat=True))
        if not question_ids:
            raise AttemptRefused(_("This exam has no questions yet."))
        attempt, created = Attempt.objects.get_or_create(
            exam=exam,
            enrollment=enrollment,
            defaults={
                "started_at": now,
                "deadline": min(now + timedelta(minutes=exam.duration_minutes), exam.closes_at),
            },
        )
        if created:
            # One row per question from the start: every autosave is then one UPDATE.
            Answer.objects.bulk_create(
                Answer(attempt=attempt, question_id=question_id) for question_id in question_ids
            )
    return attempt


def clean_answer(key, question_id, choices, text):
    """(choice ids, text) checked against the exam's key, or AnswerRefused."""
    entry = key.get(question_id)
    if entry is None:
        raise AnswerRefused(_("This question is not in the exam."))
    choices = sorted(set(choices))
    if not set(choices) <= entry.choice_ids:
        raise AnswerRefused(_("This option does not belong to the question."))
    if entry.kind in (Question.Kind.SINGLE, Question.Kind.TRUE_FALSE) and len(choices) > 1:
        raise AnswerRefused(_("Choose one option."))
    if entry.kind == Question.Kind.SHORT_ANSWER:
        # The autosave's JSON can carry "\u0000" and the like, which the forms' middleware
        # never sees: PostgreSQL refuses NUL, and an .xlsx any control character.
        text = without_control(text)
        if len(text) > MAX_TEXT:
            raise AnswerRefused(_("An answer has at most %(max)s characters.") % {"max": MAX_TEXT})
        return [], text
    return choices, ""


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as the browser sends it: its revision is the browser's clock (ms)."""

    question_id: int
    revision: int
    choices: tuple = ()
    text: str = ""


# An answer's revision once its attempt is handed in: no autosave carries a later one.
SEALED = 2**63 - 1


def answers_save(*, attempt_id, user, answers, now=None):
    """Autosave answers of the user's own attempt. Returns {question id: "saved" | "stale" |
    the reason it was refused}: "stale" when the stored answer is newer (a late resend from
    another tab), which stays. After the deadline or the hand-in, AnswerRefused(closed).

    Each answer is one UPDATE of its own row, guarded by its revision, with no lock and no
    transaction: handing in seals every answer row (revision = SEALED) before grading, so a
    save either lands before the seal and is graded, or finds the row sealed and changes
    nothing (PostgreSQL rechecks the revision on the row's newest version)."""
    now = now or timezone.now()
    owner = attempt_owner(attempt_id)
    if owner is None or owner.user_id != user.pk:
        raise AnswerRefused(_("No such exam attempt."), missing=True)
    if now > owner.deadline:
        owner = attempt_owner.reload(attempt_id)  # an organizer may have given more time
        if owner is None or now > owner.deadline:
            raise AnswerRefused(_("Time is up: this exam no longer takes answers."), closed=True)
    key = answer_key(owner.exam_id)
    # One answer per question, the newest: a body of 10,000 copies of one answer was 20,000
    # statements (an UPDATE each, and a SELECT for each that changed nothing).
    newest = {}
    for given in answers:
        kept = newest.get(given.question_id)
        if kept is None or given.revision > kept.revision:
            newest[given.question_id] = given
    outcome = {}
    for given in newest.values():
        try:
            choices, text = clean_answer(key, given.question_id, given.choices, given.text)
            if not 0 < given.revision < SEALED:
                raise AnswerRefused(_("Incomplete answer."))
        except AnswerRefused as refusal:
            outcome[given.question_id] = str(refusal)
            continue
        updated = answer_update(attempt_id, given.question_id, choices, text, given.revision, now)
        outcome[given.question_id] = (
            "saved" if updated else answer_not_saved(attempt_id, given.question_id)
        )
    return outcome


@cache_per_process
def answer_update_sql():
    quote = connection.ops.quote_name
    columns = [quote(Answer._meta.get_field(name).column) for name in ANSWER_WRITTEN]
    return (
        f"UPDATE {table(Answer)} SET {', '.join(f'{column} = %s' for column in columns)}"
        " WHERE attempt_id = %s AND question_id = %s AND revision < %s"
    )


ANSWER_WRITTEN = ("choices", "text", "revision", "saved_at")


def answer_update(attempt_id, question_id, choices, text, revision, now):
    """The autosave's UPDATE of one answer, only over an older revision: 1 if it changed the
    row. The ORM's `filter(...).update(...)`, with its SQL built once (trainees.rows: the exam
    rush sends it 220 times a minute) and each value prepared by its field, as the ORM does."""
    values = dict(zip(ANSWER_WRITTEN, (choices, text, revision, now), strict=True))
    params = [
        Answer._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    return execute(answer_update_sql(), [*params, attempt_id, question_id, revision])


def answer_not_saved(attempt_id, question_id):
    """Why an autosave changed no row (the rare path): "stale" if a newer answer is stored;
    AnswerRefused if the attempt is handed in or gone; a message if the row is missing."""
    revisions = dict(
        Answer.objects.filter(attempt_id=attempt_id).values_list("question_id", "revision")
    )
    if not revisions:
        attempt_owner.forget(attempt_id)
        raise AnswerRefused(_("No such exam attempt."), missing=True)
    if SEALED in revisions.values():  # handed in, by another tab or at the deadline
        raise AnswerRefused(_("This exam is handed in: it takes no more answers."), closed=True)
    if question_id not in revisions:
        return _("This question is not in the exam.")
    return "stale"


def answer_save(*, attempt_id, user, question_id, choices=(), text="", revision, now=None):
    """Autosave one answer: True if saved, False if a newer one is stored; AnswerRefused if
    the answer is not valid or time is up."""
    given = GivenAnswer(question_id, revision, tuple(choices), text)
    outcome = answers_save(attempt_id=attempt_id, user=user, answers=[given], now=now)
    if outcome[question_id] not in ("saved", "stale"):
        raise AnswerRefused(outcome[question_id])
    return outcome[question_id] == "saved"


def attempt_submit(*, attempt, answers=None, now=None):
    """Submit (once) and grade. `answers` (GivenAnswers) are the form's final values, saved
    first where newer than the stored ones, if the deadline has not passed. Returns (attempt,
    submitted now).
    Two submissions at once make one: the second finds the attempt submitted."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("exam")
            .get(pk=attempt.pk)
        )
        if attempt.submitted_at is not None:
            return attempt, False
        if answers and now <= attempt.deadline:
            key = answer_key(attempt.exam_id)
            for given in answers:
                try:
                    choices, text = clean_answer(key, given.question_id, given.choices, given.text)
                except AnswerRefused:
                    continue  # a tampered field is ignored; the saved answer stays
                # Only over an older answer: another phone may have saved a newer one since
                # this page was loaded.
                attempt.answers.filter(
                    question_id=given.question_id, revision__lt=given.revision
                ).update(choices=choices, text=text, revision=given.revision, saved_at=now)
        # The seal: it waits for any autosave of these rows in flight, and stops every later one.
        attempt.answers.update(revision=SEALED)
        attempt.submitted_at = min(now, attempt.deadline)
        attempt.status = Attempt.Status.SUBMITTED
        attempt.save(update_fields=["submitted_at", "status"])
        attempt_grade(attempt=attempt, reason="submitted")
    return attempt, True


def attempts_close_expired(*, exam=None, now=None):
    """Submit every attempt (of `exam`, if given) whose deadline has passed: Celery beat,
    and the results and grading pages of that exam."""
    now = now or timezone.now()
    expired = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now)
    if exam is not None:
        expired = expired.filter(exam=exam)
    closed = 0
    for attempt in expired.only("pk"):
        closed += attempt_submit(attempt=attempt, now=now)[1]
    return closed
