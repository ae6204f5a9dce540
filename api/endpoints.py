"""The API (django-ninja): /api/v1/, its OpenAPI schema at /api/v1/openapi.json and the docs
page at /api/v1/docs (Swagger UI from the package's own static files: nothing from another
host). The token, the rate limit and the record of each call are api.gate's, before ninja."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from api.routers import programs, roster, trainees


class ClientToken(HttpBearer):
    """The bearer token, as the schema documents it; api.gate has checked it already and put
    its client on the request."""

    def authenticate(self, request, token):
        return getattr(request, "api_client", None)


api = NinjaAPI(
    title="Jingxun API",
    version="1",
    description=(
        "警训 Jingxun: programs, rosters, timetables, attendance, scores, essays' grades, "
        "study hours and certificates, for the bureau's other systems. "
        "Authorization: Bearer <token>; a client sees the trainees of its unit and the "
        "units under it."
    ),
    auth=ClientToken(),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None}),  # the validator badge is another host
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", programs.router)
api.add_router("", trainees.router)
api.add_router("", roster.router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"detail": _("A valid API token is required.")}, status=401)
