from django.urls import path

from sessions import rollcall_views, views

app_name = "timetable"

program = "programs/<slug:code>/"

urlpatterns = [
    path("my-day/", views.my_day, name="my-day"),
    path(f"{program}mine/", views.my_timetable, name="my-timetable"),
    path(f"{program}mine/feed/revoke/", views.my_feed_revoke, name="my-feed-revoke"),
    path(f"{program}week/", views.week, name="week"),
    path(f"{program}week/print/", views.week_print, name="week-print"),
    path(f"{program}activities/new/", views.activity_form, name="activity-create"),
    path(f"{program}activities/<int:pk>/edit/", views.activity_form, name="activity-update"),
    path(f"{program}activities/<int:pk>/delete/", views.activity_delete, name="activity-delete"),
    path(f"{program}activities/import/", views.activities_import, name="activities-import"),
    path(f"{program}days/duplicate/", views.day_duplicate, name="day-duplicate"),
    path(f"{program}publish/", views.timetable_publish, name="publish"),
    path(f"{program}feed/revoke/", views.program_feed_revoke, name="program-feed-revoke"),
    path(f"{program}materials/", views.materials, name="materials"),
    path(f"{program}materials/<int:pk>/", views.material_download, name="material-download"),
    path(f"{program}materials/<int:pk>/delete/", views.material_delete, name="material-delete"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("check-in/", rollcall_views.check_in, name="check-in"),
    path("leave/", rollcall_views.my_leave, name="my-leave"),
    path(f"{program}roll-call/", rollcall_views.rollcall_list, name="rollcall-list"),
    path(f"{program}roll-call/<int:pk>/", rollcall_views.sheet, name="rollcall-sheet"),
    path(
        f"{program}roll-call/<int:pk>/mark/<int:enrollment_pk>/",
        rollcall_views.sheet_mark,
        name="rollcall-mark",
    ),
    path(
        f"{program}roll-call/<int:pk>/all-present/",
        rollcall_views.sheet_all_present,
        name="rollcall-all-present",
    ),
    path(f"{program}roll-call/<int:pk>/screen/", rollcall_views.screen, name="rollcall-screen"),
    path(f"{program}roll-call/<int:pk>/paper/", rollcall_views.paper_sheet, name="rollcall-paper"),
    path(f"{program}leave/", rollcall_views.leave_list, name="leave-list"),
    path(f"{program}leave/<int:pk>/", rollcall_views.leave_decide, name="leave-decide"),
    path(f"{program}discipline/", rollcall_views.discipline, name="discipline"),
]
