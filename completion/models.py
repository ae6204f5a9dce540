"""Closing a program (结业): course evaluation (评教), study hours (学时), completion and its
certificates (结业证书).

Anonymity of the evaluation: an `Evaluation` (one trainee's answer about one activity) points
to the activity only, never to a trainee, an enrollment or a user, and carries no time of its
own; its primary key is a random UUID, so neither an id nor an order of insertion joins it to
the `EvaluationReceipt` that refuses a second answer (activity and enrollment, and nothing
else). The receipt and the answer are written in one transaction.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.models import Activity
from trainees.models import Enrollment, Program

# The kinds of activity whose teaching is evaluated, and that count for study hours, unless a
# program chooses otherwise.
EVALUATED_KINDS = ["lecture", "case_study", "experience", "onsite", "forum"]
COUNTED_KINDS = [
    "lecture",
    "case_study",
    "experience",
    "onsite",
    "discussion",
    "forum",
    "film",
    "drill",
    "visit",
]
DEFAULT_ITEMS = ["内容针对性", "讲授水平", "实用性", "总体评价"]


def new_token():
    return secrets.token_urlsafe(24)


class ProgramClosing(models.Model):
    """A program's rules for its close: study hours, evaluation, completion; and its close."""

    program = models.OneToOneField(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="closing"
    )
    hour_minutes = models.PositiveSmallIntegerField(
        _("Minutes in a study hour"), default=45, validators=[MinValueValidator(1)]
    )
    counted_kinds = models.JSONField(_("Kinds that count for study hours"), default=list)
    evaluated_kinds = models.JSONField(_("Kinds that trainees evaluate"), default=list)
    evaluation_days = models.PositiveSmallIntegerField(
        _("Days to evaluate after an activity ends"), default=3
    )
    min_attendance_rate = models.DecimalField(
        _("Minimum attendance rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    require_graduation_pass = models.BooleanField(_("Graduation exam passed"), default=False)
    require_essay = models.BooleanField(
        _("Essay handed in and graded 合格 or better"), default=False
    )
    closed_at = models.DateTimeField(_("Closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Program closing")
        verbose_name_plural = _("Program closings")

    def __str__(self):
        return str(self.program)


class EvaluationItem(models.Model):
    """One item of a program's evaluation form, scored 1–5."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("Program"),
        on_delete=models.CASCADE,
        related_name="evaluation_items",
    )
    position = models.PositiveSmallIntegerField(_("Position"), default=0)
    text = models.CharField(_("Item"), max_length=100)

    class Meta:
        verbose_name = _("Evaluation item")
        verbose_name_plural = _("Evaluation items")
        ordering = ["program", "position", "pk"]

    def __str__(self):
        return self.text


class Evaluation(models.Model):
    """One trainee's anonymous answer about one activity: no trainee, no time (module doc)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    activity = models.ForeignKey(
        Activity, verbose_name=_("Activity"), on_delete=models.CASCADE, related_name="evaluations"
    )
    comment = models.TextField(_("Comment"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("Evaluation")
        verbose_name_plural = _("Evaluations")

    def __str__(self):
        return str(self.activity)


class EvaluationScore(models.Model):
    """The score (1–5) of one item in one evaluation."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("Evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        EvaluationItem, verbose_name=_("Item"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(
        _("Score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("Evaluation score")
        verbose_name_plural = _("Evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="evaluation_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="evaluation_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.score}"


class EvaluationReceipt(models.Model):
    """That a trainee has evaluated an activity: what refuses a second answer. It says
    nothing of the answer, and nothing joins it to one (no time, no order)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("Activity"), on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("Trainee"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("Evaluation receipt")
        verbose_name_plural = _("Evaluation receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "enrollment"], name="evaluation_receipt_once"
            )
        ]

    def __str__(self):
        return f"{self.activity_id}/{self.enrollment_id}"


class Completion(models.Model):
    """A trainee's result when the program closed: frozen then, never recomputed."""

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("Trainee"), on_delete=models.CASCADE, related_name="completion"
    )
    completed = models.BooleanField(_("Completed"))
    hours = models.DecimalField(_("Study hours"), max_digits=6, decimal_places=1, default=0)
    attendance_rate = models.DecimalField(
        _("Attendance rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    shortfalls = models.JSONField(_("Rules not met"), default=list, blank=True)
    exception_reason = models.CharField(_("Exception granted because"), max_length=200, blank=True)
    exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Exception granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("Decided at"))

    class Meta:
        verbose_name = _("Completion")
        verbose_name_plural = _("Completions")

    def __str__(self):
        return str(self.enrollment)


class CompletionException(models.Model):
    """An exception to the completion rules (特批), granted to one trainee before the close,
    with why and by whom. The close copies it into the trainee's Completion (exception_reason,
    exception_by) if the trainee falls short of a rule; until then it may be withdrawn."""

    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("Trainee"),
        on_delete=models.CASCADE,
        related_name="completion_exception",
    )
    reason = models.CharField(_("Exception granted because"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Exception granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("Granted at"))

    class Meta:
        verbose_name = _("Completion exception")
        verbose_name_plural = _("Completion exceptions")

    def __str__(self):
        return str(self.enrollment)


class Certificate(models.Model):
    """A completion certificate (结业证书): its serial is unique across every program
    (CZ2023-0042); its public verification page is reached by `token`, never by the serial."""

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("Trainee"), on_delete=models.PROTECT, related_name="certificate"
    )
    serial = models.CharField(_("Serial number"), max_length=40, unique=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    hours = models.DecimalField(_("Study hours"), max_digits=6, decimal_places=1, default=0)
    issued_at = models.DateTimeField(_("Issued at"))
    revoked_at = models.DateTimeField(_("Revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("Reason for revoking"), max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Certificate")
        verbose_name_plural = _("Certificates")
        ordering = ["serial"]

    def __str__(self):
        return self.serial
