from django.urls import path

from trainees.views import enrollments, groups, personal_data, programs, roster, units

app_name = "trainees"

program = "programs/<slug:code>/"

urlpatterns = [
    path("programs/", programs.program_list, name="program-list"),
    path("programs/new/", programs.ProgramCreateView.as_view(), name="program-create"),
    path(program, programs.ProgramDetailView.as_view(), name="program-detail"),
    path(f"{program}edit/", programs.ProgramUpdateView.as_view(), name="program-update"),
    path(f"{program}roster/", roster.RosterView.as_view(), name="roster"),
    path(f"{program}roster/export/", roster.roster_export, name="roster-export"),
    path(f"{program}roster/import/", roster.roster_import, name="roster-import"),
    path(f"{program}roster/slips/", roster.roster_slips, name="roster-slips"),
    path(f"{program}roster/bulk/", roster.roster_bulk, name="roster-bulk"),
    path(f"{program}trainees/<int:pk>/", enrollments.enrollment_detail, name="enrollment-detail"),
    path(f"{program}trainees/<int:pk>/move/", enrollments.enrollment_move, name="enrollment-move"),
    path(
        f"{program}trainees/<int:pk>/erase/",
        personal_data.enrollment_erase,
        name="enrollment-erase",
    ),
    path(
        f"{program}trainees/<int:pk>/status/",
        enrollments.enrollment_status,
        name="enrollment-status",
    ),
    path(
        f"{program}trainees/<int:pk>/password/",
        enrollments.trainee_password_reset,
        name="trainee-password-reset",
    ),
    path(f"{program}groups/", groups.GroupListView.as_view(), name="group-list"),
    path(f"{program}groups/create/", groups.groups_create, name="groups-create"),
    path(f"{program}groups/split/", groups.groups_split, name="groups-split"),
    path(f"{program}groups/print/", groups.groups_print, name="groups-print"),
    path(f"{program}groups/edit/", groups.groups_update, name="groups-update"),
    path(
        f"{program}groups/<int:number>/edit/", groups.GroupUpdateView.as_view(), name="group-update"
    ),
    path("my-data/", personal_data.my_data, name="my-data"),
    path("units/", units.unit_list, name="unit-list"),
    path("units/<int:pk>/edit/", units.UnitUpdateView.as_view(), name="unit-update"),
]
