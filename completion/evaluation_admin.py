"""The course evaluation in the admin: the answers, read only, each with its activity and
scores and nothing that says who gave it. The receipts (who has evaluated what) are not in
the admin: shown next to the answers, their order or their number for an activity would
help to join the two."""

from django.contrib import admin

from completion.models import Evaluation, EvaluationScore


class EvaluationScoreInline(admin.TabularInline):
    model = EvaluationScore
    fields = ["item", "score"]
    readonly_fields = ["item", "score"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["activity", "comment"]
    list_filter = ["activity__program"]
    search_fields = ["comment", "activity__title"]
    list_select_related = ["activity"]
    # By the random id: the order in which the answers came in is not shown.
    ordering = ["pk"]
    fields = ["activity", "comment"]
    readonly_fields = ["activity", "comment"]
    inlines = [EvaluationScoreInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
