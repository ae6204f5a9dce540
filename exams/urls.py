from django.urls import path

from exams import views

app_name = "exams"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
