from django.contrib import admin

from reports.models import ReportDelivery, ReportFile, ReportRecipient, ScoreReport


class ReportDeliveryInline(admin.TabularInline):
    model = ReportDelivery
    extra = 0
    fields = ["recipient_name", "recipient_email", "scope_unit", "status", "attempts", "sent_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "scope_unit", "program"]
    list_filter = ["program"]
    search_fields = ["name", "email"]
    list_select_related = ["program", "scope_unit"]
    raw_id_fields = ["program", "scope_unit"]


@admin.register(ScoreReport)
class ScoreReportAdmin(admin.ModelAdmin):
    list_display = ["program", "number", "status", "created_by", "created_at"]
    exclude = ["fingerprint"]
    readonly_fields = ["provisional_reasons"]  # as the emails said: not to be rewritten
    list_filter = ["status", "program"]
    search_fields = ["program__title", "program__code"]
    list_select_related = ["program", "created_by"]
    inlines = [ReportDeliveryInline]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["recipient_email", "report", "scope_unit", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["recipient_email", "message_id", "last_error"]
    list_select_related = ["report__program", "scope_unit"]
    raw_id_fields = ["report", "scope_unit", "enrollment", "file"]


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    """The files as mailed; a published report is frozen, so they are only read here."""

    list_display = ["title", "report", "scope_unit", "rows"]
    list_filter = ["report__program"]
    search_fields = ["title"]
    list_select_related = ["report__program", "scope_unit"]
    raw_id_fields = ["report", "scope_unit"]
    exclude = ["xlsx", "pdf"]

    def has_change_permission(self, request, obj=None):
        return False
