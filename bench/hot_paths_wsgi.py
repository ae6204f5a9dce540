"""The WSGI application bench/hot_paths.py serves with gunicorn: the project's own, except
that /healthz goes through a Django handler with no middleware at all (the bare view: the URL
resolved and config.views.health called, nothing else), in the same gunicorn processes; and
/bench/signed-in/ (the signed-in floor) goes through the project's whole middleware to a
trainee's view that does nothing (bench/hot_paths_floor.py)."""

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

from config.wsgi import application as project  # sets Django up


class WithoutMiddleware(WSGIHandler):
    """Django's WSGI handler with an empty MIDDLEWARE: request, URL, view, response."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


class Floor(WSGIHandler):
    """The project's handler, resolving the URL in bench/hot_paths_floor.py."""

    def get_response(self, request):
        request.urlconf = "hot_paths_floor"
        return super().get_response(request)


bare = WithoutMiddleware()
floor = Floor()


def application(environ, start_response):
    path = environ.get("PATH_INFO")
    if path == "/healthz":
        return bare(environ, start_response)
    if path == "/bench/signed-in/":
        return floor(environ, start_response)
    return project(environ, start_response)
