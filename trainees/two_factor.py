"""Two-factor sign-in for staff (django-otp): a time-based code (TOTP) from an authenticator
app on the phone, and ten one-time recovery codes for a lost phone. Organizers and leaders
turn it on for themselves; with OTP_REQUIRED_FOR_STAFF every staff account must.

After the password, a staff account with a confirmed device is asked for a code before any
other page, its own password page included (trainees.middleware.SignInStepsMiddleware); the
code is checked with django_otp.match_token, and wrong codes are counted here (verify)."""

import base64
import logging

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trainees.middleware import client_ip
from trainees.next_page import next_page
from trainees.throttle import WrongCodes, minutes
from trainees.validators import is_staff_account

logger = logging.getLogger(__name__)
RECOVERY_CODES = 10
WRONG_CODES = WrongCodes(
    "two-factor", limit_setting="OTP_WRONG_CODES_LIMIT", window_setting="OTP_WRONG_CODES_WINDOW"
)


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
    """The code after the password: the authenticator's, or a recovery code (used up).

    Whoever types codes here has the password; the owner, or someone who read it. Wrong codes
    are counted per account and address (WRONG_CODES), as django-axes counts wrong passwords:
    at OTP_WRONG_CODES_LIMIT within the window the session is signed out, and that address
    may not give this account's code until the window has passed, even after signing in
    again. Why not the alternatives:
    - per account (django-otp's throttle, off in settings): the owner would be locked out of
      their own account by whoever has the password, for longer at each wrong code;
    - per session only: signing in again makes a new session, so the password alone would
      buy unlimited guesses;
    - signing out alone: the same, one sign-in per few guesses.
    So the guesses are bounded per address (5 per 15 minutes, while 3 codes in a million are
    right at a time: about two years for one right guess), the owner elsewhere is never held,
    and one who shares the address is held for the window at most. Each lock is logged with
    the account and the address, for the admins.
    """
    user = request.user
    if not is_staff_account(user):
        return redirect("home")
    target = next_page(
        request, request.GET.get("next") or request.POST.get("next"), reverse("home")
    )
    if user.is_verified():
        return redirect(target)
    address = client_ip(request)
    attempts = f"{user.pk}:{address}"
    waiting = WRONG_CODES.wait(attempts)
    if waiting:
        return signed_out_to_wait(request, waiting)
    if request.method == "POST":
        device = match_token(user, request.POST.get("token", "").strip().replace(" ", ""))
        if device is not None:
            WRONG_CODES.clear(attempts)
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("Recovery code used; %(left)s left. Make new ones if you run low.")
                    % {"left": left},
                )
            return redirect(target)
        waiting = WRONG_CODES.failed(attempts)
        if waiting:
            logger.warning(
                "Too many wrong second-factor codes for %s from %s: signed out for %s seconds",
                user.get_username(),
                address,
                waiting,
            )
            return signed_out_to_wait(request, waiting)
        messages.error(request, _("The code is wrong or has expired."))
    return render(request, "registration/two_factor_verify.html", {"next": target})


def signed_out_to_wait(request, seconds):
    """Too many wrong codes from this address: the half-signed-in session ends, and the
    sign-in page says how long to wait."""
    logout(request)
    count = minutes(seconds)
    messages.error(
        request,
        ngettext(
            "Too many wrong codes from this address: sign in again in %(minutes)s minute.",
            "Too many wrong codes from this address: sign in again in %(minutes)s minutes.",
            count,
        )
        % {"minutes": count},
    )
    return redirect("login")


@require_POST
def new_recovery_codes(request):
    """New recovery codes for a verified staff session; the old ones stop working."""
    if not (is_staff_account(request.user) and request.user.is_verified()):
        return redirect("two-factor-setup")
    codes = recovery_codes(request.user)
    return render(request, "registration/two_factor_codes.html", {"codes": codes})
