from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from discussions.models import (
    DiscussionRecord,
    Essay,
    EssayBand,
    EssayMatch,
    EssayReview,
    EssayReviewer,
    EssayRevision,
    ForumTalk,
    Idea,
)


class IdeaInline(admin.TabularInline):
    model = Idea
    extra = 0
    raw_id_fields = ["author"]


@admin.register(DiscussionRecord)
class DiscussionRecordAdmin(admin.ModelAdmin):
    list_display = ["activity", "group", "recorder"]
    list_filter = ["activity__program"]
    search_fields = ["summary", "activity__title"]
    list_select_related = ["activity", "group", "recorder"]
    raw_id_fields = ["activity", "group", "recorder"]
    inlines = [IdeaInline]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["text", "author", "starred"]
    list_filter = ["starred", "record__activity__program"]
    search_fields = ["text", "author__trainee__name"]
    list_select_related = ["author__trainee", "author__program"]
    raw_id_fields = ["record", "author"]


@admin.register(ForumTalk)
class ForumTalkAdmin(admin.ModelAdmin):
    list_display = ["order", "title", "presenter", "program"]
    list_filter = ["program"]
    search_fields = ["title", "summary", "presenter__trainee__name"]
    list_select_related = ["program", "presenter__trainee", "presenter__program"]
    raw_id_fields = ["presenter"]


@admin.register(Essay)
class EssayAdmin(SimpleHistoryAdmin):
    list_display = ["enrollment", "title", "status", "chars", "submitted_at", "grade", "excellent"]
    list_filter = ["status", "enrollment__program"]
    search_fields = ["title", "enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["enrollment__trainee", "enrollment__program"]
    raw_id_fields = ["enrollment"]


@admin.register(EssayRevision)
class EssayRevisionAdmin(admin.ModelAdmin):
    list_display = ["essay", "created_at"]
    list_filter = ["essay__enrollment__program"]
    search_fields = ["essay__enrollment__trainee__name", "title"]
    raw_id_fields = ["essay"]


@admin.register(EssayReview)
class EssayReviewAdmin(admin.ModelAdmin):
    list_display = ["essay", "grade", "excellent", "reviewer", "created_at"]
    list_filter = ["grade", "excellent"]
    search_fields = ["essay__enrollment__trainee__name", "comment"]
    list_select_related = ["essay", "reviewer"]
    raw_id_fields = ["essay", "reviewer"]

    def has_change_permission(self, request, obj=None):
        return False  # every review is kept as it was given


@admin.register(EssayReviewer)
class EssayReviewerAdmin(admin.ModelAdmin):
    list_display = ["user", "program"]
    list_filter = ["program"]
    search_fields = ["user__username", "user__first_name", "program__code"]
    list_select_related = ["user", "program"]
    raw_id_fields = ["user"]


@admin.register(EssayBand)
class EssayBandAdmin(admin.ModelAdmin):
    """The similarity index, written with each essay's signature; read here, never typed."""

    list_display = ["essay", "band", "hash"]
    list_filter = ["essay__enrollment__program"]
    search_fields = ["essay__enrollment__trainee__name", "=hash"]
    list_select_related = ["essay__enrollment__trainee"]
    raw_id_fields = ["essay"]
    readonly_fields = ["essay", "band", "hash"]


@admin.register(EssayMatch)
class EssayMatchAdmin(admin.ModelAdmin):
    """Worked out by the similarity check; read here, never typed."""

    list_display = ["essay", "other", "similarity", "containment", "computed_at"]
    list_filter = ["essay__enrollment__program"]
    search_fields = ["essay__enrollment__trainee__name", "other__enrollment__trainee__name"]
    list_select_related = ["essay__enrollment__trainee", "other__enrollment__trainee"]
    raw_id_fields = ["essay", "other"]
    readonly_fields = ["essay", "other", "similarity", "containment", "computed_at"]
