from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trainees.models import Enrollment, Group, Leader, OrganizerUnit, Program, Trainee, Unit

# The roster's models keep their history (变更记录): the admin shows it, and records its own
# changes with the signed-in user.


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Trainee)
class TraineeAdmin(SimpleHistoryAdmin):
    list_display = ["police_id", "name", "gender", "unit", "position", "phone"]
    list_filter = ["gender", "unit__kind"]
    search_fields = ["police_id", "name", "unit__name", "phone"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "user"]


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "start_date", "end_date", "venue"]
    list_filter = ["kind", "start_date"]
    search_fields = ["code", "title", "venue"]
    date_hierarchy = "start_date"
    filter_horizontal = ["organizers"]
    inlines = [GroupInline]


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin):
    list_display = ["program", "number", "name", "host_name", "host_title", "topic"]
    list_filter = ["program"]
    search_fields = ["name", "host_name", "topic", "program__code"]
    list_select_related = ["program"]


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    list_display = ["trainee", "program", "group", "role", "status"]
    list_filter = ["program", "status", "role"]
    search_fields = ["trainee__name", "trainee__police_id", "trainee__unit__name"]
    list_select_related = ["trainee", "program", "group"]
    autocomplete_fields = ["trainee"]


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    """Which unit a leadership account reads (its subtree; a root unit reads everything)."""

    list_display = ["user", "unit"]
    list_filter = ["unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(OrganizerUnit)
class OrganizerUnitAdmin(admin.ModelAdmin):
    """Which unit bounds an organizer (under a province, their city bureau): their programs'
    bureau, the units they correct and their roster imports (trainees.permissions)."""

    list_display = ["user", "unit"]
    list_filter = ["unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]
