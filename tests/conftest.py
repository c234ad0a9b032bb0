"""Shared fixtures: personas, a real Celery worker, and a Chromium browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from roles.access import groups
from tests.support.processes import celery_worker

# Fixtures every test file may use: a signed-in client per persona, and the demo
# accounts synced against the emulator.
pytest_plugins = ["tests.support.clients", "tests.support.sync", "tests.support.timing"]

# Playwright's sync API runs an event loop in the test thread; the Django ORM
# calls made by tests and by live_server's setup are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def make_user(username: str, group: str | None = None, *, superuser: bool = False) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    if group:
        # get_or_create: transactional tests flush the groups the migration made.
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the suite's flushes TRUNCATE the append-only audit table.

    Migration 0004 refuses TRUNCATE unless the database is flagged; only this
    throwaway test database ever is.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET rolecall.audit_truncate = 'on'")
                cursor.execute("SET rolecall.audit_truncate = 'on'")


@pytest.fixture
def operator(db) -> User:
    return make_user("alice", groups.OPERATOR)


@pytest.fixture
def approver(db) -> User:
    return make_user("bob", groups.APPROVER)


@pytest.fixture
def viewer(db) -> User:
    return make_user("carol", groups.VIEWER)


@pytest.fixture
def outsider(db) -> User:
    """Signed in, but in no rolecall group."""
    return make_user("mallory")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin", superuser=True)


# --- AWS (the project's emulator over HTTP) ------------------------------------


@pytest.fixture(scope="session")
def emulator_process():
    """One emulator for the session; tests reset it to the scenario they need."""
    from emulator.testing import EmulatorProcess

    with EmulatorProcess("demo", "--deletion-polls", "2") as proc:
        saved = {k: os.environ.get(k) for k in AWS_ENV}
        os.environ.update(
            AWS_ENDPOINT_URL=proc.url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
        )
        os.environ.pop("AWS_PROFILE", None)
        try:
            yield proc
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


AWS_ENV = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
)


@pytest.fixture
def emulator(emulator_process):
    """The emulator reset to the demo scenario, counters at zero."""
    emulator_process.control.reset("demo")
    emulator_process.control.set_deletion(mode="polls", polls=2)
    return emulator_process


@pytest.fixture
def demo_accounts(db):
    from roles.accounts.demo import ensure_accounts

    return {a.name: a for a in ensure_accounts()}


@pytest.fixture
def worker(transactional_db):
    """A real `celery worker` process on the test database and the test Redis."""
    from dashboard.celery import app

    app.control.purge()
    # Polls back off 1 s at most, so deletions end within seconds in tests.
    with celery_worker(ROLECALL_POLL_BACKOFF_CAP="1") as proc:
        yield proc


# --- browser -----------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Browser:
    """One browser context (one user's cookies) against the live server."""

    def __init__(self, chromium, base_url: str) -> None:
        self.context = chromium.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def browser(chromium, live_server):
    session = Browser(chromium, live_server.url)
    yield session
    session.context.close()


EMULATOR_TESTS = Path(__file__).resolve().parent / "emulator"


def pytest_collection_modifyitems(config, items):
    """Mark the emulator's own tests `own_database` (they speak to the emulator alone),
    and deselect (never skip) `postgresql`-marked tests when the database is not
    PostgreSQL."""
    from django.conf import settings

    for item in items:
        if EMULATOR_TESTS in item.path.parents:
            item.add_marker(pytest.mark.own_database)
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        kept = [item for item in items if item.get_closest_marker("postgresql") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in kept])
            items[:] = kept
    items[:] = slow_files_first(items)


SLOW = ("slow", "browser", "worker", "faults")


def slow_files_first(items: list) -> list:
    """The files that start processes (marked slow, browser, worker or faults) first, each
    file's tests kept together and in order. `make test` hands files to its processes in
    this order (pytest-xdist, --dist loadfile), so the quick files come last and fill the
    gaps: both processes finish together instead of one running `make run` alone at the
    end (docs/testing.md)."""
    slow_files = {item.path for item in items if any(item.get_closest_marker(m) for m in SLOW)}
    return sorted(items, key=lambda item: item.path not in slow_files)
