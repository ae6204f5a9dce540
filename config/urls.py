from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from config import views
from trainees import two_factor
from trainees.forms import LoginForm
from trainees.views import accounts as trainee_accounts

admin.site.site_header = "警训 Jingxun"
admin.site.site_title = "警训 Jingxun"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("readyz", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", trainee_accounts.password_change, name="password_change"),
    path("accounts/two-factor/", two_factor.setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two-factor-verify"),
    path("accounts/two-factor/codes/", two_factor.new_recovery_codes, name="two-factor-codes"),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("trainees/", include("trainees.urls")),
    path("timetable/", include("sessions.urls")),
    path("discussions/", include("discussions.urls")),
    # The score report and the dashboards lived under /exams/ until the reports app.
    re_path(r"^exams/(?P<rest>dashboard/.*)$", views.moved_to_reports, name="moved-dashboard"),
    re_path(
        r"^exams/(?P<rest>programs/[^/]+/reports?/.*)$", views.moved_to_reports, name="moved-report"
    ),
    path("exams/", include("exams.urls")),
    path("reports/", include("reports.urls")),
    path("completion/", include("completion.urls")),
    path("api/v1/", include("api.urls")),  # token, not session: api.gate
    path("admin/", admin.site.urls),
]
# Uploaded files (MEDIA_ROOT) are never served as such, not even in debug: each is sent by a
# view that checks who asks (timetable:material-download).
