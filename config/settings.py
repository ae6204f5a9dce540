"""Jingxun settings: one file, read from the environment.

The defaults run the demo on one machine with nothing to install: SQLite in var/, Celery
tasks executed eagerly in the web process, mail written to files in var/mail/. Production
sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL, SECRET_KEY and ALLOWED_HOSTS (README.md).
"""

from datetime import timedelta
from email.utils import getaddresses
from ipaddress import ip_network
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import config.database  # noqa: F401  (the pool's check: see DATABASES)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file in the project folder (or the file ENV_FILE names) is read before any setting:
# plain KEY=value lines; a variable set in the environment wins over the file's.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
# The embedded default's files: the SQLite database, uploads, mail (ignored by git).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Never a silent default key: a development key exists only while debugging.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-key-used-only-with-DJANGO_DEBUG"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "ninja",  # the API's docs page, from the package's own static files
    "trainees",
    "sessions.apps.TimetableConfig",
    "discussions",
    "exams",
    "completion",
    "reports",
    "api",
    "demo",
]

MIDDLEWARE = [
    # First: a request's time and database queries, for /metrics (config.metrics).
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "trainees.middleware.CSPMiddleware",  # django-csp's, the header built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a form: every submitted text without control characters.
    "trainees.middleware.ControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "trainees.middleware.OTPMiddleware",  # django-otp's, one lazy object (trainees.middleware)
    "simple_history.middleware.HistoryRequestMiddleware",  # who made a change (audit)
    "django.contrib.messages.middleware.MessageMiddleware",
    "trainees.middleware.SessionLifetimeMiddleware",
    # A session that has given its password and owes a code or a new password sees only that.
    "trainees.middleware.SignInStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "locked" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'jingxun.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool, managed by Django; persistent connections must then stay off.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": 10,
    }
    # The pool checks a connection before it lends it: after a PostgreSQL restart it hands out
    # fresh ones, not the dead ones. config.database's check asks the socket, and sends a
    # query only when it has news or the connection was idle; Django's (CONN_HEALTH_CHECKS)
    # would cost a round trip before every request's first query.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # Server-side prepared statements: psycopg prepares a query the 5th time a connection sends
    # it, and PostgreSQL then parses and plans it once per connection, not at every request
    # (the hot paths send the same few queries all day). Django turns them off for PgBouncer in
    # transaction mode (before 1.21): behind one, set DATABASE_PREPARE_THRESHOLD=off.
    threshold = env("DATABASE_PREPARE_THRESHOLD", default="5").strip().lower()
    if threshold not in ("", "off", "none"):
        # The parameters go to the server apart from the SQL (Django binds them into the SQL
        # otherwise: every query would be another statement to prepare).
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(threshold)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default keeps its database in var/, which a fresh clone does not have.
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets readers run beside the one writer; IMMEDIATE makes a writing transaction take
    # the lock at BEGIN, so two writers queue up instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (Redis) when CACHE_URL is set: login sessions are then read from it and
