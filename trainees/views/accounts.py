"""The signed-in user's own account: changing their password. Who may see what is decided in
trainees.permissions."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trainees import directory
from trainees.services import accounts


def password_change(request):
    """Change the password; right after a first sign-in with an initial password, the old
    password is not asked again (the account has none of its own yet)."""
    if directory.is_directory_account(request.user):
        # Its password is the directory's: a local one would outlive a disabled directory account.
        messages.info(
            request, _("Your password is the unified identity system's: change it there.")
        )
        return redirect("home")
    first_time = not request.user.has_usable_password()
    form_class = SetPasswordForm if first_time else PasswordChangeForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        accounts.trainee_password_chosen(user=request.user)
        update_session_auth_hash(request, form.user)
        request.session.pop("must_change_password", None)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(
        request, "registration/password_change_form.html", {"form": form, "first_time": first_time}
    )
