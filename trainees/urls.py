from django.urls import path

from trainees import views

app_name = "trainees"

urlpatterns = [
    path("programs/", views.program_list, name="program-list"),
]
