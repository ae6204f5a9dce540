import contextlib
import time
from functools import partial
from urllib.parse import urlencode

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, PolicyParts
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.middleware import get_user as request_account
from django.contrib.auth.views import redirect_to_login
from django.core.signals import setting_changed
from django.http import HttpResponseNotFound, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from trainees.directory import signed_in_through_directory
from trainees.text import CONTROL, without_control
from trainees.validators import is_staff_account

# Seconds between two writes of a staff session's last request: a session is saved once a
# minute at most for it, not at every request.
TOUCH_EVERY = 60
LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"


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
        # The first to read request.user: a session signed in before the account cache came
        # names Django's backend, no longer listed; it is given ours, not signed out.
        if request.session.get(BACKEND_SESSION_KEY) == LEGACY_BACKEND:
            request.session[BACKEND_SESSION_KEY] = "trainees.backends.ModelBackend"
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
            # Only a staff session's idleness matters: a trainee's is not written each minute
            # (a session write is a database UPDATE and a cache SET).
            if staff and (now - seen >= TOUCH_EVERY or "seen_at" not in session):
                session["seen_at"] = now
        return self.get_response(request)


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's, with one lazy object in request.user instead of two (Django's, wrapped in
    django-otp's), and then the account itself: once read, the account (with otp_device and
    is_verified, as django-otp sets them) takes the lazy object's place in request.user. Each
    proxy answers an attribute by raising and catching an AttributeError; a signed-in
    request reads some fifty of them (the session's checks, the roles, the view), twice over
    through two proxies. Whoever kept the lazy object still reads the same account."""

    def _install_lazy_accessors(self, request):
        super()._install_lazy_accessors(request)  # request.auser, as django-otp's
        if getattr(request, "user", None) is not None:
            request.user = SimpleLazyObject(partial(self.account, request))

    def account(self, request):
        user = self._verify_user_sync(request, request_account(request))
        request.user = user
        return user


def unfinished_step(request):
    """The step of signing in that this signed-in session still owes, as the name of its page,
    or None once it has finished. In this order:

    1. the second factor: a staff account with a confirmed authenticator gives its code
       ("two-factor-verify"); with OTP_REQUIRED_FOR_STAFF, one without sets one up first
       ("two-factor-setup");
    2. a password of the account's own ("password_change"): a trainee signed in with the slip's
       initial password (the account's own is unusable until then), or any account at its
       first sign-in, with a password someone else set (trainees.apps.remember_first_sign_in);
       never a session signed in through the directory (trainees.directory).

    The code comes first: whoever has only the password must not change it.
    """
    user = request.user
    if staff_session(request) and not user.is_verified():
        has_device = request.session.get("otp_device")
        if has_device is None:  # looked up once a session, not at every page
            has_device = request.session["otp_device"] = user_has_device(user)
        if has_device:
            return "two-factor-verify"
        if settings.OTP_REQUIRED_FOR_STAFF:
            return "two-factor-setup"
    if signed_in_through_directory(request):  # its password is the directory's
        return None
    if not user.has_usable_password() or request.session.get("must_change_password"):
        return "password_change"
    return None


class SignInStepsMiddleware:
    """A session that has signed in but not finished signing in (unfinished_step) sees the page
    of its step, signing out and the language switch: every other page, the admin's included,
    leads to that step. Whatever page it signed in at (the site's or the admin's login), the
    same steps follow: this is the one place that decides."""

    ALWAYS = ("logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = unfinished_step(request) if request.user.is_authenticated else None
        if step is None or request.path.startswith("/static/"):
            return self.get_response(request)
        if request.path in [reverse(name) for name in (step, *self.ALWAYS)]:
            return self.get_response(request)
        if step == "two-factor-verify":  # back to the page asked for, once the code is given
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(step)}?{query}")
        return redirect(step)


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


class ControlCharactersMiddleware:
    """Every submitted text without control characters (trainees.text.without_control), before
    any view or form reads it: the query string and the fields of a posted form. Tabs and line
    breaks stay, so a textarea keeps its lines.

    One place for every form of the app, the admin's and Django's own (login, password)
    included, and for the views that read request.POST themselves. The alternatives were
    weighed: a form base class must be remembered by each of some forty forms and cannot
    reach the admin's or Django's; a pre_save signal runs after validation (a unique or a
    max_length check would judge the raw text) and not on bulk writes; a model field needs
    every model changed. A NUL is dropped like the rest, before Django's
    ProhibitNullCharactersValidator would refuse it: a person never typed it.

    Text that arrives another way drops them where it arrives: the imports' reader
    (trainees.spreadsheets), JSON inside a field (exams.services.attempts.clean_answer), the
    essay (discussions.services.essays.clean_text). Data stored before, or written in bulk,
    may still hold them: the .xlsx writer (trainees.workbooks) drops them again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL.search(request.path):
            # No address of the site has one; /programs/%00/ reached a program's lookup by
            # its code with a NUL, which PostgreSQL refuses: a 500 (the API's too). A bare
            # 404: the account is not read yet, which the site's 404 page shows.
            return HttpResponseNotFound()
        request.GET = without_control_query(request.GET)
        if request.method == "POST":
            # OSError: the client went away mid-upload; the CSRF check answers that request.
            with contextlib.suppress(OSError):
                request.POST = without_control_query(request.POST)
        return self.get_response(request)


def without_control_query(query):
    """`query` (a QueryDict) itself if no key or value has a control character, or else a
    copy without them (mutable, as every copy of a QueryDict is: nothing here relies on it
    being frozen)."""
    if not any(
        CONTROL.search(key) or any(CONTROL.search(value) for value in values)
        for key, values in query.lists()
    ):
        return query
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(without_control(key), [without_control(value) for value in values])
    return cleaned


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's, with the policy built once: a response without a policy of its own (no
    view here sets one, and no template asks for a nonce) gets the header of the settings,
    built at the first response instead of at each (django-csp rebuilds it from the settings
    every time). Anything else goes through django-csp unchanged."""

    built = {}  # report_only → the header of the settings (emptied when they change)

    def process_response(self, request, response):
        plain = PolicyParts()
        if (
            getattr(request, "_csp_nonce", None) is not None
            or self.get_policy_parts(request=request, response=response) != plain
            or self.get_policy_parts(request=request, response=response, report_only=True) != plain
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        for report_only, header, exempt, policy_name in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            if report_only not in self.built:
                self.built[report_only] = build_policy(report_only=report_only)
            value = self.built[report_only]
            prefixes = (getattr(settings, policy_name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            if (
                value
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(tuple(prefixes or ()))
            ):
                response[header] = value
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def csp_settings_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        CSPMiddleware.built.clear()


setting_changed.connect(csp_settings_changed, dispatch_uid="trainees.middleware.csp")
