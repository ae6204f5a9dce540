"""Question bank, exams, attempts and answers, and the history of score changes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trainees.models import Enrollment, Program

POINTS = {"max_digits": 6, "decimal_places": 1}


class Question(models.Model):
    """A question of the bank, reusable across exams so entry and graduation compare."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT_ANSWER = "short_answer", _("Short answer")

    kind = models.CharField(_("Question type"), max_length=20, choices=Kind)
    text = models.TextField(_("Question text"))
    points = models.DecimalField(_("Points"), default=1, **POINTS)
    explanation = models.TextField(_("Explanation"), blank=True)
    category = models.CharField(
        _("Category"),
        max_length=50,
        blank=True,
        help_text=_("E.g. laws and regulations, law-enforcement standards, community work."),
    )

    class Meta:
        verbose_name = _("Question")
        verbose_name_plural = _("Questions")
        ordering = ["category", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="question_points_positive"),
        ]

    def __str__(self):
        return self.text[:50]


class Choice(models.Model):
    """An option of a choice or true/false question."""

    question = models.ForeignKey(
        Question, verbose_name=_("Question"), on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(_("Choice"), max_length=500)
    is_correct = models.BooleanField(_("Correct"), default=False)

    class Meta:
        verbose_name = _("Choice")
        verbose_name_plural = _("Choices")
        ordering = ["question", "id"]

    def __str__(self):
        return self.text


class Exam(models.Model):
    """An exam of a program: the entry (摸底) or graduation (结业) exam, online or on paper."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entry exam")
        GRADUATION = "graduation", _("Graduation exam")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="exams"
    )
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind)
    title = models.CharField(_("Name"), max_length=200)
    mode = models.CharField(_("Mode"), max_length=10, choices=Mode, default=Mode.ONLINE)
    opens_at = models.DateTimeField(_("Opens at"))
    closes_at = models.DateTimeField(_("Closes at"))
    duration_minutes = models.PositiveSmallIntegerField(_("Duration (minutes)"), default=60)
    pass_mark = models.DecimalField(_("Pass mark"), default=60, **POINTS)
    partial_credit = models.BooleanField(
        _("Partial credit for multiple choice"),
        default=False,
        help_text=_(
            "A multiple-choice answer with some right options and no wrong one earns its share "
            "of the points; otherwise it is all or nothing."
        ),
    )
    full_marks = models.DecimalField(
        _("Full marks of a paper exam"),
        default=100,
        help_text=_("The highest score of a paper exam; an online exam totals its questions."),
        **POINTS,
    )
    released_at = models.DateTimeField(_("Scores released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Exam")
        verbose_name_plural = _("Exams")
        ordering = ["program", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="exam_closes_after_it_opens"
            ),
        ]

    def __str__(self):
        return self.title


class ExamQuestion(models.Model):
    """A question placed in an exam, with its order and its points in this exam."""

    exam = models.ForeignKey(
        Exam, verbose_name=_("Exam"), on_delete=models.CASCADE, related_name="exam_questions"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("Question"),
        on_delete=models.PROTECT,
        related_name="exam_questions",
    )
    order = models.PositiveSmallIntegerField(_("Order"), default=0)
    points = models.DecimalField(_("Points"), **POINTS)

    class Meta:
        verbose_name = _("Exam question")
        verbose_name_plural = _("Exam questions")
        ordering = ["exam", "order"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "question"], name="exam_question_unique"),
        ]

    def __str__(self):
        return f"{self.exam_id}#{self.order}"


class Attempt(models.Model):
    """A trainee's sitting of an exam: one per trainee per exam. Paper scores are kept here."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        GRADED = "graded", _("Graded")

    exam = models.ForeignKey(
        Exam, verbose_name=_("Exam"), on_delete=models.CASCADE, related_name="attempts"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("Trainee"), on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField(_("Starts at"), null=True, blank=True)
    deadline = models.DateTimeField(_("Deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)
    score = models.DecimalField(_("Score"), null=True, blank=True, **POINTS)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status, default=Status.IN_PROGRESS
    )

    class Meta:
        verbose_name = _("Exam attempt")
        verbose_name_plural = _("Exam attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "enrollment"], name="attempt_unique_enrollment"
            ),
        ]

    def __str__(self):
        return f"{self.exam_id}/{self.enrollment_id}"


class Answer(models.Model):
    """A trainee's answer to one question of an attempt."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("Exam attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("Question"), on_delete=models.PROTECT, related_name="answers"
    )
    # The ids of the chosen Choice rows. A list in the row, not a many-to-many table, so that
    # an autosave is one conditional UPDATE of one row (see services.attempts.answer_save).
    choices = models.JSONField(_("Chosen options"), default=list, blank=True)
    text = models.TextField(_("Answer"), blank=True)
    # The browser's clock (ms) when the trainee gave this answer: a save carrying an older
    # revision than the stored one is stale (a resend from another tab) and changes nothing.
    revision = models.BigIntegerField(_("Revision"), default=0)
    saved_at = models.DateTimeField(_("Saved at"), null=True, blank=True)
    points_awarded = models.DecimalField(_("Points awarded"), null=True, blank=True, **POINTS)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Graded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Answer")
        verbose_name_plural = _("Answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique_question"),
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.question_id}"


class ScoreChange(models.Model):
    """A change of an attempt's score: who, when, from what to what (and which answer)."""

    attempt = models.ForeignKey(
        Attempt,
        verbose_name=_("Exam attempt"),
        on_delete=models.CASCADE,
        related_name="score_changes",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("Question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    old_score = models.DecimalField(_("Old score"), null=True, blank=True, **POINTS)
    new_score = models.DecimalField(_("New score"), null=True, blank=True, **POINTS)
    # The points of `question`'s answer, when an organizer graded it: a grading that leaves the
    # total as it was (no points → 0) is kept too.
    old_points = models.DecimalField(_("Old points"), null=True, blank=True, **POINTS)
    new_points = models.DecimalField(_("New points"), null=True, blank=True, **POINTS)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for automatic grading."),
    )
    changed_at = models.DateTimeField(_("Changed at"))
    reason = models.CharField(_("Reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Score change")
        verbose_name_plural = _("Score changes")
        ordering = ["attempt", "changed_at", "id"]

    def __str__(self):
        return f"{self.attempt_id}: {self.old_score} → {self.new_score}"