# written through to the database (every request reads its session; an exam autosave is
# little more than that). Without one, each process has its own memory cache, and sessions
# stay in the database alone, so that signing out anywhere signs out everywhere.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    # Django's Redis cache, keeping its redis-py client (config/cache.py).
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": CACHE_URL}}
    # Django's cached_db, reading the signed-in account along with the session (one round
    # trip to Redis, not two: trainees.sessions).
    SESSION_ENGINE = "trainees.sessions"
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be a redis:// address.")
# The signed-in account of each request read from that shared cache, kept this long and
# emptied at every change of the account (trainees.backends.ModelBackend). Off without one:
# a change made in one process could not reach another's memory.
USER_CACHE_SECONDS = 3600 if CACHE_URL else 0
# My day and the whole timetable are rendered once per group and state of the day, the
# trainee's own values put in (trainees.pages); off, each is rendered for each request.
SHARED_PAGES = env.bool("SHARED_PAGES", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # Organizers, leadership and staff hold everyone's data: 10 characters at least.
    {"NAME": "trainees.validators.StaffMinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: counts failures and refuses a locked (username, address) pair.
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the signed-in account read from the shared cache (USER_CACHE_SECONDS).
    "trainees.backends.ModelBackend",
    # A trainee's first sign-in with the initial password printed on their slip.
    "trainees.backends.InitialPasswordBackend",
]
# Directory sign-in for staff (统一身份认证, trainees.directory), off unless LDAP_URL is set:
# organizers and leaders sign in with their directory account, which is made or updated here at
# each sign-in (name, email, roles from the two groups, a leader's unit). Trainees keep their
# police ID, and local accounts (the superuser) never go through the directory. Built on
# django-python3-ldap, whose settings are the LDAP_AUTH_* below (README: "Directory sign-in").
LDAP_URL = env.list("LDAP_URL", default=[])  # ldap://ldap1.czga:389,ldap://ldap2.czga:389
if LDAP_URL:
    AUTHENTICATION_BACKENDS.append("trainees.directory.DirectoryBackend")
    LDAP_AUTH_URL = LDAP_URL
    LDAP_AUTH_USE_TLS = env.bool("LDAP_START_TLS", default=False)
    # The account that searches for users and reads the groups; empty: an anonymous search.
    LDAP_AUTH_CONNECTION_USERNAME = env.str("LDAP_BIND_DN", default="")
    LDAP_AUTH_CONNECTION_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
    LDAP_AUTH_SEARCH_BASE = env.str("LDAP_USER_SEARCH_BASE", default="")
    LDAP_AUTH_OBJECT_CLASS = env.str("LDAP_USER_OBJECT_CLASS", default="inetOrgPerson")
    # Added to the user search: how a directory marks a disabled account, when its bind does
    # not fail by itself (as OpenLDAP's ppolicy lock and Active Directory's disabled flag make
    # it), e.g. (!(employeeType=disabled)).
    LDAP_USER_FILTER = env.str("LDAP_USER_FILTER", default="")
    # The account's fields from the entry's attributes. A Chinese name is whole in one field.
    LDAP_AUTH_USER_FIELDS = {
        "username": env.str("LDAP_ATTR_USERNAME", default="uid"),
        "first_name": env.str("LDAP_ATTR_NAME", default="cn"),
        "email": env.str("LDAP_ATTR_EMAIL", default="mail"),
    }
    LDAP_AUTH_USER_LOOKUP_FIELDS = ("username",)
    LDAP_AUTH_CLEAN_USER_DATA = "trainees.directory.clean_user_data"
    LDAP_AUTH_FORMAT_SEARCH_FILTERS = "trainees.directory.format_search_filters"
    LDAP_AUTH_SYNC_USER_RELATIONS = "trainees.directory.sync_user_relations"
    # Roles: the DN of the directory group whose members are organizers, and of leadership's.
    # A member of neither is refused; one who leaves a group loses the role at the next sign-in.
    LDAP_ORGANIZER_GROUP = env.str("LDAP_ORGANIZER_GROUP", default="")
    LDAP_LEADERSHIP_GROUP = env.str("LDAP_LEADERSHIP_GROUP", default="")
    LDAP_GROUP_MEMBER_ATTRIBUTE = env.str("LDAP_GROUP_MEMBER_ATTRIBUTE", default="member")
    # A leader's unit: the attribute holding its name or full name (金坛分局, or
    # 常州市公安局金坛分局), matched to a unit of Jingxun. Empty: set by hand in the admin.
    LDAP_LEADER_UNIT_ATTRIBUTE = env.str("LDAP_LEADER_UNIT_ATTRIBUTE", default="")
    # Seconds to connect and to wait for each answer: past them the directory counts as down.
    LDAP_AUTH_CONNECT_TIMEOUT = LDAP_AUTH_RECEIVE_TIMEOUT = env.int("LDAP_TIMEOUT", default=3)
    if not LDAP_AUTH_SEARCH_BASE:
        raise ImproperlyConfigured(
            "LDAP_URL is set but LDAP_USER_SEARCH_BASE is not: set it to the DN under which "
            "the directory keeps its people, e.g. ou=people,dc=czga,dc=gov,dc=cn."
        )
    if not (LDAP_ORGANIZER_GROUP or LDAP_LEADERSHIP_GROUP):
        raise ImproperlyConfigured(
            "LDAP_URL is set but neither LDAP_ORGANIZER_GROUP nor LDAP_LEADERSHIP_GROUP is: "
            "set at least one to the DN of a directory group, or nobody can sign in through it."
        )
    if not all(url.startswith(("ldap://", "ldaps://")) for url in LDAP_URL):
        raise ImproperlyConfigured("Every address of LDAP_URL must start with ldap:// or ldaps://.")
# Lockout (django-axes): failures are counted per username AND address together, so a class
# behind one NAT address is not locked out by one trainee's mistakes, nor is the account
# locked for its owner elsewhere. The lock lifts after the cool-off; a success resets it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
# Counted without case: the directory opens "ChenJW" as "chenjw" (trainees.middleware).
AXES_USERNAME_CALLABLE = "trainees.middleware.lockout_username"
AXES_VERBOSE = True  # each lock is logged (logger "axes") with the username and address
AXES_SENSITIVE_PARAMETERS = []  # a security log names who was locked, and from where
# The client's address: behind nginx the last hop of X-Forwarded-For (the one nginx added),
# else REMOTE_ADDR (trainees.middleware.client_ip).
AXES_CLIENT_IP_CALLABLE = "trainees.middleware.client_ip"
# Two-factor sign-in for staff (trainees.two_factor): optional, or required with this.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "警训 Jingxun"
# Wrong second-factor codes are counted per account AND address, as wrong passwords are: past
# the limit within the window the session is signed out and that address waits out the window;
# the owner elsewhere is not locked out. django-otp's own throttle is off: it is per device,
# it doubles its wait at each wrong code without end, and so whoever has only the password
# could lock the owner out of their own account (trainees.two_factor.verify).
OTP_WRONG_CODES_LIMIT = env.int("OTP_WRONG_CODES_LIMIT", default=5)
OTP_WRONG_CODES_WINDOW = timedelta(minutes=env.int("OTP_WRONG_CODES_MINUTES", default=15))
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Check-in codes (点名): a trainee's wrong codes past the limit within the window, and every
# code of theirs waits out the window (sessions.services.rollcall). Counted in the cache.
CHECKIN_WRONG_CODES_LIMIT = env.int("CHECKIN_WRONG_CODES_LIMIT", default=10)
CHECKIN_WRONG_CODES_WINDOW = timedelta(minutes=env.int("CHECKIN_WRONG_CODES_MINUTES", default=5))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and time: Chinese by default, English on request; times are Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Behind nginx: the internal location that serves MEDIA_ROOT to X-Accel-Redirect answers of the
# permission-checked download views, e.g. "/protected/" (docs/deploy.md). Empty: the app sends
# the files itself.
PROTECTED_MEDIA_URL = env.str("PROTECTED_MEDIA_URL", default="")
# The spreadsheets of the four imports (trainees.spreadsheet_rows): a file with more rows or
# columns that hold something is refused with a message naming the cap, and so is an .xlsx
# that unpacks to more than this many MB (a zip bomb), before it is parsed.
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=20_000)
SPREADSHEET_MAX_COLUMNS = env.int("SPREADSHEET_MAX_COLUMNS", default=60)
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = env.int("SPREADSHEET_MAX_UNCOMPRESSED_MB", default=50) * 2**20
# The site's public address as printed documents carry it (a certificate's QR code leads to
# its verification page): scheme and host, e.g. https://jingxun.czga.gov.cn. Empty: the
# address the request for the document came to, which is right unless organizers reach the
# site by an address the public cannot (an intranet name).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must start with https:// or http://.")
# The API for the bureau's other systems (/api/v1/, the api app): each client may make this
# many calls a minute, counted in the cache (shared by every worker with CACHE_URL); past it,
# 429 with Retry-After until the minute ends.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=120)
# The public verification of a certificate (completion:verify): each client address may ask
# this many times a window; past it, 429 until the window ends. Counted in the cache.
CERTIFICATE_VERIFY_LIMIT = env.int("CERTIFICATE_VERIFY_LIMIT", default=30)
CERTIFICATE_VERIFY_WINDOW = timedelta(seconds=env.int("CERTIFICATE_VERIFY_SECONDS", default=60))
# Course evaluation (评教): an activity's results, and a speaker's, are shown only once this many
# trainees have answered it (completion.selectors.evaluation): fewer answers would let a
# reader who knows who attended guess who said what.
EVALUATION_MIN_ANSWERS = env.int("EVALUATION_MIN_ANSWERS", default=5)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Mail: files in var/mail/ unless EMAIL_URL names an SMTP server (smtp+tls://user:pw@host:587).
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="jingxun@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server may scan a large attachment before it answers (RFC 5321 allows minutes).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=120)
# The right-hand side of the Message-IDs of report emails (<jingxun.report-7.3@domain>).
EMAIL_MESSAGE_ID_DOMAIN = env.str(
    "EMAIL_MESSAGE_ID_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
)
# Score report emails (reports.services.sending): a transient SMTP error is tried again after
# the base delay doubled per attempt, capped; after the last attempt, or at once on a 5xx, the
# delivery is failed. A delivery still pending this long after its attempt was due is sent again.
REPORT_MAIL_RETRY_BASE = env.float("REPORT_MAIL_RETRY_BASE", default=60)
REPORT_MAIL_RETRY_CAP = env.float("REPORT_MAIL_RETRY_CAP", default=3600)
REPORT_MAIL_MAX_ATTEMPTS = env.int("REPORT_MAIL_MAX_ATTEMPTS", default=8)
REPORT_MAIL_STALE_SECONDS = env.int("REPORT_MAIL_STALE_SECONDS", default=5 * 60)

# Celery: a Redis broker in production; without one, tasks run eagerly in the web process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged once done, and given back to the queue if its worker dies: tasks are
# idempotent (they read their state from the database), so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this; it must exceed the longest task and the
# longest countdown of a retry (REPORT_MAIL_RETRY_CAP).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "close-expired-exam-attempts": {
        "task": "exams.tasks.close_expired_attempts",
        "schedule": 60,
    },
    "close-ended-activities": {
        "task": "sessions.tasks.close_ended_activities",
        "schedule": 5 * 60,
    },
    "compare-pending-essays": {
        "task": "discussions.tasks.essays_compare_pending",
        "schedule": 10 * 60,
    },
    "resend-due-report-deliveries": {
        "task": "reports.tasks.report_deliveries_resend_due",
        "schedule": 60,
    },
    "clear-expired-login-sessions": {
        "task": "trainees.tasks.clear_expired_login_sessions",
        "schedule": 6 * 60 * 60,
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# Security: strict by default whenever debug is off (manage.py check --deploy stays quiet).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The preload directive only takes effect once a public domain is submitted to the browsers'
# list; it costs nothing on a bureau intranet and keeps `check --deploy` quiet.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    # nginx terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sessions: a staff session (organizers, leadership, admins) ends after 30 minutes without a
# request; every session ends at its absolute lifetime, whatever its activity (a trainee's
# phone stays signed in for the program: 14 days).
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
STAFF_IDLE_TIMEOUT = timedelta(minutes=env.int("STAFF_IDLE_MINUTES", default=30))
STAFF_SESSION_LIFETIME = timedelta(hours=env.int("STAFF_SESSION_HOURS", default=12))
SESSION_LIFETIME = timedelta(seconds=SESSION_COOKIE_AGE)

# Content-Security-Policy (django-csp): scripts only from this site, none inline; nothing
# from another host (the network is closed anyway). Styles allow inline attributes, which
# ECharts' SVG and Bootstrap's components set from their scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Operations: error mail, Sentry, readiness, metrics, logs (docs/deploy.md) ---------------


def admins_from(value):
    """ADMINS="Name <ops@gaj.example>, b@gaj.example" as Django's [(name, address)]."""
    admins = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        ((name, address),) = getaddresses([entry]) or [("", "")]
        if "@" not in address or " " in address:
            raise ImproperlyConfigured(
                f"ADMINS: {entry!r} is not an address; write 'Name <ops@gaj.example>, …'."
            )
        admins.append((name or address, address))
    return admins


# An unhandled error in a request (a 500) is mailed to ADMINS with its traceback, through
# EMAIL_URL's server (django.request, AdminEmailHandler); nobody is mailed while it is empty.
ADMINS = admins_from(env.str("ADMINS", default=""))
# Optional reporting to a Sentry-compatible server (a self-hosted Sentry on the intranet):
# errors of requests and Celery tasks, without personal data (no user, cookies or addresses).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# /readyz (config.readiness): a worker must have run its heartbeat task within this many
# seconds; each worker sends one every CELERY_HEARTBEAT_SECONDS (config.heartbeat).
READINESS_WORKER_MAX_AGE = env.int("READINESS_WORKER_MAX_AGE", default=120)
CELERY_HEARTBEAT_SECONDS = env.float("CELERY_HEARTBEAT_SECONDS", default=30)
# /metrics (config.metrics): answered to these addresses (or networks, 10.20.0.0/24), as
# trainees.middleware.client_ip sees them, and to a request with "Authorization: Bearer
# METRICS_TOKEN"; anyone else gets 404. With gunicorn's several workers set
# PROMETHEUS_MULTIPROC_DIR in the web unit (docs/deploy.md).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
for network in METRICS_ALLOWED_IPS:
    try:
        ip_network(network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS: {network!r} is not an address or a network."
        ) from None
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The probes and the metrics speak plain HTTP to gunicorn directly.
SECURE_REDIRECT_EXEMPT += [r"^readyz$", r"^metrics$"]

# Logs go to stderr (the journal): plain lines, or one JSON object a line with LOG_FORMAT=json
# (config.logging). Keep them at least six months (docs/deploy.md, "Logs").
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers go (its console handler doubled every line in debug, its
        # mail_admins would mail twice): its records reach the root's console.
        "django": {"handlers": []},
        "django.request": {"handlers": ["mail_admins"]},
        # django-axes: the locks (WARNING), not every failed sign-in and its start-up banner.
        "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
    },
}
if CELERY_TASK_ALWAYS_EAGER:  # no broker: kombu's "No hostname was supplied" is about nothing
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
