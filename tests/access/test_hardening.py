"""Login throttling, session lifetime, headers, templates, and `check --deploy`."""

import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.access.middleware import AUTH_AT, SEEN_AT
from roles.models import AuditEvent
from tests.access import test_permissions as matrix
from tests.access.test_permissions import NOBODY, RULES, url_for
from tests.conftest import PASSWORD
from tests.support.processes import production_env
from tests.support.templates import template_files

ROOT = Path(__file__).resolve().parents[2]
# One of everything a URL can point at, as the permission matrix builds it.
world = matrix.world


def login(client, password, ip="192.0.2.50"):
    return client.post(
        reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_failures_lock_out_then_the_cool_off_releases(client, operator, settings):
    # The form comes back after each wrong password; the one that reaches the limit locks.
    limit = settings.AXES_FAILURE_LIMIT
    answers = [login(client, "wrong").status_code for _ in range(limit)]
    assert answers == [200] * (limit - 1) + [429]
    locked = login(client, PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    # Another address is not locked out by this one's failures.
    assert login(client, PASSWORD, ip="192.0.2.51").status_code == 302
    client.logout()
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert login(client, PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def _age_session(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_an_idle_session_ends(viewer_client, settings):
    _age_session(viewer_client, SEEN_AT, settings.ROLECALL_SESSION_IDLE_MINUTES * 60 + 5)
    response = viewer_client.get(reverse("roles"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in viewer_client.session
    assert AuditEvent.objects.get(action="auth.logout").details == {"reason": "idle timeout"}


def test_a_session_ends_after_its_absolute_lifetime(viewer_client, settings):
    _age_session(viewer_client, AUTH_AT, settings.ROLECALL_SESSION_MAX_HOURS * 3600 + 5)
    response = viewer_client.get(reverse("roles"))
    assert response["Location"].startswith("/login/")
    assert AuditEvent.objects.get(action="auth.logout").details == {
        "reason": "session lifetime reached"
    }


def test_an_active_session_goes_on(viewer_client):
    _age_session(viewer_client, SEEN_AT, 60)
    assert viewer_client.get(reverse("roles")).status_code == 200


def test_csp_and_framing_headers_on_every_page(admin_client, admin_user, client, world):
    """Every page anyone may GET, those whose URL needs an id with the ids of real objects."""
    pages = sorted(name for name, (get, _) in RULES.items() if get != NOBODY)
    checked = []
    for name in pages:
        url = url_for(name, world, admin_user)
        response = admin_client.get(url)
        # What the permission matrix expects: its redirects (GO) answer 302, pages 200.
        expected = 302 if matrix.ALLOWED[(name, "get")][0] == matrix.GO else 200
        assert response.status_code == expected, (url, response.status_code)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, name
        assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp, name
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        checked.append(name)
    assert checked == pages
    # The pages that need an id are among them.
    assert {"role-detail", "account-detail", "deletion-detail", "cleanup-detail"} <= set(checked)
    anonymous = client.get(reverse("login"))
    assert "default-src 'self'" in anonymous["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"<style", re.I), "inline <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "inline style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize(
    "template", [path.relative_to(ROOT) for _name, path in template_files()], ids=str
)
def test_no_template_has_inline_script_or_style(template):
    text = (ROOT / template).read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(
        SECRET_KEY="s3cr3t-" + "x9Yq" * 15,
        ALLOWED_HOSTS="rolecall.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_and_transport(tmp_path):
    env = production_env(SECRET_KEY="k" * 50, ALLOWED_HOSTS="x")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == ["True"] * 5
