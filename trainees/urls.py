from django.urls import path

from trainees import personal_data, views

app_name = "trainees"

program = "programs/<slug:code>/"

urlpatterns = [
    path("programs/", views.program_list, name="program-list"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program-create"),
    path(program, views.ProgramDetailView.as_view(), name="program-detail"),
    path(f"{program}edit/", views.ProgramUpdateView.as_view(), name="program-update"),
    path(f"{program}roster/", views.RosterView.as_view(), name="roster"),
    path(f"{program}roster/export/", views.roster_export, name="roster-export"),
    path(f"{program}roster/import/", views.roster_import, name="roster-import"),
    path(f"{program}roster/slips/", views.roster_slips, name="roster-slips"),
    path(f"{program}trainees/<int:pk>/", views.enrollment_detail, name="enrollment-detail"),
    path(f"{program}trainees/<int:pk>/move/", views.enrollment_move, name="enrollment-move"),
    path(
        f"{program}trainees/<int:pk>/erase/",
        personal_data.enrollment_erase,
        name="enrollment-erase",
    ),
    path(f"{program}trainees/<int:pk>/status/", views.enrollment_status, name="enrollment-status"),
    path(
        f"{program}trainees/<int:pk>/password/",
        views.trainee_password_reset,
        name="trainee-password-reset",
    ),
    path(f"{program}groups/", views.GroupListView.as_view(), name="group-list"),
    path(f"{program}groups/create/", views.groups_create, name="groups-create"),
    path(f"{program}groups/split/", views.groups_split, name="groups-split"),
    path(f"{program}groups/print/", views.groups_print, name="groups-print"),
    path(
        f"{program}groups/<int:number>/edit/", views.GroupUpdateView.as_view(), name="group-update"
    ),
    path("my-data/", personal_data.my_data, name="my-data"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit-update"),
]
