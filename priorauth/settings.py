"""Settings for priorauth: one module, every value from the environment.

Defaults run anywhere (SQLite, an embedded Celery broker on a SQLite file);
production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
Every variable is listed in the README.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from priorauth.env import envbool, envcount, envint, envjson_object, envlist, envtext

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PRIORAUTH_VAR_DIR", BASE_DIR / "var"))


DEBUG = envbool("DEBUG", "0")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "policies",
    "priorauth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Control characters and oversized bodies: a 4xx before anything reads them.
    "priorauth.http_guard.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "priorauth.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "priorauth.web.errors.ServiceErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "priorauth.urls"
WSGI_APPLICATION = "priorauth.wsgi.application"

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
                "priorauth.web.context_processors.navigation",
                "priorauth.web.context_processors.enums",
                "priorauth.web.context_processors.session",
            ],
            # The `ndc` filter (5-4-2 for people) in every template without {% load %}.
            "builtins": ["priorauth.templatetags.priorauth_display"],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes SQLite's write lock when a transaction begins, so two
    # adjudications for one member serialise instead of both reading the same
    # history (SQLite has no SELECT ... FOR UPDATE). WAL lets readers go on.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time: timestamps are aware UTC; dates of service are in the plan's zone.
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
LANGUAGE_CODE = "en-us"
USE_I18N = False

# --- Auth and sessions ----------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# Idle sessions end after 15 minutes: the cookie's age is renewed on every request.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", "900")
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security (with DEBUG off, `manage.py check --deploy` is silent) ---------
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "0" if DEBUG else "1")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("SECURE_PROXY_SSL_HEADER", "0"):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# --- Sign-in lockout, failed-token throttle, CSP (ADR 0009) ---------------------
# Behind N proxies, the client address is the Nth entry from the right of X-Forwarded-For.
PRIORAUTH_PROXY_COUNT = envint(
    "PRIORAUTH_PROXY_COUNT", "1" if envbool("SECURE_PROXY_SSL_HEADER", "0") else "0"
)
if PRIORAUTH_PROXY_COUNT < 0:
    raise ImproperlyConfigured("PRIORAUTH_PROXY_COUNT must be 0 or more")
# django-axes: the login page and the admin's; an account OR an address is locked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envcount("PRIORAUTH_LOGIN_FAILURE_LIMIT", "5")
if AXES_FAILURE_LIMIT > 10:
    raise ImproperlyConfigured("PRIORAUTH_LOGIN_FAILURE_LIMIT must be at most 10")
AXES_COOLOFF_TIME = timedelta(minutes=envcount("PRIORAUTH_LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False  # a success would also wipe its address's failures for others
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cool-off runs from the lockout
AXES_CLIENT_IP_CALLABLE = "priorauth.security.client_address"
AXES_CLIENT_STR_CALLABLE = "priorauth.security.lockout_client_str"
AXES_LOCKOUT_CALLABLE = "priorauth.security.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# No start-up banner in every process's log; failures and lockouts are still logged.
AXES_VERBOSE = False
# API: failed `Authorization: Token` per client address, counted in the cache.
PRIORAUTH_TOKEN_FAILURE_LIMIT = envcount("PRIORAUTH_TOKEN_FAILURE_LIMIT", "10")
PRIORAUTH_TOKEN_FAILURE_MINUTES = envcount("PRIORAUTH_TOKEN_FAILURE_MINUTES", "15")
# One process: memory. Several processes or hosts: CACHE_URL=redis://host:6379/1 (shared).
_cache_url = os.environ.get("CACHE_URL", "").strip()
if _cache_url and not _cache_url.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {_cache_url!r}")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# django-csp 4: nothing inline, nothing from elsewhere; data: images for Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Static files: served by WhiteNoise from static/; nothing from a CDN. ---
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# In development (and tests) WhiteNoise serves straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# --- Uploaded clinical documents (ADR 0016): PHI, so never under static/ and never at a
# public URL. MEDIA_ROOT holds them on this machine (no MEDIA_URL: nothing serves it);
# production may name any storage backend for the "attachments" alias instead. Written
# files and directories are the app user's alone.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))
FILE_UPLOAD_PERMISSIONS, FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o600, 0o700


# The largest document accepted (one file); bodies carrying files are bounded by it too
# (priorauth/http_guard.py), files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file.
PRIORAUTH_ATTACHMENT_MAX_BYTES = envcount("PRIORAUTH_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Without OPTIONS, FileSystemStorage stores under MEDIA_ROOT (read when used, so tests
    # point MEDIA_ROOT at a temporary directory).
    "attachments": {
        "BACKEND": os.environ.get(
            "PRIORAUTH_ATTACHMENT_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": envjson_object("PRIORAUTH_ATTACHMENT_STORAGE_OPTIONS"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "priorauth.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "priorauth.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "priorauth.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Nesting bounded, no control characters in strings (priorauth/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "priorauth.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # limit 1-200, offset 0-1e9, or a 400 (priorauth/api/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "priorauth.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "priorauth API",
    "DESCRIPTION": "Point-of-service Drug Quantity Management checks and override requests.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # <id:...> in a path: 1 to 18 digits (priorauth/http_guard.py).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    # No validator badge: it would load an image from elsewhere (CSP, ADR 0009).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One named enum per choices class (several fields are called "status").
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "policies.choices.Channel",
        "LineOfBusinessEnum": "policies.choices.LineOfBusiness",
        "ClaimStatusEnum": "priorauth.models.claims.ClaimStatus",
        "RejectCodeEnum": "priorauth.models.claims.RejectCode",
        "RequestStatusEnum": "priorauth.models.requests.RequestStatus",
        "UrgencyEnum": "priorauth.models.requests.Urgency",
        "DecisionOutcomeEnum": "priorauth.models.requests.DecisionOutcome",
        "OverrideStatusEnum": "priorauth.models.overrides.OverrideStatus",
        "AppealStatusEnum": "priorauth.models.appeals.AppealStatus",
        "AppealOutcomeEnum": "priorauth.models.appeals.AppealOutcome",
        "DocumentTypeEnum": "priorauth.models.attachments.DocumentType",
    },
}

# History change reasons carry a person's words (a pend or revoke reason): no length cap.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Review clocks (hours from receipt to due) -----------------------------
PRIORAUTH_CLOCK_HOURS = {
    "standard": envint("PRIORAUTH_STANDARD_HOURS", "72"),
    "expedited": envint("PRIORAUTH_EXPEDITED_HOURS", "24"),
}
# How long each process keeps "which policy and limit manage this NDC" (0: no cache).
PRIORAUTH_POLICY_CACHE_SECONDS = envint("PRIORAUTH_POLICY_CACHE_SECONDS", "60")
# Policy impact (ADR 0021): default days, progress/cancel every N members, replay freshness.
PRIORAUTH_IMPACT_DAYS = envcount("PRIORAUTH_IMPACT_DAYS", "90")
PRIORAUTH_IMPACT_PROGRESS_EVERY = envcount("PRIORAUTH_IMPACT_PROGRESS_EVERY", "500")
PRIORAUTH_IMPACT_FRESH_HOURS = envcount("PRIORAUTH_IMPACT_FRESH_HOURS", "24")
# How far back the case page and claim history look.
PRIORAUTH_HISTORY_DAYS = envint("PRIORAUTH_HISTORY_DAYS", "180")
# A claim whose date of service is more than this many days before the day it is received
# is rejected with NCPDP 81 (Claim Too Old): docs/domain.md §8.
PRIORAUTH_TIMELY_FILING_DAYS = envint("PRIORAUTH_TIMELY_FILING_DAYS", "90")
if PRIORAUTH_TIMELY_FILING_DAYS < 0:
    raise ImproperlyConfigured("PRIORAUTH_TIMELY_FILING_DAYS must be 0 or more days")
# Real-time determination (docs/domain.md §9): the system may approve a request whose
# answers and claims evidence meet an auto-approvable criterion. 0 sends every request
# to a pharmacist. It never denies either way.
PRIORAUTH_AUTO_APPROVE = envbool("PRIORAUTH_AUTO_APPROVE", "1")

# Appeals (redeterminations, docs/domain.md §10): filed within this many days of the
# denial, decided within these clocks (Part D: 7 days standard, 72 hours expedited).
PRIORAUTH_APPEAL_EXPEDITED_HOURS = envint("PRIORAUTH_APPEAL_EXPEDITED_HOURS", "72")
PRIORAUTH_APPEAL_DAYS = envcount("PRIORAUTH_APPEAL_DAYS", "180")
PRIORAUTH_APPEAL_STANDARD_HOURS = envcount("PRIORAUTH_APPEAL_STANDARD_HOURS", "168")
if not 0 < PRIORAUTH_APPEAL_EXPEDITED_HOURS <= PRIORAUTH_APPEAL_STANDARD_HOURS:
    raise ImproperlyConfigured("PRIORAUTH_APPEAL_EXPEDITED_HOURS: 1 hour up to the standard clock")
# The next level after an upheld appeal, per line of business, as the notice names it:
# (who decides it, days the member has to ask for it).
_EXTERNAL_REVIEW = (
    "an external review by an Independent Review Organization",
    envint("PRIORAUTH_EXTERNAL_REVIEW_DAYS", "120"),
)
PRIORAUTH_NEXT_APPEAL_LEVEL = {
    "medicare": (
        "a reconsideration by the Independent Review Entity (IRE) contracted by Medicare",
        envint("PRIORAUTH_IRE_DAYS", "60"),
    ),
    "medicaid": ("a State fair hearing", envint("PRIORAUTH_FAIR_HEARING_DAYS", "120")),
    "commercial": _EXTERNAL_REVIEW,
    "exchange": _EXTERNAL_REVIEW,
}

# The member notices: the plan, how to reach it, where a written appeal goes (fictional
# defaults; a deployment sets its own). The address's lines are separated by "|".
PRIORAUTH_PLAN_NAME = envtext("PRIORAUTH_PLAN_NAME", "Northwind Health Plan")
PRIORAUTH_PLAN_PHONE = envtext("PRIORAUTH_PLAN_PHONE", "1-800-555-0134 (TTY 711)")
PRIORAUTH_PLAN_HOURS = envtext(
    "PRIORAUTH_PLAN_HOURS", "Monday to Friday, 8 a.m. to 8 p.m. Eastern time"
)
PRIORAUTH_APPEALS_ADDRESS = envtext(
    "PRIORAUTH_APPEALS_ADDRESS",
    "Northwind Health Plan|Pharmacy Appeals|PO Box 5550|Anytown, ST 00000",
)
PRIORAUTH_APPEALS_FAX = envtext("PRIORAUTH_APPEALS_FAX", "1-800-555-0135")

# --- Celery ----------------------------------------------------------------
# Without CELERY_BROKER_URL, an embedded broker on a SQLite file (no server needed).
CELERY_BROKER_URL = os.environ.get(
    "CELERY_BROKER_URL",
    os.environ.get("REDIS_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"),
)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_ENABLE_UTC = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", "240")
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "300")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "expire-overrides": {
        "task": "priorauth.tasks.expire_overrides",
        "schedule": timedelta(seconds=envint("PRIORAUTH_EXPIRY_INTERVAL_SECONDS", "3600")),
    },
}

# --- Logging: to stderr; PHI never goes into log messages. ------------------
# Every handler carries the redact_phi filter (priorauth/logging.py): it takes member IDs
# and names out of each record. Django's, gunicorn's and (priorauth/celery.py) Celery's
# loggers keep no handler of their own and propagate to root's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_phi": {"()": "priorauth.logging.RedactPHIFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_phi"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        name: {"handlers": [], "propagate": True}
        for name in ("django", "django.server", "gunicorn")
    },
}
