from django.urls import path

from sessions.views import calendar, discipline, leave, materials, rollcall, timetable

app_name = "timetable"

program = "programs/<slug:code>/"

urlpatterns = [
    # The trainee's most frequent requests first: each URL is matched against the patterns in
    # turn (none of these overlaps another).
    path("my-day/", timetable.my_day, name="my-day"),
    path("check-in/", rollcall.check_in, name="check-in"),
    path(f"{program}mine/", timetable.my_timetable, name="my-timetable"),
    path(f"{program}mine/feed/revoke/", calendar.my_feed_revoke, name="my-feed-revoke"),
    path(f"{program}week/", timetable.week, name="week"),
    path(f"{program}week/print/", timetable.week_print, name="week-print"),
    path(f"{program}activities/new/", timetable.activity_form, name="activity-create"),
    path(f"{program}activities/<int:pk>/edit/", timetable.activity_form, name="activity-update"),
    path(
        f"{program}activities/<int:pk>/delete/", timetable.activity_delete, name="activity-delete"
    ),
    path(f"{program}activities/import/", timetable.activities_import, name="activities-import"),
    path(f"{program}days/duplicate/", timetable.day_duplicate, name="day-duplicate"),
    path(f"{program}publish/", timetable.timetable_publish, name="publish"),
    path(f"{program}feed/revoke/", calendar.program_feed_revoke, name="program-feed-revoke"),
    path(f"{program}materials/", materials.materials, name="materials"),
    path(f"{program}materials/<int:pk>/", materials.material_download, name="material-download"),
    path(f"{program}materials/<int:pk>/delete/", materials.material_delete, name="material-delete"),
    path("feeds/<str:token>.ics", calendar.feed, name="feed"),
    path("leave/", leave.my_leave, name="my-leave"),
    path(f"{program}roll-call/", rollcall.rollcall_list, name="rollcall-list"),
    path(f"{program}roll-call/<int:pk>/", rollcall.sheet, name="rollcall-sheet"),
    path(
        f"{program}roll-call/<int:pk>/mark/<int:enrollment_pk>/",
        rollcall.sheet_mark,
        name="rollcall-mark",
    ),
    path(
        f"{program}roll-call/<int:pk>/all-present/",
        rollcall.sheet_all_present,
        name="rollcall-all-present",
    ),
    path(f"{program}roll-call/<int:pk>/screen/", rollcall.screen, name="rollcall-screen"),
    path(f"{program}roll-call/<int:pk>/paper/", rollcall.paper_sheet, name="rollcall-paper"),
    path(f"{program}leave/", leave.leave_list, name="leave-list"),
    path(f"{program}leave/<int:pk>/", leave.leave_decide, name="leave-decide"),
    path(f"{program}discipline/", discipline.discipline, name="discipline"),
]
