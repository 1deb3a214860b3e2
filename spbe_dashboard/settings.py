"""Settings, read from the environment.

Without DATABASE_URL the project runs on a local SQLite file with Celery tasks executed
in-process, which is what `make run` uses. Every real deployment and the test suite set
DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY harus diisi bila DEBUG tidak aktif.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_celery_beat",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "opd",
    "evaluations",
]

MIDDLEWARE = [
    # /healthz/ is answered before anything else (no host check, no HTTPS redirect, no
    # session): the container health check and load balancers call it over plain HTTP.
    "spbe_dashboard.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "spbe_dashboard.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # NUL bytes and foreign charsets answer 400/404 before any view (and before the CSRF
    # check reads the form); downloads are never cached.
    "spbe_dashboard.security.InputSanityMiddleware",
    # The chosen language, never the browser's (spbe_dashboard/language.py); after the
    # input checks, since it reads the session.
    "spbe_dashboard.language.ChosenLanguageMiddleware",
    "spbe_dashboard.security.download_cache_control",
    # Login throttling; django-axes wants its middleware last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spbe_dashboard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opd.context_processors.membership",
                "evaluations.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "spbe_dashboard.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username + IP before the password is
    # even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Indonesian first; English is the source language and the second choice.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Makassar")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Production (DEBUG off, not under the test suite) serves compressed, content-hashed files
# that `collectstatic` made (the Docker image runs it at build time). DEBUG and the tests
# use the plain storage, so they need no collectstatic; whitenoise serves both.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG)
# Without collectstatic (DEBUG, the tests) STATIC_ROOT does not exist: whitenoise then
# warns at every start, though it serves from the finders (DEBUG) or the test server does.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence lives under MEDIA_ROOT and is never served by URL: only by views
# that check the user may see the OPD.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MAX_EVIDENCE_BYTES = int(os.environ.get("SPBE_MAX_UPLOAD_MB", "10")) * 1024 * 1024
# Request bodies: uploads above 2.5 MB go to a temporary file instead of memory; a
# non-file request body (form fields) may not exceed 5 MB, nor carry over 2000 fields.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Celery. Without REDIS_URL (the SQLite demo) tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# The cache, shared by every process through Redis (CACHE_URL, by default REDIS_URL): the
# recompute's coalescing marks (evaluations/queueing.py) must be seen by the web workers
# and the Celery worker alike. Without Redis (the SQLite demo, tasks in-process) the
# default in-process memory cache does.
CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "spbe",
            # A cache that stops answering must not hold a request: queueing falls back
            # to sending the task without coalescing.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# The REST API (/api/v1/, evaluations/api/): a personal token (Authorization: Token ...)
# or the browser's session; read-only unless a view says otherwise; every request
# throttled per token (per account for the session) through the cache above, and logged
# (logger "evaluations.api", one line per request).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["evaluations.api.permissions.ReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["evaluations.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_THROTTLE_RATE", "1000/hour")},
    "DEFAULT_PAGINATION_CLASS": "evaluations.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SPBE Dashboard API",
    "DESCRIPTION": (
        "Read-only access to what the signed-in user sees on the pages: pemda, periods, "
        "results per OPD (figure rules of the README, 'Arti angka'), assessments, "
        "instruments and the kabupaten/kota ranking; external index values in."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FigureStatusEnum": ["proses", "sementara", "final"],
        "PeriodStatusEnum": "evaluations.models.Period.Status",
    },
}

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS and browser hardening. With DEBUG off every switch defaults to the safe side and
# `manage.py check --deploy` reports nothing; each can be changed through the environment.
# Behind a reverse proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 (the proxy
# must set X-Forwarded-Proto) or SECURE_SSL_REDIRECT=0 when the proxy redirects itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 60 * 60))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (spbe_dashboard.security): no inline scripts or styles, nothing
# from other origins. CSP_REPORT_ONLY=1 only reports violations in the browser console.
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # "" (empty)
    "'sha256-gG0b4ixT/IQUp7JJLbyKcpYcYDjq2Wp8NGv3f+aasqo='",  # maplibre-gl CSS, plotly 2.35.3
]
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # No inline CSS of ours. plotly.js 2.x (static/vendor/plotly) needs three exceptions,
    # each admitted by the hash of its exact text, never by 'unsafe-inline':
    # - it creates empty <style> elements and fills them through the CSSOM (insertRule,
    #   which the CSP does not govern): the hash of the empty string;
    # - its colour bars set an empty style="" attribute: the same hash, with
    #   'unsafe-hashes' (which lets hashes match attributes: only empty ones here);
    # - it injects the stylesheet of its bundled map library (maplibre-gl) once: the
    #   hash of that text. A new plotly.js may change it: tests/e2e/test_csp.py fails then.
    "style-src": ["'self'", "'unsafe-hashes'", *PLOTLY_STYLE_HASHES, "'report-sample'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", default=False)

# Login throttling (django-axes): 5 failed logins of one username from one IP address
# lock that pair out for 30 minutes (failures older than that are forgotten). The
# attempts are rows in the database; deleting them in the admin ("Access attempts")
# unlocks at once, as does `manage.py axes_reset_username USERNAME`.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "spbe_dashboard.security.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Behind reverse proxies the client's address is read from X-Forwarded-For: set how many
# proxies (each appending to that header) stand in front of gunicorn. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "spbe_dashboard.security.client_ip"

# E-mail: the password reset links (later, notifications). Every e-mail setting is here,
# read from the environment. Without EMAIL_HOST (or another EMAIL_BACKEND than SMTP) the
# installation sends no mail: EMAIL_ENABLED is off and the pages say so (the reset page
# sends people to their Kominfo administrator, who sets passwords by hand).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or SMTP_BACKEND
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SPBE Dashboard <noreply@localhost>")
EMAIL_ENABLED = bool(EMAIL_HOST) or EMAIL_BACKEND != SMTP_BACKEND
# A mail server that does not answer must not hold a worker: seconds per SMTP step.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# The address of the site, for the links in e-mails (notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# A reset link is valid for 3 days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
