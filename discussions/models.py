"""Group discussions and their ideas (金点子), the chiefs' forum, and reflection essays."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import Activity
from trainees.models import Enrollment, Group, Program


class DiscussionRecord(models.Model):
    """What one group said in one group-discussion activity."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("Activity"),
        on_delete=models.CASCADE,
        related_name="discussion_records",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("Group"), on_delete=models.CASCADE, related_name="discussion_records"
    )
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Recorder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("Summary of the discussion"), blank=True)

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

    class Meta:
        verbose_name = _("Idea")
        verbose_name_plural = _("Ideas")

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

    class Meta:
        verbose_name = _("Forum talk")
        verbose_name_plural = _("Forum talks")
        ordering = ["program", "order"]

    def __str__(self):
        return self.title


class Essay(models.Model):
    """A trainee's reflection essay (学习心得体会): one per trainee per program."""

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
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Last saved"), auto_now=True)

    class Meta:
        verbose_name = _("Reflection essay")
        verbose_name_plural = _("Reflection essays")

    def __str__(self):
        return self.title or str(self.enrollment)


class EssayRevision(models.Model):
    """A saved draft of an essay, kept so the trainee can restore it."""

    essay = models.ForeignKey(
        Essay,
        verbose_name=_("Reflection essay"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    title = models.CharField(_("Title"), max_length=200, blank=True)
    body = models.TextField(_("Body"), blank=True)
    created_at = models.DateTimeField(_("Saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Essay revision")
        verbose_name_plural = _("Essay revisions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.essay_id} @ {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class EssayReview(models.Model):
    """An organizer's grade and comment on an essay."""

    class Grade(models.TextChoices):
        EXCELLENT = "A", _("Excellent")
        GOOD = "B", _("Good")
        PASS = "C", _("Pass")
        FAIL = "D", _("Fail")

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
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.essay_id}: {self.get_grade_display()}"
