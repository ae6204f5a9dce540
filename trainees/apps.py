from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trainees"
    verbose_name = _("Trainees and programs")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from trainees import lookups  # noqa: F401  (registers IntegerIn)
        from trainees.backends import account_signed_in, connect_user_cache

        connect_user_cache()

        # remember_first_sign_in reads last_login before Django stamps it: Django's receiver,
        # connected first (django.contrib.auth is listed first), goes after ours.
        stamped = user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(remember_first_sign_in, dispatch_uid="jingxun-first-sign-in")
        if stamped:
            user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
        # Last: the account as signed in and stamped goes into the cache (trainees.backends).
        user_logged_in.connect(account_signed_in, dispatch_uid="jingxun-account-cache")
        # django-axes writes the session key's hash into its access log: after the new key.
        from axes.signals import handle_user_logged_in

        if user_logged_in.disconnect(handle_user_logged_in):
            user_logged_in.connect(handle_user_logged_in)


def remember_first_sign_in(sender, request, user, **kwargs):
    """An account's first sign-in: its password was set by someone else (an admin, or the
    slip's initial password), so the session must choose one of its own before anything else
    (trainees.middleware.SignInStepsMiddleware). Decided here, on the account, and not by a
    login form: every login page (the site's, the admin's) sends this signal."""
    if user.last_login is None and request is not None:
        request.session["must_change_password"] = True
