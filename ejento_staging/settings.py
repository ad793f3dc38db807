"""Settings, all taken from the environment so one build runs anywhere.

DATABASE_URL      default: a SQLite file beside manage.py (nothing to install)
DJANGO_SECRET_KEY required when DJANGO_DEBUG is off
DJANGO_DEBUG      "1"/"true" for development; off by default
DJANGO_ALLOWED_HOSTS comma-separated
REDIS_URL         optional; the live-read cache uses Redis when set, local memory otherwise
LOGIN_THROTTLE_RATE, LOGIN_ACCOUNT_THROTTLE_RATE  sign-in limits per address / per account
DJANGO_TRUSTED_PROXIES  proxies whose X-Forwarded-For is believed (default: none)
DJANGO_ALLOW_SELF_SERVICE_ORGANIZATIONS  let any user create an organization (default off)
"""

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", default=False)
# A test run needs no environment, however pytest was started: `pytest`, `python -m pytest`,
# an IDE's runner or `pytest.main()`. pytest-django loads these settings before any conftest
# runs, so no conftest can set DJANGO_TESTING in time; pytest being imported is the signal
# (a web process never imports it, and a subprocess a test starts does not inherit it).
TESTING = env_flag("DJANGO_TESTING", default=False) or "pytest" in sys.modules

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-used-in-production"
    else:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
if DEBUG or TESTING:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "accounts",
    "agents",
    "django_tasks",
    "django_tasks_db",
    "background",
    "publishing",
    "reviews",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Inside SecurityMiddleware, outside everything else: a 405 that a plain Django view
    # answers under /api/ is turned into JSON whichever middleware below made it.
    "ejento_staging.api_errors.ApiJsonErrorsMiddleware",
    # Serves /static/ under gunicorn too (the pages' CSS, the API docs' assets): no web
    # server or CDN needed in front of the app.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ejento_staging.middleware.NoStoreForSignedInMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# The pages use no inline script or style and no CDN, so the policy allows only our own
# origin; the admin and the API docs (served from our static files, their one inline style
# moved into static/css/api-docs.css) fit it too. A stored or reflected injection then has
# nothing it can run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

ROOT_URLCONF = "ejento_staging.urls"
WSGI_APPLICATION = "ejento_staging.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Bounds on one agent's configuration (red-team finding 12): without them 2,000 instructions
# made a 3.5 MB Staging, a 7.25 MB publish response and a 4.3 MB review page. Every staging
# edit - API, pages, restore, revert, checkpoint restore - that would go past one is refused
# with 400 and writes nothing (agents.staging.StagingChanges.flush).
MAX_INSTRUCTIONS_PER_AGENT = int(os.environ.get("MAX_INSTRUCTIONS_PER_AGENT", "200"))
# Bytes of the configuration's canonical JSON (the form its fingerprint is taken of).
MAX_CONFIGURATION_BYTES = int(os.environ.get("MAX_CONFIGURATION_BYTES", str(2 * 1024 * 1024)))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ejento",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sign-in throttling counts attempts across every app process, so its counters must live
# where every process sees them: Redis when there is one, else the database (a table made
# by migration accounts/0003). A per-process cache would give each worker its own budget.
# The test suite runs in one process: its counters share the default in-memory cache.
if REDIS_URL:
    CACHES["throttle"] = {**CACHES["default"], "KEY_PREFIX": "ejento-throttle"}
elif TESTING:
    CACHES["throttle"] = dict(CACHES["default"])
else:
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ejento_throttle_cache",
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How long an API token lives unless its request asks for less (docs/reliability.md).
API_TOKEN_TTL_DAYS = int(os.environ.get("DJANGO_API_TOKEN_TTL_DAYS", "90"))

if TESTING:
    # Hashing at full strength makes every login in the suite cost ~0.3 s.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files served at the site's root: /favicon.ico, which browsers ask for on pages that do
# not link an icon (the admin's); without it every such page logs a 404.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Without `collectstatic` the files are found where they live; with it, from STATIC_ROOT.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "agents:list"
LOGOUT_REDIRECT_URL = "login"

# Request size limits: an instruction may hold up to 100 KB; a whole request a few MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ejento_staging.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["ejento_staging.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "ejento_staging.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Sign-in attempts per client address, and failed ones per account (username).
        "login": os.environ.get("LOGIN_THROTTLE_RATE", "20/min"),
        "login_account": os.environ.get("LOGIN_ACCOUNT_THROTTLE_RATE", "100/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Proxies whose X-Forwarded-For is believed when finding a client's address (the login
# throttle's bucket): comma-separated addresses or networks, e.g. "127.0.0.1,10.0.0.0/8".
# Empty (the default): the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXIES = [
    entry.strip()
    for entry in os.environ.get("DJANGO_TRUSTED_PROXIES", "").split(",")
    if entry.strip()
]
for _entry in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {exc}") from None

# Who may create organizations: superusers only, unless this is on. An organization's creator
# becomes its admin, and admins create users - so "on" lets any account mint accounts.
ALLOW_SELF_SERVICE_ORGANIZATIONS = env_flag("DJANGO_ALLOW_SELF_SERVICE_ORGANIZATIONS")

SPECTACULAR_SETTINGS = {
    "TITLE": "Ejento Staging & Publishing API",
    "DESCRIPTION": "Edit agents in Staging, review the diff, publish to Production, "
    "browse publish history, preview and roll back.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: the app works offline, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise fetch a badge from an outside validator, which the
    # Content-Security-Policy (rightly) refuses.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

SIMPLE_HISTORY_REVERT_DISABLED = True

# Deployment hardening: on whenever DEBUG is off (see docs/reliability.md).
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Background work (webhook deliveries, scheduled publishes) goes through Django's Tasks API
# with the database backend: enqueueing is an INSERT in the caller's transaction, so a publish
# and its events commit or vanish together, and any number of `manage.py run_worker`
# processes share the queue with SELECT ... FOR UPDATE SKIP LOCKED.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How long a worker may hold one piece of work before another worker takes it over: a worker
# killed mid-delivery (SIGKILL, a lost host) leaves its claim, and the sweep of every live
# worker hands the work on once this has passed.
BACKGROUND_LEASE_SECONDS = int(os.environ.get("BACKGROUND_LEASE_SECONDS", "60"))
BACKGROUND_SWEEP_SECONDS = float(os.environ.get("BACKGROUND_SWEEP_SECONDS", "15"))

# Where integrations reach this site: the live-read URL in webhook payloads is built on it.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# Webhook targets must be https and public; the tests and the demo deliver to a receiver on
# this machine, so they may allow plain http to loopback. Never set in production.
WEBHOOK_ALLOW_LOOPBACK = env_flag("WEBHOOK_ALLOW_LOOPBACK", default=DEBUG or TESTING)
# Seconds before each retry of a failed delivery (a little over a day in all), then it fails.
WEBHOOK_RETRY_DELAYS = [
    float(seconds)
    for seconds in os.environ.get(
        "WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000,36000"
    ).split(",")
]
# An endpoint where every delivery has failed for this long is disabled (5 days).
WEBHOOK_DISABLE_AFTER_SECONDS = int(os.environ.get("WEBHOOK_DISABLE_AFTER_SECONDS", "432000"))
# After a secret rotation the old secret signs too, for this long (a day).
WEBHOOK_SECRET_GRACE_SECONDS = int(os.environ.get("WEBHOOK_SECRET_GRACE_SECONDS", "86400"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
