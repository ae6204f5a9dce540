from django.shortcuts import redirect
from django.urls import reverse

from trainees.backends import SESSION_MUST_CHANGE_PASSWORD


class PasswordChangeRequiredMiddleware:
    """After signing in with an initial password, every page leads to the password page."""

    ALLOWED = ("password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(SESSION_MUST_CHANGE_PASSWORD) and request.user.is_authenticated:
            allowed = [reverse(name) for name in self.ALLOWED]
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
