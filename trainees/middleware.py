import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trainees.validators import is_staff_account

# Seconds between two writes of a session's last request: a session is saved once a minute at
# most for it, not at every request.
TOUCH_EVERY = 60


def staff_session(request):
    """Whether the signed-in account is staff, read once per session (a trainee's every
    autosave does not look up their groups)."""
    staff = request.session.get("staff")
    if staff is None:
        staff = request.session["staff"] = is_staff_account(request.user)
    return staff


class SessionLifetimeMiddleware:
    """Ends a session that has been idle too long (staff accounts: STAFF_IDLE_TIMEOUT) or that
    has lived too long, however active (STAFF_SESSION_LIFETIME for staff, SESSION_LIFETIME for
    trainees); the person signs in again and is told why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault("started_at", now)
            seen = session.get("seen_at", now)
            staff = staff_session(request)
            lifetime = settings.STAFF_SESSION_LIFETIME if staff else settings.SESSION_LIFETIME
            idle = staff and now - seen > settings.STAFF_IDLE_TIMEOUT.total_seconds()
            if idle or now - started > lifetime.total_seconds():
                logout(request)
                messages.info(request, _("Your session has ended; please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - seen >= TOUCH_EVERY or "seen_at" not in session:
                session["seen_at"] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account without a password of its own (a trainee signed in with the slip's initial
    password, or anyone at the first sign-in with a password an admin set) may only choose
    one: every other page leads to the password page."""

    ALLOWED = ("password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        must = user.is_authenticated and (
            not user.has_usable_password() or request.session.get("must_change_password")
        )
        if must:
            allowed = [reverse(name) for name in self.ALLOWED]
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


def client_ip(request):
    """The address a request came from: with BEHIND_TLS_PROXY, the last address of
    X-Forwarded-For, which nginx appends ($proxy_add_x_forwarded_for) and a client cannot
    forge; otherwise REMOTE_ADDR. django-axes counts sign-in failures by it."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
