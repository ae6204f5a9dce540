"""The close in the admin: a program's rules, the exceptions, the frozen results and the
certificates, for an administrator to look up. What the close froze is read-only here: a
result changes by no one's hand, and a certificate is revoked on the close page, which
records who and why (completion.services.certificates).

The course evaluation (EvaluationItem, Evaluation, EvaluationScore, EvaluationReceipt) is
registered by its own module, which keeps an answer from being joined to a trainee."""

from django.contrib import admin

from completion import evaluation_admin  # noqa: F401  (the answers, read only)
from completion.models import Certificate, Completion, CompletionException, ProgramClosing


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown, none changed; nothing added from here."""

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        hidden = self.exclude or ()
        return [field.name for field in self.model._meta.fields if field.name not in hidden]


@admin.register(ProgramClosing)
class ProgramClosingAdmin(admin.ModelAdmin):
    list_display = ["program", "hour_minutes", "min_attendance_rate", "closed_at", "closed_by"]
    list_filter = ["require_graduation_pass", "require_essay"]
    search_fields = ["program__code", "program__title"]
    list_select_related = ["program", "closed_by"]
    readonly_fields = ["program", "closed_at", "closed_by"]

    def has_add_permission(self, request):
        return False  # made by the rules page, or by the close


@admin.register(CompletionException)
class CompletionExceptionAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "reason", "granted_by", "granted_at"]
    list_filter = ["enrollment__program"]
    search_fields = ["enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["enrollment__trainee", "enrollment__program", "granted_by"]


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "completed", "hours", "attendance_rate", "decided_at"]
    list_filter = ["completed", "enrollment__program"]
    search_fields = ["enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["enrollment__trainee", "enrollment__program"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["serial", "enrollment", "hours", "issued_at", "revoked_at"]
    list_filter = ["enrollment__program", "revoked_at"]
    search_fields = ["serial", "enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["enrollment__trainee", "enrollment__program"]
    exclude = ["token"]  # the key of the public verification page, not for the list
