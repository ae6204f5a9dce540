"""The API's clients (the bureau's other systems) and the record of every call they make."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trainees.models import Unit


class ApiClient(models.Model):
    """A system allowed to call /api/v1/, registered by an administrator.

    It reads the trainees of `unit` and the units under it (a root unit: everything), and,
    read-write, imports rosters into the programs whose organizing bureau is among them. Its
    token is shown once, when issued; only its SHA-256 is kept, found by its public prefix.
    """

    class Access(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    name = models.CharField(_("Name"), max_length=100, unique=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("Unit"),
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_(
            "The client reads the trainees of this unit and of the units under it (a root "
            "unit: everything)."
        ),
    )
    access = models.CharField(_("Access"), max_length=20, choices=Access, default=Access.READ)
    token_prefix = models.CharField(_("Token prefix"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    # The account a roster import's history names (no password, cannot sign in).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="api_client",
    )
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("Revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("Last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def writes(self):
        return self.access == self.Access.READ_WRITE


class ApiCall(models.Model):
    """One request to the API: who (None for an unknown or missing token), what, the answer."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calls",
    )
    method = models.CharField(_("Method"), max_length=10)
    path = models.CharField(_("Path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("Status"))
    duration_ms = models.PositiveIntegerField(_("Duration (ms)"))
    at = models.DateTimeField(_("At"), db_index=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"
