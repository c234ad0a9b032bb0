"""rolecall settings, read from environment variables (12-factor).

Malformed values raise ImproperlyConfigured at start-up; see dashboard/env.py.
The README's configuration table lists every variable read here.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from dashboard import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("ROLECALL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.boolean("DEBUG", False)

# Demo mode: `make run` against the local emulator. Only then are demo users
# created (roles/management/commands/demo_users.py refuses otherwise).
ROLECALL_DEMO = env.boolean("ROLECALL_DEMO", False)


def _secret_key() -> str:
    key = env.secret("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Development only: keep a random key under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.string_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG or ROLECALL_DEMO else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "roles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

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
                "roles.context_processors.nav",
            ],
            # The project's filters (escaping helpers among them) in every template.
            "builtins": ["roles.templatetags.rolecall"],
        },
    },
]

DATABASES = {
    "default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rolecall.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 0, minimum=0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A web process and a worker write the same file: wait for the lock
    # instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# Stored times are always UTC (USE_TZ); TIME_ZONE is only how pages show them.
USE_TZ = True
TIME_ZONE = env.time_zone("TIME_ZONE", "UTC")
USE_I18N = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
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

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Audit history (roles/models/audit.py) ----------------------------------
# How many reverse proxies in front of rolecall append to X-Forwarded-For;
# 0 ignores the header (roles/audit/request.py).
ROLECALL_TRUSTED_PROXIES = env.integer("ROLECALL_TRUSTED_PROXIES", 0, minimum=0)
# Days of audit history kept by `manage.py prune_audit`; 0 keeps everything.
ROLECALL_AUDIT_RETENTION_DAYS = env.integer("ROLECALL_AUDIT_RETENTION_DAYS", 0, minimum=0)
ROLECALL_AUDIT_PAGE_SIZE = env.integer("ROLECALL_AUDIT_PAGE_SIZE", 50, minimum=1)

# --- AWS (roles/aws/) --------------------------------------------------------
# IAM throttles and its limits cannot be raised: botocore's standard retry mode
# with explicit timeouts, and bounded concurrency per account (roles/sync/).
ROLECALL_AWS_HOME_REGION = env.string("ROLECALL_AWS_HOME_REGION", "us-east-1")
ROLECALL_AWS_MAX_ATTEMPTS = env.integer("ROLECALL_AWS_MAX_ATTEMPTS", 3, minimum=1)
ROLECALL_AWS_CONNECT_TIMEOUT = env.integer("ROLECALL_AWS_CONNECT_TIMEOUT", 5, minimum=1)
ROLECALL_AWS_READ_TIMEOUT = env.integer("ROLECALL_AWS_READ_TIMEOUT", 20, minimum=1)
ROLECALL_AWS_MAX_POOL = env.integer("ROLECALL_AWS_MAX_POOL", 32, minimum=1)

# --- Sync (roles/sync/) -------------------------------------------------------
ROLECALL_SYNC_INTERVAL = env.integer("ROLECALL_SYNC_INTERVAL", 60, minimum=1)  # minutes
ROLECALL_SYNC_REGION_CONCURRENCY = env.integer("ROLECALL_SYNC_REGION_CONCURRENCY", 8, minimum=1)
ROLECALL_SYNC_ECS_CONCURRENCY = env.integer("ROLECALL_SYNC_ECS_CONCURRENCY", 16, minimum=1)
ROLECALL_SYNC_IAM_CONCURRENCY = env.integer("ROLECALL_SYNC_IAM_CONCURRENCY", 4, minimum=1)
ROLECALL_ADVISOR_POLL_SECONDS = (
    float(env.integer("ROLECALL_ADVISOR_POLL_MS", 250, minimum=10)) / 1000
)
ROLECALL_ADVISOR_TIMEOUT = env.integer("ROLECALL_ADVISOR_TIMEOUT", 120, minimum=1)

# --- Deletions (roles/deletion/worker.py) ------------------------------------
# Polls back off 1 s, 2 s, 4 s ... up to the cap; every countdown stays far
# below the broker's visibility timeout (ETA tasks are redelivered after it).
ROLECALL_POLL_BACKOFF_START = env.integer("ROLECALL_POLL_BACKOFF_START", 1, minimum=1)
ROLECALL_POLL_BACKOFF_CAP = env.integer("ROLECALL_POLL_BACKOFF_CAP", 30, minimum=1)
ROLECALL_POLL_EARLY_TOLERANCE = 0.5  # seconds a poll may arrive before next_poll_at
# Retryable AWS errors (Throttling, ServiceFailure, timeouts) absorbed per step.
ROLECALL_AWS_RETRY_LIMIT = env.integer("ROLECALL_AWS_RETRY_LIMIT", 5, minimum=0)
# NoSuchEntity from the status call while GetRole still finds the role.
ROLECALL_MISSING_TASK_CHECKS = env.integer("ROLECALL_MISSING_TASK_CHECKS", 3, minimum=0)

# --- Celery (dashboard/celery.py reads every CELERY_* setting) -------------
REDIS_URL = env.redis_url("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The database is the source of truth for long-running work, so results are
# not kept in Redis.
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it has finished, and one message at a time
# is reserved: a worker killed mid-task leaves the message to be redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.integer("ROLECALL_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_BROKER_VISIBILITY_TIMEOUT = env.integer("ROLECALL_VISIBILITY_TIMEOUT", 3600, minimum=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat entries are named; renaming one leaves the old schedule behind.
CELERY_BEAT_SCHEDULE = {
    "health-ping": {"task": "rolecall.health.ping", "schedule": 60},
    "audit-verify-chain": {"task": "rolecall.audit.verify_chain", "schedule": 24 * 3600},
    "sync-all-accounts": {
        "task": "rolecall.sync.schedule",
        "schedule": ROLECALL_SYNC_INTERVAL * 60,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "boto3": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
