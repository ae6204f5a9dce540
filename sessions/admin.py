from django.contrib import admin

from sessions.models import (
    Activity,
    ActivityChange,
    Attendance,
    AttendanceChange,
    CalendarFeed,
    LeaveRequest,
    Material,
    Speaker,
    TimetableVersion,
    Venue,
)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "address", "capacity"]
    list_filter = ["program"]
    list_select_related = ["program"]
    search_fields = ["name", "address"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization"]
    search_fields = ["name", "title", "organization"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "program", "starts_at", "ends_at", "venue", "group"]
    list_filter = ["kind", "program"]
    search_fields = ["title", "description", "speakers__name"]
    list_select_related = ["program", "venue", "group"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["speakers"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["activity", "enrollment", "status", "minutes_late", "checked_in_at", "method"]
    list_filter = ["status", "method", "activity__program"]
    search_fields = ["enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["activity", "enrollment__trainee", "enrollment__program"]
    raw_id_fields = ["activity", "enrollment", "marked_by"]

    def get_readonly_fields(self, request, obj=None):
        # A status changes on the roll-call sheet, which keeps each change (AttendanceChange).
        return ["status", "minutes_late"] if obj else []


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "starts_at", "ends_at", "status", "decided_by"]
    list_filter = ["status", "enrollment__program"]
    search_fields = ["enrollment__trainee__name", "enrollment__trainee__police_id", "reason"]
    list_select_related = ["enrollment__trainee", "enrollment__program", "decided_by"]
    raw_id_fields = ["enrollment", "decided_by"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "activity"]
    list_filter = ["program"]
    search_fields = ["title"]
    list_select_related = ["program", "activity"]


@admin.register(ActivityChange)
class ActivityChangeAdmin(admin.ModelAdmin):
    list_display = ["summary", "kind", "program", "group", "created_at", "notified_at"]
    list_filter = ["kind", "program"]
    search_fields = ["summary"]
    list_select_related = ["program", "group"]
    raw_id_fields = ["activity", "group", "created_by"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["program", "enrollment", "created_at"]
    list_filter = ["program"]
    search_fields = ["enrollment__trainee__name", "enrollment__trainee__police_id"]
    list_select_related = ["program", "enrollment__trainee", "enrollment__program"]
    raw_id_fields = ["enrollment"]


@admin.register(AttendanceChange)
class AttendanceChangeAdmin(admin.ModelAdmin):
    list_display = ["attendance", "old_status", "new_status", "changed_by", "changed_at", "reason"]
    list_filter = ["new_status", "reason"]
    search_fields = ["attendance__enrollment__trainee__name", "reason"]
    list_select_related = ["changed_by"]
    raw_id_fields = ["attendance", "changed_by"]

    def has_change_permission(self, request, obj=None):
        return False  # the history of attendance is not edited


@admin.register(TimetableVersion)
class TimetableVersionAdmin(admin.ModelAdmin):
    """Raised by every change of a timetable (sessions.versions); read here, never edited."""

    list_display = ["program", "version"]
    search_fields = ["program__code", "program__title"]
    list_filter = ["program__start_date"]
    readonly_fields = ["program", "version"]
