"""What every autosave reads, kept in the process so that it costs no query: an exam's answer
key (answer_key) and whose an attempt is, until when (attempt_owner)."""

import time
from dataclasses import dataclass
from decimal import Decimal

from exams.models import Attempt, Choice, ExamQuestion


@dataclass(frozen=True)
class KeyEntry:
    kind: str
    points: Decimal
    choice_ids: frozenset
    correct_ids: frozenset


class AnswerKey:
    """{question id: KeyEntry} of an exam, kept a minute in this process: every autosave
    checks its answer against it, so it must cost nothing (no query, no cache round trip, no
    unpickling). An exam's questions are frozen once started, so a stale key can only miss an
    admin's edit of an option, for a minute."""

    timeout = 60

    def __init__(self):
        self.kept = {}  # exam id → (expires at, key)

    def __call__(self, exam_id):
        now = time.monotonic()
        expires, key = self.kept.get(exam_id, (0, None))
        if key is None or expires < now:
            key = self.load(exam_id)
            self.kept[exam_id] = (now + self.timeout, key)
        return key

    def load(self, exam_id):
        rows = ExamQuestion.objects.filter(exam_id=exam_id).values_list(
            "question_id", "question__kind", "points"
        )
        ids, correct = {}, {}
        choices = Choice.objects.filter(question__exam_questions__exam_id=exam_id).values_list(
            "question_id", "pk", "is_correct"
        )
        for question_id, pk, is_correct in choices:
            ids.setdefault(question_id, set()).add(pk)
            if is_correct:
                correct.setdefault(question_id, set()).add(pk)
        return {
            question_id: KeyEntry(
                kind,
                points,
                frozenset(ids.get(question_id, ())),
                frozenset(correct.get(question_id, ())),
            )
            for question_id, kind, points in rows
        }

    def forget(self, exam_id):
        self.kept.pop(exam_id, None)


answer_key = AnswerKey()


@dataclass(frozen=True)
class AttemptOwner:
    user_id: int
    exam_id: int
    deadline: object


class AttemptOwners:
    """Whose an attempt is, of which exam, until when: fixed when it starts, so each process
    reads it once and an autosave costs no query for it. (Whether it is still open is not
    kept here: the answer rows say so, see services.attempts.answers_save. A deadline that seems
    passed is read again, in case an organizer gave more time.)"""

    most = 20_000

    def __init__(self):
        self.kept = {}

    def __call__(self, attempt_id):
        owner = self.kept.get(attempt_id)
        return owner if owner is not None else self.reload(attempt_id)

    def reload(self, attempt_id):
        row = (
            Attempt.objects.filter(pk=attempt_id, started_at__isnull=False)
            .values_list("enrollment__trainee__user_id", "exam_id", "deadline")
            .first()
        )
        if row is None:
            self.forget(attempt_id)
            return None
        if len(self.kept) >= self.most:
            self.kept.clear()
        owner = self.kept[attempt_id] = AttemptOwner(*row)
        return owner

    def forget(self, attempt_id):
        self.kept.pop(attempt_id, None)


attempt_owner = AttemptOwners()
