"""Newsdesk settings, read from the environment only.

Without DATABASE_URL the site runs on an embedded PostgreSQL; without
CELERY_BROKER_URL the worker talks over kombu's filesystem transport. Both keep
their data in the state folder (NEWSDESK_STATE_DIR, default ./var).
"""

import datetime
import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("NEWSDESK_STATE_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key() -> str:
    """A key generated once per checkout, kept out of git (only when SECRET_KEY is unset)."""
    path = STATE_DIR / "secret_key"
    if not path.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotations.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "annotations.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsdesk.urls"
WSGI_APPLICATION = "newsdesk.wsgi.application"

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

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    EMBEDDED_PGDATA = None
else:
    from newsdesk import embedded_db

    EMBEDDED_PGDATA = STATE_DIR / "pgdata"
    DATABASES = {"default": embedded_db.ensure_running(EMBEDDED_PGDATA)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the source folders when collectstatic has not run (local runs).
WHITENOISE_USE_FINDERS = True
# Without collectstatic the static root is absent on purpose (files come from the finders).
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploaded import files wait here for the worker; web and worker must share this folder.
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR", STATE_DIR / "uploads"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # bigger uploads stream to a temporary file
# A request body (not a file upload) read into memory: room for an article at the body limit
# (text.MAX_BODY_CHARS) written as JSON \u escapes. Past it the API answers 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# Login forms (/login/, /admin/login/): after LOGIN_FAILURE_LIMIT wrong passwords for one user
# name from one address, that pair is locked out (429, the right password too) for
# LOGIN_LOCKOUT_MINUTES. By pair, so that nobody can lock a colleague out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "annotations.security.client_address"
# Proxies in front of the site that append to X-Forwarded-For (a TLS proxy: 1); 0 believes only
# the connection's address. Used for login lockouts and API throttles alike.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "editor:articles"
LOGOUT_REDIRECT_URL = "login"

# Production hardening; `manage.py check --deploy` is silent with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    # Token first, so a request without credentials gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotations.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "annotations.api.parsers.DepthSafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "annotations.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.api.views.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "annotations.api.renderers.FormatNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["annotations.api.permissions.TokenClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_TOKEN_RATE", "6000/minute")},
    "NUM_PROXIES": NUM_PROXIES,
}
# Wrong API tokens allowed per client address; past it, every token from there gets 429 with
# Retry-After until the window (which starts at the first wrong one) ends.
API_FAILED_TOKEN_RATE = os.environ.get("API_FAILED_TOKEN_RATE", "20/hour")
# A search of several words ranks every quote that matches; one of very common words is
# cancelled past this and the client asked to narrow it (one-word searches never get near).
SEARCH_TIMEOUT_MS = int(os.environ.get("SEARCH_TIMEOUT_MS", "5000"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsdesk API",
    "DESCRIPTION": "Quotes, speakers and endorsements in political news. "
    "Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI files are served from this site: the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Throttle counters must be shared by all web processes: use Redis when given.
if os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["CACHE_URL"]}}

# Celery: a real worker always; with no broker configured, kombu's filesystem
# transport needs no server of its own.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL:
    # Redis hands an unacknowledged message to another worker after this long; kombu's default
    # (an hour) would leave a killed worker's tasks waiting that long. Longer than any task
    # runs: a suggestion drain hands on after SUGGEST_DRAIN_SECONDS, and an import batch that
    # is redelivered while it still runs is left to the run that holds its lock.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300")),
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    # kombu's own, but writing each message whole before a worker can see it (newsdesk/broker.py).
    CELERY_BROKER_TRANSPORT = "newsdesk.broker:Transport"
    _broker_dir = STATE_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange tables; kombu's default is "control" in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # The folder is polled; kombu's default of one second caps a worker near one task a second.
        "polling_interval": 0.05,
    }
CELERY_TASK_IGNORE_RESULT = True
# One queue per deployment sharing a broker (and per test session).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = False
# A write never waits long on a broker that is down: the need is a stored row and the
# reconciler sends the wake-up later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The reconciler: record runs that are missing, wake workers while any run is pending.
CELERY_BEAT_SCHEDULE = {
    "suggestions-reconcile": {
        "task": "annotations.tasks.suggestions_reconcile",
        "schedule": float(os.environ.get("SUGGEST_RECONCILE_SECONDS", "60")),
    },
    # Retrains from editors' done articles once SUGGEST_RETRAIN_AFTER are new; promotes only
    # a model that scores at least as well as the active one.
    "suggester-retrain": {
        "task": "annotations.tasks.suggester_retrain",
        "schedule": float(os.environ.get("SUGGEST_RETRAIN_SECONDS", "3600")),
    },
}
SUGGEST_RETRAIN_AFTER = int(os.environ.get("SUGGEST_RETRAIN_AFTER", "25"))

# The suggestion pipeline (annotations/pipeline.py).
SUGGEST_CHUNK = int(os.environ.get("SUGGEST_CHUNK", "50"))  # runs claimed and stored per transaction
SUGGEST_WAKEUPS = int(os.environ.get("SUGGEST_WAKEUPS", "4"))  # wake-ups per reconcile, at most
SUGGEST_DRAIN_SECONDS = float(os.environ.get("SUGGEST_DRAIN_SECONDS", "30"))  # then a drain hands on
SUGGEST_DECIDED_IOU = 0.5  # a suggestion overlapping an editor-decided span this much is dropped

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
