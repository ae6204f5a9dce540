"""Group discussions and their ideas (金点子), the chiefs' forum, and reflection essays."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sessions.models import Activity
from trainees.models import Enrollment, Group, Program


class DiscussionRecord(models.Model):
    """What one group said in one group-discussion activity. Seen by the group and the
    organizers until an organizer shares it with the class."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("Activity"),
        on_delete=models.CASCADE,
        related_name="discussion_records",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("Group"), on_delete=models.CASCADE, related_name="discussion_records"
    )
    # The host, or a trainee of the group, whom the organizer names to write the record.
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Recorder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("Summary of the discussion"), blank=True)
    shared_at = models.DateTimeField(_("Shared with the class at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Last changed"), auto_now=True)

    class Meta:
        verbose_name = _("Discussion record")
        verbose_name_plural = _("Discussion records")
        constraints = [
            models.UniqueConstraint(fields=["activity", "group"], name="record_unique_group"),
        ]

    def __str__(self):
        return f"{self.activity} · {self.group}"


class Idea(models.Model):
    """A "金点子" raised in a discussion; organizers star the best."""

    record = models.ForeignKey(
        DiscussionRecord,
        verbose_name=_("Discussion record"),
        on_delete=models.CASCADE,
        related_name="ideas",
    )
    author = models.ForeignKey(
        Enrollment,
        verbose_name=_("Author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    text = models.TextField(_("Text"))
    starred = models.BooleanField(_("Starred"), default=False)
    created_at = models.DateTimeField(_("Added at"), default=timezone.now)

    class Meta:
        verbose_name = _("Idea")
        verbose_name_plural = _("Ideas")
        ordering = ["record", "pk"]

    def __str__(self):
        return self.text[:40]


class ForumTalk(models.Model):
    """A chief's presentation at the chiefs' forum (所长论坛)."""

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="forum_talks"
    )
    presenter = models.ForeignKey(
        Enrollment,
        verbose_name=_("Presenter"),
        on_delete=models.CASCADE,
        related_name="forum_talks",
    )
    title = models.CharField(_("Title"), max_length=200)
    summary = models.TextField(_("Summary"), blank=True)
    order = models.PositiveSmallIntegerField(_("Order"), default=0)
    # Checked like the timetable's materials, and served only through a permission check.
    slides = models.FileField(_("Slides"), upload_to="forum/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("Forum talk")
        verbose_name_plural = _("Forum talks")
        ordering = ["program", "order", "pk"]

    def __str__(self):
        return self.title


class Grade(models.TextChoices):
    """An essay's grade: 优秀, 良好, 合格, 不合格."""

    EXCELLENT = "A", _("Excellent")
    GOOD = "B", _("Good")
    PASS = "C", _("Pass")
    FAIL = "D", _("Fail")


class Essay(models.Model):
    """A trainee's reflection essay (学习心得体会): one per trainee per program.

    `revision` is the writer's clock (ms) of the text stored: an autosave is written only if
    it is newer, so a slow request from another tab never overwrites a later text. The last
    review's grade is kept here too, for the lists and the reports.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Handed in")
        RETURNED = "returned", _("Returned for revision")

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("Trainee"), on_delete=models.CASCADE, related_name="essay"
    )
    title = models.CharField(_("Title"), max_length=200, blank=True)
    body = models.TextField(_("Body"), blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status, default=Status.DRAFT)
    revision = models.BigIntegerField(_("Revision"), default=0)
    chars = models.PositiveIntegerField(_("Length (characters)"), default=0)
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Last saved"), auto_now=True)
    returned_at = models.DateTimeField(_("Returned at"), null=True, blank=True)
    returned_comment = models.TextField(_("Why it was returned"), blank=True)
    # 延期: an organizer lets this trainee hand in until then, past the program's deadline.
    extended_until = models.DateTimeField(_("Extension until"), null=True, blank=True)
    grade = models.CharField(_("Grade"), max_length=1, choices=Grade, blank=True)
    excellent = models.BooleanField(_("Outstanding essay"), default=False)
    reviewed_at = models.DateTimeField(_("Reviewed at"), null=True, blank=True)
    # MinHash signature of the text handed in, for the similarity check (similarity.py).
    signature = models.JSONField(_("Signature"), null=True, blank=True, editable=False)
    # 变更记录 of the essay's state: handed in, returned (why, by whom), extended, graded. Not
    # the text: EssayRevision keeps its versions, and an autosave is an UPDATE with no history.
    history = HistoricalRecords(
        excluded_fields=["title", "body", "revision", "chars", "updated_at", "signature"]
    )

    class Meta:
        verbose_name = _("Reflection essay")
        verbose_name_plural = _("Reflection essays")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="essay_handed_in_has_a_time",
            ),
        ]

    def __str__(self):
        return self.title or str(self.enrollment)

    @property
    def locked(self):
        """Handed in: the trainee cannot change it until an organizer returns it."""
        return self.status == self.Status.SUBMITTED


class EssayRevision(models.Model):
    """A kept version of an essay, which the trainee can restore: a checkpoint of the writing
    (one every few minutes), a text that lost to a newer one from another tab, the text
    replaced by a restore, and each text handed in."""

    class Reason(models.TextChoices):
        CHECKPOINT = "checkpoint", _("Saved while writing")
        CONFLICT = "conflict", _("Older text from another window")
        RESTORE = "restore", _("Text before a restore")
        SUBMITTED = "submitted", _("Handed in")

    essay = models.ForeignKey(
        Essay,
        verbose_name=_("Reflection essay"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    title = models.CharField(_("Title"), max_length=200, blank=True)
    body = models.TextField(_("Body"), blank=True)
    reason = models.CharField(
        _("Why it was kept"), max_length=12, choices=Reason, default=Reason.CHECKPOINT
    )
    revision = models.BigIntegerField(_("Revision"), default=0)
    chars = models.PositiveIntegerField(_("Length (characters)"), default=0)
    created_at = models.DateTimeField(_("Saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("Essay revision")
        verbose_name_plural = _("Essay revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.essay_id} @ {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class EssayReview(models.Model):
    """A reviewer's grade and comment on an essay; the latest one is the essay's grade."""

    Grade = Grade

    essay = models.ForeignKey(
        Essay, verbose_name=_("Reflection essay"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    grade = models.CharField(_("Grade"), max_length=1, choices=Grade)
    comment = models.TextField(_("Comment"), blank=True)
    excellent = models.BooleanField(_("Outstanding essay"), default=False)
    created_at = models.DateTimeField(_("Reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Essay review")
        verbose_name_plural = _("Essay reviews")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.essay_id}: {self.get_grade_display()}"


class EssayReviewer(models.Model):
    """Someone an organizer names to review the essays of a program (besides the organizers)."""

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="essay_reviewers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Reviewer"),
        on_delete=models.CASCADE,
        related_name="essay_reviews_to_do",
    )

    class Meta:
        verbose_name = _("Essay reviewer")
        verbose_name_plural = _("Essay reviewers")
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="reviewer_unique_in_program"),
        ]

    def __str__(self):
        return f"{self.program.code} · {self.user}"


class EssayBand(models.Model):
    """One band of a handed-in essay's passage sketch (similarity.passage_bands): the smallest
    hash of its 20-character windows within one of 128 ranges of the hash. Two essays with a
    (band, hash) in common share that passage; the similarity check looks essays up here
    instead of reading every signature. Written with the signature, removed with it."""

    essay = models.ForeignKey(
        Essay,
        verbose_name=_("Reflection essay"),
        on_delete=models.CASCADE,
        related_name="bands",
        # The unique constraint below starts with the essay: it is the essay's index.
        db_index=False,
    )
    band = models.PositiveSmallIntegerField(_("Band"))
    hash = models.BigIntegerField(_("Hash"))

    class Meta:
        verbose_name = _("Essay band")
        verbose_name_plural = _("Essay bands")
        constraints = [
            models.UniqueConstraint(fields=["essay", "band"], name="band_unique_per_essay"),
        ]
        indexes = [
            # The look-up: which essays have this (band, hash); with the essay, the index
            # answers without reading the table.
            models.Index(fields=["band", "hash", "essay"], name="band_lookup"),
        ]

    def __str__(self):
        return f"{self.essay_id} [{self.band}] {self.hash}"


class EssayMatch(models.Model):
    """How much of `essay` is found in `other` (of this program or an earlier one), worked out
    when either was handed in. `similarity` is the Jaccard index of their shingles (symmetric);
    `containment` the share of this essay's shingles found in the other."""

    essay = models.ForeignKey(
        Essay, verbose_name=_("Reflection essay"), on_delete=models.CASCADE, related_name="matches"
    )
    other = models.ForeignKey(
        Essay, verbose_name=_("Similar essay"), on_delete=models.CASCADE, related_name="+"
    )
    similarity = models.FloatField(_("Similarity"))
    containment = models.FloatField(_("Share of this essay found in the other"))
    computed_at = models.DateTimeField(_("Compared at"), default=timezone.now)

    class Meta:
        verbose_name = _("Similar essay")
        verbose_name_plural = _("Similar essays")
        ordering = ["essay", "-similarity"]
        constraints = [
            models.UniqueConstraint(fields=["essay", "other"], name="match_unique_pair"),
            models.CheckConstraint(condition=~Q(essay=models.F("other")), name="match_not_self"),
        ]

    def __str__(self):
        return f"{self.essay_id} ~ {self.other_id}: {self.similarity:.2f}"
