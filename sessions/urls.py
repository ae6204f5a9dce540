from django.urls import path

from sessions import views

app_name = "timetable"

urlpatterns = [
    path("my-day/", views.my_day, name="my-day"),
]
