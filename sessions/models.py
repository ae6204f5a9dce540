"""The timetable and roll call. The app label is `timetable` (see apps.py)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainees.models import Enrollment, Group, Program


def new_checkin_secret():
    return secrets.token_hex(16)


class Venue(models.Model):
    """A room or site of one program: a classroom, a discussion room, a warning-education base.

    Each program has its own venues: Zhoukou's 报告厅 is not Changzhou's, so two programs never
    clash over a room that happens to bear the same name. (Scoped to the program rather than to
    its organizing bureau: a bureau that runs two courses at once in one building can still
    give both the same room, and the clash between them is then a speaker's or a person's.)
    """

    program = models.ForeignKey(
        Program,
        verbose_name=_("Program"),
        on_delete=models.CASCADE,
        # Empty only for a venue that no activity used when venues came to belong to programs
        # (migration 0005): no program offers it.
        null=True,
        blank=True,
        related_name="venues",
    )
    name = models.CharField(_("Name"), max_length=100)
    address = models.CharField(_("Address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("Capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("Venue")
        verbose_name_plural = _("Venues")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="venue_unique_per_program"),
        ]

    def __str__(self):
        return self.name


class Speaker(models.Model):
    """A lecturer, e.g. 吕平洋, 支队长, 常州市公安局督察支队."""

    name = models.CharField(_("Full name"), max_length=50)
    title = models.CharField(_("Position"), max_length=100, blank=True)
    organization = models.CharField(_("Unit"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Speaker")
        verbose_name_plural = _("Speakers")
        ordering = ["name"]

    def __str__(self):
        return f"{self.organization}{self.title} {self.name}".strip()


class Activity(models.Model):
    """One entry of the timetable. An activity with a group is for that group only."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        CASE_STUDY = "case_study", _("Case study")
        EXPERIENCE = "experience", _("Experience exchange")
        ONSITE = "onsite", _("On-site teaching")
        DISCUSSION = "discussion", _("Group discussion")
        FORUM = "forum", _("Chiefs' forum")
        FILM = "film", _("Warning-education film")
        DRILL = "drill", _("Drill")
        VISIT = "visit", _("Visit")
        EXAM = "exam", _("Exam")
        CEREMONY = "ceremony", _("Opening or graduation ceremony")
        OTHER = "other", _("Other")

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind)
    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    speakers = models.ManyToManyField(
        Speaker, verbose_name=_("Speakers"), blank=True, related_name="activities"
    )
    # RESTRICT, not PROTECT: a venue in use cannot be deleted, except with its program (which
    # takes its activities along).
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("Venue"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="activities",
    )
    starts_at = models.DateTimeField(_("Starts at"))
    ends_at = models.DateTimeField(_("Ends at"))
    group = models.ForeignKey(
        Group,
        verbose_name=_("Group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("Leave empty for the whole class."),
    )
    formats = models.CharField(
        _("Formats"), max_length=200, blank=True, help_text=_("E.g. slides, case analysis, video.")
    )
    host = models.CharField(_("Host"), max_length=100, blank=True)
    # Key of the rotating check-in codes; with SECRET_KEY, so a leaked database alone
    # does not give the codes away.
    checkin_secret = models.CharField(max_length=32, default=new_checkin_secret, editable=False)
    checkout_required = models.BooleanField(_("Check-out code at the end"), default=False)
    closed_at = models.DateTimeField(_("Roll call closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Activity")
        verbose_name_plural = _("Activities")
        ordering = ["starts_at", "group__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_it_starts"
            ),
        ]
        indexes = [models.Index(fields=["program", "starts_at"])]

    def __str__(self):
        return self.title

    @property
    def ical_uid(self):
        """Stable across edits, so a calendar updates the event instead of adding another."""
        return f"activity-{self.pk}@jingxun"


class ActivityChange(models.Model):
    """A change to a published timetable (日程变更), shown to trainees and mailed to them."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("Activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("Group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The group concerned; empty for the whole class."),
    )
    kind = models.CharField(_("Kind"), max_length=10, choices=Kind)
    summary = models.CharField(_("Summary"), max_length=500)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("Notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Timetable change")
        verbose_name_plural = _("Timetable changes")
        ordering = ["-created_at"]

    def __str__(self):
        return self.summary


class TimetableVersion(models.Model):
    """A program's timetable version: raised in the transaction of every change of what a
    trainee's timetable shows (an activity, its speakers, venue or group, a recorded change;
    sessions.versions). The trainee's pages cache their group's activities under it
    (sessions.selectors.timetable.group_timetable), so a change shows at once, in every
    process, without a cache to clear."""

    program = models.OneToOneField(
        Program,
        verbose_name=_("Program"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="timetable_version",
    )
    version = models.PositiveBigIntegerField(_("Version"), default=0)

    class Meta:
        verbose_name = _("Timetable version")
        verbose_name_plural = _("Timetable versions")

    def __str__(self):
        return f"{self.program_id}: {self.version}"


class CalendarFeed(models.Model):
    """An iCal feed URL: a trainee's own (with their group), or the whole program's.

    The token is the only key, so it is long and random; revoking it makes a new one.
    """

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("Trainee"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    token = models.CharField(_("Token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Calendar feed")
        verbose_name_plural = _("Calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(enrollment__isnull=True),
                name="calendar_feed_one_per_program",
            ),
        ]

    def __str__(self):
        return f"{self.program_id}/{self.enrollment_id or '*'}"


class Attendance(models.Model):
    """One trainee's roll-call record (点名) for one activity."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        LEAVE = "leave", _("On leave")
        LEFT_EARLY = "left_early", _("Left early")

    # 实到: the statuses that count as attended. Every count of attendance uses this.
    ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)

    class Method(models.TextChoices):
        SHEET = "sheet", _("Roll-call sheet")
        CODE = "code", _("Check-in code")
        AUTO = "auto", _("Automatic")

    activity = models.ForeignKey(
        Activity, verbose_name=_("Activity"), on_delete=models.CASCADE, related_name="attendances"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("Trainee"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("Status"), max_length=20, choices=Status)
    minutes_late = models.PositiveSmallIntegerField(_("Minutes late"), default=0)
    checked_in_at = models.DateTimeField(_("Checked in at"), null=True, blank=True)
    method = models.CharField(_("Mode"), max_length=10, choices=Method, default=Method.SHEET)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Recorder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    left_at = models.DateTimeField(_("Left at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("Checked out at"), null=True, blank=True)
    device = models.CharField(max_length=64, blank=True, editable=False)
    flagged = models.CharField(_("Flag"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Attendance")
        verbose_name_plural = _("Attendance records")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "enrollment"], name="attendance_unique_enrollment"
            ),
        ]

    def __str__(self):
        return f"{self.activity_id}/{self.enrollment_id}: {self.get_status_display()}"

    @property
    def attended(self):
        """实到: present, late or left early (see ATTENDED)."""
        return self.status in self.ATTENDED


class AttendanceChange(models.Model):
    """Who changed an attendance record, when, and from what (every change is kept)."""

    attendance = models.ForeignKey(
        Attendance, verbose_name=_("Attendance"), on_delete=models.CASCADE, related_name="history"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Changed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("Changed at"), auto_now_add=True)
    old_status = models.CharField(_("From"), max_length=20, blank=True)
    new_status = models.CharField(_("To"), max_length=20)
    old_minutes_late = models.PositiveSmallIntegerField(default=0)
    new_minutes_late = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(_("Reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Attendance change")
        verbose_name_plural = _("Attendance changes")
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.attendance_id}: {self.old_status or '—'} → {self.new_status}"


class LeaveRequest(models.Model):
    """A trainee's request for leave (请假) over a time range."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("Trainee"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    starts_at = models.DateTimeField(_("Starts at"))
    ends_at = models.DateTimeField(_("Ends at"))
    reason = models.TextField(_("Reason"))
    status = models.CharField(_("Status"), max_length=10, choices=Status, default=Status.PENDING)
    decided_at = models.DateTimeField(_("Decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Leave request")
        verbose_name_plural = _("Leave requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="leave_ends_after_it_starts"
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id}: {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Material(models.Model):
    """A handout or slide deck of a program, optionally of one activity."""

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="materials"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("Activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="materials",
    )
    title = models.CharField(_("Title"), max_length=200)
    file = models.FileField(_("File"), upload_to="materials/%Y/%m/")

    class Meta:
        verbose_name = _("Material")
        verbose_name_plural = _("Materials")
        ordering = ["title"]

    def __str__(self):
        return self.title
