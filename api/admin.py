"""The API's clients in the admin: an administrator registers a client (a name, the unit
whose trainees it sees, read-only or read-write) and is shown its token once, as a message;
only the token's SHA-256 is kept. Revoking, and issuing a new token, are actions of the
list. The calls are read-only: what each client asked, and the answer."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiCall, ApiClient
from api.services import client_revoke, client_token_issue


def token_message(request, client, token):
    messages.warning(
        request,
        _(
            "The token of %(client)s, shown this once (only its hash is kept): %(token)s — "
            "send it as the header Authorization: Bearer <token>."
        )
        % {"client": client.name, "token": token},
    )


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "unit",
        "access",
        "token_prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["access", "revoked_at"]
    search_fields = ["name", "unit__name", "token_prefix"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at", "revoked_at", "user"]
    actions = ["revoke", "issue_token"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            token_message(request, obj, client_token_issue(client=obj))

    @admin.action(description=gettext_lazy("Revoke the token of the selected clients"))
    def revoke(self, request, queryset):
        for client in queryset:
            client_revoke(client=client)
        messages.success(
            request,
            _("Revoked: %(names)s. Their calls now get 401.")
            % {"names": _(", ").join(client.name for client in queryset)},
        )

    @admin.action(description=gettext_lazy("Issue a new token to the selected clients"))
    def issue_token(self, request, queryset):
        for client in queryset:
            token_message(request, client, client_token_issue(client=client))


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "client", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method", "client"]
    search_fields = ["path", "client__name"]
    list_select_related = ["client"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
