"""rolecall settings, read from environment variables (12-factor).

Malformed values raise ImproperlyConfigured at start-up; see dashboard/env.py.
docs/configuration.md lists every variable read here.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created

from dashboard import env

BASE_DIR = Path(__file__).resolve().parent.parent
# `make run` writes the demo's settings to .env (scripts/run.py); variables set
# in the environment win. ROLECALL_ENV_FILE names another file, or "" for none.
_ENV_FILE = os.environ.get("ROLECALL_ENV_FILE", str(BASE_DIR / ".env")).strip()
if _ENV_FILE:
    env.load_dotenv(Path(_ENV_FILE))
# var/ holds the SQLite database and the generated secrets: owner only.
VAR_DIR = env.private_dir(Path(env.string("ROLECALL_VAR_DIR", str(BASE_DIR / "var"))))

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
        env.private_file(path, secrets.token_urlsafe(50))
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
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "roles",
    # The project's own start-up checks (dashboard/checks.py).
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their caching, nothing else is stored.
    "roles.access.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and absolute lifetime of a session (roles/access/middleware.py).
    "roles.access.middleware.SessionLifetimeMiddleware",
    # Signed in but in no rolecall group: nothing to see (403, audited).
    "roles.access.middleware.MembershipMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "roles.access.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: login throttling with a cool-off.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The shared templates (base, partials, error pages), then each feature's own
        # (roles/<feature>/templates/).
        "DIRS": [BASE_DIR / "templates", *sorted((BASE_DIR / "roles").glob("*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roles.ui.context_processors.nav",
            ],
            # The project's filters (escaping helpers among them) and each feature's
            # tags, in every template.
            "builtins": [
                "roles.web.templatetags",
                "roles.audit.templatetags",
                "roles.inventory.templatetags",
                "roles.accounts.templatetags",
                "roles.deletion.templatetags",
                "roles.cleanup.templatetags",
            ],
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
    # It holds password hashes and session keys: created 0600 in a 0700 var/.
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    env.private_dir(_sqlite_file.parent)
    if not _sqlite_file.exists():
        env.private_file(_sqlite_file)
# Any SQLite file opened later (a test database, another connection) is narrowed to 0600.
connection_created.connect(env.tighten_sqlite_file, dispatch_uid="rolecall-sqlite-mode")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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

# --- Hardening -----------------------------------------------------------------
# HTTPS-only cookies, HSTS and the SSL redirect are on in production (DEBUG
# off) and off for `make run`'s local demo over plain HTTP.
ROLECALL_SECURE = env.boolean("ROLECALL_SECURE", not DEBUG and not ROLECALL_DEMO)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = ROLECALL_SECURE
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = ROLECALL_SECURE
SECURE_HSTS_SECONDS = 31536000 if ROLECALL_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = ROLECALL_SECURE
SECURE_HSTS_PRELOAD = ROLECALL_SECURE and env.boolean("ROLECALL_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
ROLECALL_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Sessions end after this much inactivity, and in any case this long after sign-in.
ROLECALL_SESSION_IDLE_MINUTES = env.integer("ROLECALL_SESSION_IDLE_MINUTES", 30, minimum=1)
ROLECALL_SESSION_MAX_HOURS = env.integer("ROLECALL_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = ROLECALL_SESSION_MAX_HOURS * 3600
# Confirming a deletion and approving one need the password entered this recently.
ROLECALL_REAUTH_MINUTES = env.integer("ROLECALL_REAUTH_MINUTES", 10, minimum=1)

# django-axes: lock a username+address pair out after repeated failures, for a
# cool-off period (never permanently), and an address that fails against unknown
# or many usernames (roles/access/lockout.py). Neither ever locks a user out at an
# address with no failures.
AXES_FAILURE_LIMIT = env.integer("ROLECALL_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("ROLECALL_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "roles.access.lockout.LockoutHandler"
ROLECALL_LOGIN_ADDRESS_FAILURE_LIMIT = env.integer(
    "ROLECALL_LOGIN_ADDRESS_FAILURE_LIMIT", 10, minimum=1
)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "roles.audit.request.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Optional single sign-on (roles/access/oidc.py), off unless OIDC_RP_CLIENT_ID is set --
OIDC_RP_CLIENT_ID = env.string("OIDC_RP_CLIENT_ID", "")
ROLECALL_OIDC = bool(OIDC_RP_CLIENT_ID)
if ROLECALL_OIDC:
    OIDC_RP_CLIENT_SECRET = env.secret("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env.string("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env.string("OIDC_RP_SCOPES", "openid email profile groups")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.https_url("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.https_url("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.https_url("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.https_url("OIDC_OP_JWKS_ENDPOINT")
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_SECRET is required when OIDC is on.")
    ROLECALL_OIDC_GROUPS_CLAIM = env.string("ROLECALL_OIDC_GROUPS_CLAIM", "groups")
    # rolecall group (or "admin") = the provider's group name.
    ROLECALL_OIDC_GROUP_MAP = env.mapping(
        "ROLECALL_OIDC_GROUP_MAP", ("viewer", "operator", "approver", "admin")
    )
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "roles.access.oidc.GroupMappingBackend")
    # The provider signs users in; rolecall only honours the mapped groups.
    OIDC_CREATE_USER = True

# --- Deletion safety rails (roles/deletion/, roles/inventory/protection.py) ---------------
# Two-person approval: an approver who is not the requester must approve.
ROLECALL_REQUIRE_APPROVAL = env.boolean("ROLECALL_REQUIRE_APPROVAL", True)
# Roles rolecall must never delete: glob patterns on role names or ARNs, and
# account ids; the admin page (Protected rules) adds more.
ROLECALL_PROTECTED_ROLES = env.string_list("ROLECALL_PROTECTED_ROLES", [])
ROLECALL_PROTECTED_ACCOUNTS = env.account_ids("ROLECALL_PROTECTED_ACCOUNTS")

# --- Audit history (roles/audit/models.py) ----------------------------------
# How many reverse proxies in front of rolecall append to X-Forwarded-For;
# 0 ignores the header (roles/audit/request.py).
ROLECALL_TRUSTED_PROXIES = env.integer("ROLECALL_TRUSTED_PROXIES", 0, minimum=0)
# Days of audit history kept by `manage.py prune_audit`; 0 keeps everything.
ROLECALL_AUDIT_RETENTION_DAYS = env.integer("ROLECALL_AUDIT_RETENTION_DAYS", 0, minimum=0)
ROLECALL_AUDIT_PAGE_SIZE = env.integer("ROLECALL_AUDIT_PAGE_SIZE", 50, minimum=1)
# Optional: HMAC-SHA256 key for the audit chain (roles/audit/chain.py). Without
# it, whoever can write the table can also recompute every hash. Never change it.
ROLECALL_AUDIT_HMAC_KEY = env.secret("ROLECALL_AUDIT_HMAC_KEY") or ""
if ROLECALL_AUDIT_HMAC_KEY and len(ROLECALL_AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("ROLECALL_AUDIT_HMAC_KEY must be at least 32 characters.")

# --- AWS (roles/aws/) --------------------------------------------------------
# IAM throttles and its limits cannot be raised: botocore's standard retry mode
# with explicit timeouts, and bounded concurrency per account (roles/inventory/sync/).
ROLECALL_AWS_HOME_REGION = env.string("ROLECALL_AWS_HOME_REGION", "us-east-1")
ROLECALL_AWS_MAX_ATTEMPTS = env.integer("ROLECALL_AWS_MAX_ATTEMPTS", 3, minimum=1)
ROLECALL_AWS_CONNECT_TIMEOUT = env.integer("ROLECALL_AWS_CONNECT_TIMEOUT", 5, minimum=1)
ROLECALL_AWS_READ_TIMEOUT = env.integer("ROLECALL_AWS_READ_TIMEOUT", 20, minimum=1)
ROLECALL_AWS_MAX_POOL = env.integer("ROLECALL_AWS_MAX_POOL", 32, minimum=1)
# How long a change role's session lasts (one change; AWS's minimum is 900 seconds).
ROLECALL_CHANGE_SESSION_SECONDS = env.integer("ROLECALL_CHANGE_SESSION_SECONDS", 900, minimum=900)
if ROLECALL_CHANGE_SESSION_SECONDS > 43200:
    raise ImproperlyConfigured(
        "ROLECALL_CHANGE_SESSION_SECONDS must be at most 43200 (AssumeRole's longest session)."
    )

# --- Sync (roles/inventory/sync/) -------------------------------------------------------
ROLECALL_SYNC_INTERVAL = env.integer("ROLECALL_SYNC_INTERVAL", 60, minimum=1)  # minutes
# How often each connected AWS Organization is listed again (roles/organizations/discovery.py).
ROLECALL_DISCOVERY_INTERVAL = env.integer("ROLECALL_DISCOVERY_INTERVAL", 60, minimum=1)  # minutes
# Sync runs older than this are deleted daily (roles/inventory/sync/history.py), except each
# account's last success and latest run, and runs still in use.
ROLECALL_SYNC_HISTORY_DAYS = env.integer("ROLECALL_SYNC_HISTORY_DAYS", 30, minimum=1)
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
# "priority": a worker that consumes several queues always empties them in the order
# it was given (the Procfile's `worker`: celery, then sync), so a short task never
# waits behind the syncs queued before it (kombu's default, round_robin, alternates them).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "queue_order_strategy": "priority",
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Separate queues (roles/jobs/__init__.py): a long sync never holds up a deletion's poll or a
# cleanup step, which wait in their own queue, `changes`, with a worker of its own
# (the Procfiles' `changes`). Every task that changes AWS is routed there: each
# feature registers its tasks with their queue, and the router reads that. A worker
# started without --queues consumes every queue declared here, in this order.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"changes": {}, "sync": {}, "celery": {}}
CELERY_TASK_ROUTES = ("roles.jobs.route",)
# Beat entries are named; renaming one leaves the old schedule behind.
CELERY_BEAT_SCHEDULE = {
    "health-ping": {"task": "rolecall.health.ping", "schedule": 60},
    "audit-verify-chain": {"task": "rolecall.audit.verify_chain", "schedule": 24 * 3600},
    "sync-all-accounts": {
        "task": "rolecall.sync.schedule",
        "schedule": ROLECALL_SYNC_INTERVAL * 60,
    },
    "sync-history-prune": {"task": "rolecall.sync.prune", "schedule": 24 * 3600},
    "organization-discovery": {
        "task": "rolecall.organizations.schedule",
        "schedule": ROLECALL_DISCOVERY_INTERVAL * 60,
    },
}

# --- REST API (/api/v1/, roles/api/) ---------------------------------------
# Personal tokens (roles/api/models.py) or the browser's session; JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "roles.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["roles.api.auth.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["roles.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "roles.api.errors.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "rolecall API",
    "DESCRIPTION": "Audit and retire AWS IAM service-linked roles (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its reference page, like every page, need a signed-in member.
    "SERVE_PERMISSIONS": ["roles.api.auth.ApiAccess"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the sidecar's static files, its start-up script from our own
    # view: nothing from a CDN, nothing inline (the Content-Security-Policy).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DeletionState": "roles.deletion.models.DeletionRequest.State",
        "CleanupState": "roles.cleanup.models.CleanupPlan.State",
        "CampaignState": "roles.campaigns.models.Campaign.State",
        "RoleState": "roles.inventory.models.ServiceLinkedRole.State",
    },
}
# Requests per minute per token (per user for the browser's session, per address
# without either); over it the API answers 429 with Retry-After.
ROLECALL_API_RATE = env.integer("ROLECALL_API_RATE", 600, minimum=1)
# The longest a new token may live, in days.
ROLECALL_API_TOKEN_MAX_DAYS = env.integer("ROLECALL_API_TOKEN_MAX_DAYS", 365, minimum=1)
# The rate limit's counters are shared by every web process, in Redis.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "rolecall-api",
    },
}

# --- Notifications by email and webhook (roles/notifications/) ----------------------
# Where people reach rolecall: the links in emails and webhook events. Unset in
# production, they carry the page's path only.
ROLECALL_BASE_URL = env.base_url(
    "ROLECALL_BASE_URL",
    f"http://127.0.0.1:{env.integer('ROLECALL_PORT', 8000, minimum=1)}"
    if DEBUG or ROLECALL_DEMO
    else "",
)
# EMAIL_URL (smtp+tls://user:password@host:587), or the standard EMAIL_* variables.
_EMAIL = env.email_url("EMAIL_URL")
_EMAIL_VARIABLES = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")
if _EMAIL and any(env.secret(name) for name in _EMAIL_VARIABLES):
    raise ImproperlyConfigured("Set EMAIL_URL or the EMAIL_HOST... variables, not both.")
EMAIL_BACKEND = _EMAIL.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = _EMAIL.get("EMAIL_HOST") or env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT") or env.integer("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER") or env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD") or env.secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", env.boolean("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", env.boolean("EMAIL_USE_SSL", False))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_FILE_PATH = _EMAIL.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
# A mail server that hangs must not hold a worker for long.
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "rolecall@localhost")
# Seconds a webhook receiver has to connect and answer; a slower one is retried.
ROLECALL_WEBHOOK_TIMEOUT = env.integer("ROLECALL_WEBHOOK_TIMEOUT", 10, minimum=1)
# Each email or webhook delivery is tried at most this many times, waiting 10 s,
# 20 s, 40 s ... capped (seconds) between attempts: about 85 minutes in all by default.
# Waits up to ROLECALL_POLL_BACKOFF_CAP are task countdowns; longer ones are sent by
# the sweeper when due (roles/notifications/operation.py), never long ETA tasks.
ROLECALL_DELIVERY_MAX_ATTEMPTS = env.integer("ROLECALL_DELIVERY_MAX_ATTEMPTS", 10, minimum=1)
ROLECALL_DELIVERY_BACKOFF_START = env.integer("ROLECALL_DELIVERY_BACKOFF_START", 10, minimum=1)
ROLECALL_DELIVERY_BACKOFF_CAP = env.integer("ROLECALL_DELIVERY_BACKOFF_CAP", 3600, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A 403 or 400 is one line, without the traceback Django attaches (roles/core/logfilters.py).
    "filters": {"one_line_4xx": {"()": "roles.core.logfilters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "boto3": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["one_line_4xx"]},
    },
}

# --- Reliability (sweeper, start-up checks) ----------------------------------
# The sweeper (roles/jobs/sweeper.py) re-dispatches deletions and syncs whose Celery
# message was lost: overdue by more than the grace, checked every interval.
ROLECALL_SWEEPER_INTERVAL = env.integer("ROLECALL_SWEEPER_INTERVAL", 60, minimum=1)  # seconds
ROLECALL_SWEEPER_GRACE = env.integer("ROLECALL_SWEEPER_GRACE", 30, minimum=1)  # seconds
# Re-dispatches of one deletion attempt (or one sync run) before it ends in error.
ROLECALL_SWEEPER_MAX_DISPATCHES = env.integer("ROLECALL_SWEEPER_MAX_DISPATCHES", 5, minimum=1)
# Retirement campaigns (roles/campaigns/): the most roles one campaign may hold, and
# how many of its deletions run at once, in all and per account (IAM throttles per account).
ROLECALL_CAMPAIGN_MAX_ROLES = env.integer("ROLECALL_CAMPAIGN_MAX_ROLES", 5000, minimum=1)
ROLECALL_CAMPAIGN_CONCURRENCY = env.integer("ROLECALL_CAMPAIGN_CONCURRENCY", 20, minimum=1)
ROLECALL_CAMPAIGN_PER_ACCOUNT = env.integer("ROLECALL_CAMPAIGN_PER_ACCOUNT", 2, minimum=1)
CELERY_BEAT_SCHEDULE["sweeper"] = {
    "task": "rolecall.sweeper.sweep",
    "schedule": ROLECALL_SWEEPER_INTERVAL,
}
# How long ECS services may take to drain before a cleanup region stops (seconds).
ROLECALL_CLEANUP_DRAIN_TIMEOUT = env.integer("ROLECALL_CLEANUP_DRAIN_TIMEOUT", 900, minimum=1)
