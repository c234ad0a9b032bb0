"""Settings for the test suite: dashboard.settings plus test-only defaults.

Worker processes started by the tests use this module too, with DATABASE_URL
pointing at the test database (tests/support/processes.py).
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 32)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests use their own Redis database so they never consume a demo's queue. Under
# pytest-xdist each test process takes the next database (gw0: 13, gw1: 14...), so a
# worker one process's test starts never takes a task another's published; the
# processes a test starts inherit the shifted address, and are not shifted again.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
_XDIST = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if _XDIST and not os.environ.get("ROLECALL_TEST_REDIS_SHIFTED"):
    _redis = urlsplit(os.environ["REDIS_URL"])
    _base = int(_redis.path.strip("/") or 0)
    # Redis has databases 0-15: past 15, the next ones down (13, 14, 15, 12, 11...).
    _db = _base + _XDIST if _base + _XDIST <= 15 else _base - (_base + _XDIST - 15)
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_db}"))
    os.environ["ROLECALL_TEST_REDIS_SHIFTED"] = "1"
# Never the .env a local `make run` wrote (dashboard/settings.py).
os.environ.setdefault("ROLECALL_ENV_FILE", "")
# The test client speaks plain HTTP.
os.environ.setdefault("ROLECALL_SECURE", "false")
# Approval is on by default in production (tests/approval/test_approval.py checks that);
# tests of the deletion machinery itself run without it unless they turn it on.
os.environ.setdefault("ROLECALL_REQUIRE_APPROVAL", "false")
# The emulator completes an Access Advisor job on its second poll (emulator/advisor.py):
# poll again after 20 ms rather than the production 250 ms, which every synced test waits.
os.environ.setdefault("ROLECALL_ADVISOR_POLL_MS", "20")

from dashboard.settings import *  # noqa: E402,F403
from dashboard.settings import DATABASES, STATIC_ROOT, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so a worker process can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-rolecall.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files are served from the finders in tests; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
