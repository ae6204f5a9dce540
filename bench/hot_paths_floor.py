"""The URLconf of bench/hot_paths.py's signed-in floor: a trainee's page that does nothing,
behind the project's whole middleware (the session, the account, CSRF, the sign-in steps...).
What any signed-in request costs before its own work: the ceiling of every hot path's ratio."""

from django.http import HttpResponse
from django.urls import path

from trainees.roles import TRAINEE, role_required


@role_required(TRAINEE)
def signed_in(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/signed-in/", signed_in)]
