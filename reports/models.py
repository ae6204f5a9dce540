"""The score report (成绩通报) of a program: its recipients, and each published report with its
frozen files and its outbox of emails (reports.services.outbox, reports.services.sending)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trainees.models import Enrollment, Program, Trainee, Unit


class ReportRecipient(models.Model):
    """Who a program's score report is mailed to, and which rows they get: the whole program,
    or the trainees of one unit and of the units under it."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("Program"),
        on_delete=models.CASCADE,
        related_name="report_recipients",
    )
    name = models.CharField(_("Name"), max_length=100)
    email = models.EmailField(_("Email"))
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name=_("Rows of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the whole program."),
    )

    class Meta:
        verbose_name = _("Report recipient")
        verbose_name_plural = _("Report recipients")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class ScoreReport(models.Model):
    """A published score report (成绩通报) of a program. It is frozen: its files and its emails
    are written when it is published, and a later score change needs a new report."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded by a later report")

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="score_reports"
    )
    number = models.PositiveSmallIntegerField(_("Number"))
    title = models.CharField(_("Title"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(_("Status"), max_length=10, choices=Status, default=Status.PUBLISHED)
    created_at = models.DateTimeField(_("Published at"), auto_now_add=True)
    notify_trainees = models.BooleanField(_("Trainees mailed their own scores"), default=False)
    # A hash of the figures published: the report page compares it with today's figures.
    fingerprint = models.CharField(max_length=64)
    # 暂定: published knowing the figures were incomplete; why, as the organizer was told
    # (reports.selectors.readiness), in the site's language. Empty: the figures were final.
    provisional_reasons = models.JSONField(
        _("Why the figures are provisional"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("Score report")
        verbose_name_plural = _("Score reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="report_unique_number")
        ]

    def __str__(self):
        return f"{self.program} #{self.number}"

    @property
    def provisional(self):
        return bool(self.provisional_reasons)

    @property
    def status_label(self):
        """已发布, 已发布（暂定）, or superseded."""
        if self.status == self.Status.PUBLISHED and self.provisional:
            return _("Published (provisional)")
        return self.get_status_display()


class ReportFile(models.Model):
    """The .xlsx and the PDF of one scope of a published report, as they were mailed."""

    report = models.ForeignKey(
        ScoreReport, verbose_name=_("Score report"), on_delete=models.CASCADE, related_name="files"
    )
    scope_unit = models.ForeignKey(
        Unit, verbose_name=_("Rows of"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    title = models.CharField(_("Title"), max_length=300)
    rows = models.PositiveIntegerField(_("Trainees"))
    xlsx = models.BinaryField()
    pdf = models.BinaryField()

    class Meta:
        verbose_name = _("Report file")
        verbose_name_plural = _("Report files")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class ReportDelivery(models.Model):
    """One email of a score report: the outbox row a Celery task sends. Its subject, body and
    attachments are written when the report is published; sending only sends them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    report = models.ForeignKey(
        ScoreReport,
        verbose_name=_("Score report"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient_name = models.CharField(_("Recipient"), max_length=100)
    recipient_email = models.EmailField(_("Recipient email"))
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name=_("Rows of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the whole program."),
    )
    # A trainee's own score sheet has an enrollment and no file; a recipient's email the file
    # of its scope.
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("Trainee"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.ForeignKey(
        ReportFile, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    subject = models.CharField(_("Subject"), max_length=300)
    body = models.TextField(_("Body"))
    status = models.CharField(_("Status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("Attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("Next attempt at"))
    sent_at = models.DateTimeField(_("Sent at"), null=True, blank=True)
    # Written once, when the report is published: every attempt sends the same Message-ID, so
    # a mailbox (or a test's sink) can tell a resent copy from a second email.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    last_error = models.TextField(_("Last error"), blank=True)

    class Meta:
        verbose_name = _("Report delivery")
        verbose_name_plural = _("Report deliveries")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return self.recipient_email


# Summaries (汇总) ---------------------------------------------------------------------------
# The dashboards read these instead of every roll-call, attempt and essay row:
# reports.summaries recomputes a program's rows from the raw rows after any change of
# what they sum (a Celery task, after commit, bursts coalesced), and
# reports.selectors.summaries reads them, refreshing first a program whose rows are missing,
# waiting for a refresh, or computed for another moment (an activity has ended since).

SCORE_SUM = {"max_digits": 12, "decimal_places": 1, "default": 0}


class FigureSums(models.Model):
    """The sums and counts of a set of a program's active trainees: added up over any set of
    programs and units with one GROUP BY."""

    trainees = models.PositiveIntegerField(default=0)
    entry_sum = models.DecimalField(**SCORE_SUM)
    entry_count = models.PositiveIntegerField(default=0)
    graduation_sum = models.DecimalField(**SCORE_SUM)
    graduation_count = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    gain_sum = models.DecimalField(**SCORE_SUM)
    gain_count = models.PositiveIntegerField(default=0)
    # Roll call over the activities that had ended and were theirs (the class's and their
    # group's): expected = trainees × those activities.
    expected = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    left_early = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)
    leave = models.PositiveIntegerField(default=0)
    # Essays: started (a draft, returned, handed in), reviewed, and by grade.
    essays_draft = models.PositiveIntegerField(default=0)
    essays_returned = models.PositiveIntegerField(default=0)
    essays_submitted = models.PositiveIntegerField(default=0)  # handed in, not graded
    essays_reviewed = models.PositiveIntegerField(default=0)
    grade_a = models.PositiveIntegerField(default=0)
    grade_b = models.PositiveIntegerField(default=0)
    grade_c = models.PositiveIntegerField(default=0)
    grade_d = models.PositiveIntegerField(default=0)
    # Completion (结业): study hours (frozen at the close, else so far), completed, certified.
    hours = models.DecimalField(**SCORE_SUM)
    completed = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def attended(self):
        """实到: present, late or left early (sessions.models.Attendance.ATTENDED)."""
        return self.present + self.late + self.left_early


class ProgramSummary(FigureSums):
    """When a program's summary rows were computed, and for which moments they hold: the
    attendance counts the activities that had ended by then, so they are the figures of any
    moment from the last end before `computed_for` (`valid_from`) to the next (`valid_until`;
    None: no activity ends later). Its own figures are the program's totals (the sums of its
    unit summaries): a dashboard of every unit reads one row per program."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    computed_for = models.DateTimeField()
    valid_from = models.DateTimeField(null=True)
    valid_until = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField()
    # The unit tree its branch rows (BranchSummary) were added up for: a digest of its
    # unit → branch map (reports.summaries.tree_digest); blank: none yet.
    branches_for = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("Program summary")
        verbose_name_plural = _("Program summaries")

    def __str__(self):
        return f"{self.program_id} @ {self.computed_for:%Y-%m-%d %H:%M}"

    def holds_at(self, now):
        """Whether these figures are those of `now`."""
        return self.hold_at(self.valid_from, self.valid_until, now)

    @staticmethod
    def hold_at(valid_from, valid_until, now):
        """Whether figures valid from `valid_from` until `valid_until` are those of `now` (the
        dashboards read the two columns, not the model)."""
        return (valid_from is None or valid_from <= now) and (
            valid_until is None or now < valid_until
        )


class UnitSummary(FigureSums):
    """The figures of a program's active trainees of one unit (the trainee's own unit)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("Unit summary")
        verbose_name_plural = _("Unit summaries")
        constraints = [
            models.UniqueConstraint(fields=["program", "unit"], name="unit_summary_once"),
        ]
        indexes = [models.Index(fields=["unit", "program"], name="unit_summary_unit")]

    def __str__(self):
        return f"{self.program_id}/{self.unit_id}"


class BranchSummary(FigureSums):
    """The figures of a program's active trainees under one branch (a branch or county bureau
    with its stations: reports.branches), the sums of its unit rows for the tree of
    ProgramSummary.branches_for: the bureau dashboard of every unit adds up a row per program
    and branch rather than one per program and station."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("Branch summary")
        verbose_name_plural = _("Branch summaries")
        constraints = [
            models.UniqueConstraint(fields=["program", "branch"], name="branch_summary_once"),
        ]

    def __str__(self):
        return f"{self.program_id}/{self.branch_id}"


class EnrollmentSummary(models.Model):
    """The figures of one active trainee in one program (the drill-down's line)."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    trainee_id = models.BigIntegerField(db_index=True)
    unit_id = models.BigIntegerField()
    entry = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    graduation = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    expected = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Trainee summary")
        verbose_name_plural = _("Trainee summaries")

    def __str__(self):
        return f"{self.enrollment_id}"


class TraineeTally(models.Model):
    """How many programs a trainee attends or attended (active enrollments, every program),
    and his unit: the bureau dashboard's count of trainees and its repeaters, read without a
    pass over every enrollment. Recounted with the summary of each of his programs."""

    trainee = models.OneToOneField(
        Trainee, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    unit_id = models.BigIntegerField(db_index=True)
    programs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Trainee's programs")
        verbose_name_plural = _("Trainees' programs")
        indexes = [models.Index(fields=["-programs", "trainee"], name="tally_most_programs")]

    def __str__(self):
        return f"{self.trainee_id}: {self.programs}"
