"""Two-factor sign-in for staff (django-otp): a time-based code (TOTP) from an authenticator
app on the phone, and ten one-time recovery codes for a lost phone. Organizers and leaders
turn it on for themselves; with OTP_REQUIRED_FOR_STAFF every staff account must.

After the password, a staff account with a confirmed device is asked for a code before any
other page (TwoFactorMiddleware); the code is checked with django_otp.match_token, which also
throttles repeated wrong codes."""

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trainees.middleware import staff_session
from trainees.validators import is_staff_account

RECOVERY_CODES = 10
ALLOWED = ("two-factor-setup", "two-factor-verify", "logout", "set_language", "password_change")


class TwoFactorMiddleware:
    """A staff account with a confirmed device must give its code before any page; with
    OTP_REQUIRED_FOR_STAFF, one without a device must set one up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and staff_session(request) and not user.is_verified():
            allowed = [reverse(name) for name in ALLOWED]
            if request.path not in allowed and not request.path.startswith("/static/"):
                has_device = request.session.get("otp_device")
                if has_device is None:  # looked up once a session, not at every page
                    has_device = request.session["otp_device"] = user_has_device(user)
                if has_device:
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('two-factor-verify')}?{query}")
                if settings.OTP_REQUIRED_FOR_STAFF:
                    return redirect("two-factor-setup")
        return self.get_response(request)


def recovery_codes(user):
    """Ten new one-time codes (the old ones stop working); shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def setup(request):
    """Scan the QR code with an authenticator app, type the code it shows: the device is
    confirmed, the session verified, and the recovery codes shown once."""
    user = request.user
    if not is_staff_account(user):
        return redirect("home")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None and not confirmed:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    if request.method == "POST" and device is not None:
        if device.verify_token(request.POST.get("token", "").strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = recovery_codes(user)
            otp_login(request, device)
            request.session["otp_device"] = True
            return render(request, "registration/two_factor_codes.html", {"codes": codes})
        messages.error(request, _("The code is wrong or has expired; type the newest one."))
    context = {"confirmed": confirmed, "device": device}
    if device is not None:
        context["qr"] = segno.make(device.config_url, error="m").svg_inline(scale=5)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/two_factor_setup.html", context)


def verify(request):
    """The code after the password: the authenticator's, or a recovery code (used up)."""
    user = request.user
    if not is_staff_account(user):
        return redirect("home")
    target = request.GET.get("next") or request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    if user.is_verified():
        return redirect(target)
    if request.method == "POST":
        device = match_token(user, request.POST.get("token", "").strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("Recovery code used; %(left)s left. Make new ones if you run low.")
                    % {"left": left},
                )
            return redirect(target)
        messages.error(request, _("The code is wrong or has expired."))
    return render(request, "registration/two_factor_verify.html", {"next": target})


@require_POST
def new_recovery_codes(request):
    """New recovery codes for a verified staff session; the old ones stop working."""
    if not (is_staff_account(request.user) and request.user.is_verified()):
        return redirect("two-factor-setup")
    codes = recovery_codes(request.user)
    return render(request, "registration/two_factor_codes.html", {"codes": codes})
