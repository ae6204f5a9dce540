"""Who is in which class: units of the police hierarchy, trainees, programs, groups, enrollments."""

import re
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

police_id_validator = RegexValidator(
    r"^[0-9A-Za-z]{3,20}$", _("A police ID has 3 to 20 digits and letters.")
)
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$",
    _("A code may contain only letters, digits, hyphens and underscores, e.g. CZ2023."),
)


ROUTINE_LINE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*(.*)$")
WAKE_WORDS = ("起床", "wake")
SLEEP_WORDS = ("就寝", "熄灯", "lights")


def mask_phone(phone):
    """138****1234: phones are shown in full to organizers only (roster, exports, history)."""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****" if phone else ""


class Unit(models.Model):
    """A unit of the police hierarchy, e.g. 溧阳市公安局 → 竹箦派出所."""

    class Kind(models.TextChoices):
        # 省公安厅: above the city bureaus of a province in one installation (README "Roles").
        PROVINCE = "province", _("Provincial public-security department")
        BUREAU = "bureau", _("City public-security bureau")
        BRANCH = "branch", _("Branch or county bureau")
        STATION = "station", _("Police station")
        BRIGADE = "brigade", _("Brigade")
        DEPARTMENT = "department", _("Department")
        OTHER = "other", _("Other")

    name = models.CharField(_("Name"), max_length=100)
    kind = models.CharField(_("Category"), max_length=20, choices=Kind, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    email = models.EmailField(
        _("Email"),
        blank=True,
        help_text=_("Where the unit's copy of a score report is mailed."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Unit")
        verbose_name_plural = _("Units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="unit_unique_root_name"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        """商水县公安局城关派出所: the name after its parent's, unless it spells it already
        (常州市公安局金坛分局儒林派出所); 城关派出所 is in every county. Reads the parent:
        select_related it."""
        if self.parent_id and not self.name.startswith(self.parent.name):
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def reads_programs(self):
        """Whether this unit's leadership reads the program pages of the programs organized in
        its subtree: a province (省公安厅) or a city bureau (市公安局); a branch reads its
        units' figures only (trainees.permissions.leader_scope)."""
        return self.kind in (Unit.Kind.PROVINCE, Unit.Kind.BUREAU)

    def descendant_ids(self):
        """This unit's id and those of every unit under it (a unit cannot move below itself)."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Trainee(models.Model):
    """A station chief. The police ID (警号) is unique and is the login name."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainee",
    )
    name = models.CharField(_("Full name"), max_length=50)
    police_id = models.CharField(
        _("Police ID"), max_length=20, unique=True, validators=[police_id_validator]
    )
    gender = models.CharField(_("Gender"), max_length=1, choices=Gender, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("Unit"), on_delete=models.PROTECT, related_name="trainees"
    )
    position = models.CharField(_("Position"), max_length=50, blank=True)
    phone = models.CharField(_("Mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("Email"), blank=True)
    # 初始密码: printed on the trainee's slip; valid until they choose their own at first login.
    initial_password = models.CharField(_("Initial password"), max_length=16, blank=True)
    # 变更记录: who changed the roster data, when, from what. Not the login: the slip's password
    # is a secret, and the account is linked by a conditional UPDATE at the first sign-in
    # (backends.py), which no history would see.
    history = HistoricalRecords(excluded_fields=["user", "initial_password"])

    class Meta:
        verbose_name = _("Trainee")
        verbose_name_plural = _("Trainees")
        ordering = ["police_id"]

    def __str__(self):
        return f"{self.name}（{self.police_id}）"

    @property
    def masked_phone(self):
        """138****1234: phones are shown in full to organizers only."""
        return mask_phone(self.phone)


class Program(models.Model):
    """A residential training program (培训班), e.g. 常州市派出所长素质能力提升专题培训班."""

    class Kind(models.TextChoices):
        CHIEFS = "chiefs", _("Station chiefs' training")
        NEW_CHIEFS = "new_chiefs", _("Newly appointed chiefs")
        THEMATIC = "thematic", _("Thematic training")
        OTHER = "other", _("Other")

    title = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind, default=Kind.CHIEFS)
    code = models.CharField(
        _("Code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_("Used in addresses and commands, e.g. CZ2023."),
    )
    start_date = models.DateField(_("Start date"))
    end_date = models.DateField(_("End date"))
    venue = models.CharField(_("Training site"), max_length=200, blank=True)
    # 主办单位: the bureau that organizes the program; a unit its roster brings without a
    # parent is filed under it (trainees.roster.UnitResolver). Empty for older programs.
    bureau = models.ForeignKey(
        Unit,
        verbose_name=_("Organizing bureau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
        help_text=_(
            "The bureau that runs the program: the county bureaus and stations of its roster "
            "are filed under it."
        ),
    )
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Organizers"),
        blank=True,
        related_name="organized_programs",
    )
    daily_routine = models.TextField(
        _("Daily routine"),
        blank=True,
        help_text=_("One item a line, e.g. 06:30 wake-up … 22:00 lights out."),
    )
    rules = models.TextField(_("Rules"), blank=True)
    essay_min_chars = models.PositiveIntegerField(
        _("Essay minimum length (characters)"), default=1500
    )
    # 学习心得体会: trainees may write from this moment (blank: from the program's start).
    essay_opens_at = models.DateTimeField(_("Essay opens at"), null=True, blank=True)
    essay_deadline = models.DateTimeField(_("Essay deadline"), null=True, blank=True)
    # 点名: self check-in opens this long before an activity starts (seed 001: 10 minutes).
    checkin_opens_minutes = models.PositiveSmallIntegerField(
        _("Check-in opens (minutes before the start)"), default=10
    )
    late_grace_minutes = models.PositiveSmallIntegerField(
        _("Grace before a check-in is late (minutes)"), default=0
    )
    # Once published, every change to the timetable is recorded and announced to trainees.
    timetable_published_at = models.DateTimeField(
        _("Timetable published at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("Program")
        verbose_name_plural = _("Programs")
        ordering = ["-start_date", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="program_ends_after_it_starts"
            ),
        ]

    def __str__(self):
        return self.title

    def days(self):
        """Every date of the program, first to last."""
        return [
            self.start_date + timedelta(days=n)
            for n in range((self.end_date - self.start_date).days + 1)
        ]

    def routine_bounds(self):
        """(wake-up, lights-out) read from the daily routine: "06:30 起床", "22:00 就寝"."""
        bounds = {}
        for line in self.daily_routine.splitlines():
            match = ROUTINE_LINE.match(line.strip())
            if match:
                hour, minute, what = int(match[1]), int(match[2]), match[3]
                for key, words in (("wake", WAKE_WORDS), ("sleep", SLEEP_WORDS)):
                    if any(word in what for word in words) and hour < 24 and minute < 60:
                        bounds[key] = time(hour, minute)
        return bounds.get("wake"), bounds.get("sleep")


class Group(models.Model):
    """A discussion group (分组) of a program, hosted by a senior official."""

    # A class of 220 sits in 8 to 12 groups; the limit stops a typo (分组 "400") from
    # creating hundreds of them.
    MAX_NUMBER = 40

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="groups"
    )
    number = models.PositiveSmallIntegerField(_("Number"))
    name = models.CharField(_("Group name"), max_length=50, blank=True)
    host_name = models.CharField(_("Host"), max_length=50, blank=True)
    host_title = models.CharField(_("Host's title"), max_length=100, blank=True)
    topic = models.CharField(_("Topic"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Group")
        verbose_name_plural = _("Groups")
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="group_unique_number"),
        ]

    def __str__(self):
        return self.name or _("Group %(number)s") % {"number": self.number}


class Enrollment(models.Model):
    """A trainee's place in one program: their group, role in the class, and status."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Trainee")
        GROUP_LEADER = "group_leader", _("Group leader")
        CLASS_LEADER = "class_leader", _("Class leader")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    program = models.ForeignKey(
        Program, verbose_name=_("Program"), on_delete=models.CASCADE, related_name="enrollments"
    )
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("Trainee"), on_delete=models.PROTECT, related_name="enrollments"
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("Group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    role = models.CharField(_("Role in class"), max_length=20, choices=Role, default=Role.MEMBER)
    status = models.CharField(_("Status"), max_length=20, choices=Status, default=Status.ACTIVE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Enrollment")
        verbose_name_plural = _("Enrollments")
        ordering = ["program", "trainee__police_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "trainee"], name="enrollment_unique_trainee"
            ),
        ]

    def __str__(self):
        return f"{self.program.code} · {self.trainee}"

    def clean(self):
        if self.group_id and self.group.program_id != self.program_id:
            raise ValidationError({"group": _("This group belongs to another program.")})


class OrganizerUnit(models.Model):
    """An organizer's unit (教务所属单位), optional: under a province, the city bureau an
    organizer works for. It bounds what they reach beyond their own programs: a new program's
    bureau (that unit or a bureau under it), the units their roster imports file trainees in
    and the trainees they may enroll (those of that unit and the units under it), and the
    units they may correct. An organizer without one works as in a single-city installation
    (trainees.permissions.organizer_bound)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Account"),
        on_delete=models.CASCADE,
        related_name="organizer_unit",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("Unit"), on_delete=models.PROTECT, related_name="organizer_units"
    )

    class Meta:
        verbose_name = _("Organizer's unit")
        verbose_name_plural = _("Organizers' units")

    def __str__(self):
        return f"{self.user} · {self.unit}"


class Leader(models.Model):
    """A leadership account's unit: the leader reads the dashboards of the trainees of that
    unit and of the units under it, and, for a province or a city bureau, the programs
    organized in it. The leader of the root unit (the city bureau, or the province above the
    cities) reads everything; a leadership account without a unit reads nothing
    (trainees.permissions.leader_scope)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Account"),
        on_delete=models.CASCADE,
        related_name="leader",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("Unit"), on_delete=models.PROTECT, related_name="leaders"
    )

    class Meta:
        verbose_name = _("Leader's unit")
        verbose_name_plural = _("Leaders' units")

    def __str__(self):
        return f"{self.user} · {self.unit}"
