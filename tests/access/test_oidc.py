"""Optional single sign-on: the groups claim decides rolecall groups."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from dashboard import env
from roles.access.oidc import ROLES, GroupMappingBackend

ROOT = Path(__file__).resolve().parents[2]
MAP = {
    "viewer": "rc-viewers",
    "operator": "rc-operators",
    "approver": "rc-approvers",
    "admin": "rc-admins",
}
OIDC = dict(
    ROLECALL_OIDC_GROUP_MAP=MAP,
    ROLECALL_OIDC_GROUPS_CLAIM="groups",
    OIDC_RP_CLIENT_ID="rolecall",
    OIDC_RP_CLIENT_SECRET="secret",
    OIDC_RP_SIGN_ALGO="RS256",
    OIDC_OP_TOKEN_ENDPOINT="https://idp.example/token",
    OIDC_OP_USER_ENDPOINT="https://idp.example/userinfo",
    OIDC_OP_JWKS_ENDPOINT="https://idp.example/jwks",
    OIDC_OP_AUTHORIZATION_ENDPOINT="https://idp.example/authorize",
)


def test_group_map_parsing(monkeypatch):
    monkeypatch.setenv("MAP", "viewer=a, operator=b")
    assert env.mapping("MAP", ROLES) == {"viewer": "a", "operator": "b"}
    for bad in ("root=everyone", "viewer="):
        monkeypatch.setenv("MAP", bad)
        with pytest.raises(ImproperlyConfigured):
            env.mapping("MAP", ROLES)


@override_settings(**OIDC)
def test_a_new_user_gets_the_mapped_groups_and_no_password(db):
    user = GroupMappingBackend().create_user(
        {"email": "erin@example.com", "groups": ["rc-operators", "unrelated"]}
    )
    assert list(user.groups.values_list("name", flat=True)) == ["operator"]
    assert not user.is_superuser and not user.has_usable_password()


@override_settings(**OIDC)
def test_groups_follow_the_provider_at_every_sign_in(db):
    backend = GroupMappingBackend()
    user = backend.create_user(
        {"email": "frank@example.com", "groups": ["rc-approvers", "rc-admins"]}
    )
    assert user.is_superuser and set(user.groups.values_list("name", flat=True)) == {"approver"}
    backend.update_user(user, {"email": "frank@example.com", "groups": ["rc-viewers"]})
    user = User.objects.get(pk=user.pk)
    assert not user.is_superuser and set(user.groups.values_list("name", flat=True)) == {"viewer"}


def _start(extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "ROLECALL_OIDC"))}
    env.update(DJANGO_SETTINGS_MODULE="dashboard.settings_test", **extra)
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('oidc_authentication_init'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_configured_oidc_adds_the_sign_in_route():
    settings = {k: v for k, v in OIDC.items() if k.startswith("OIDC_")}
    settings["ROLECALL_OIDC_GROUP_MAP"] = "viewer=rc-viewers,admin=rc-admins"
    result = _start(settings)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/oidc/authenticate/"


def test_oidc_is_off_unless_configured():
    result = _start({})
    assert result.returncode != 0 and "NoReverseMatch" in result.stderr


def test_a_half_configured_oidc_refuses_to_start():
    result = _start({"OIDC_RP_CLIENT_ID": "rolecall", "OIDC_RP_CLIENT_SECRET": "s"})
    assert result.returncode != 0
    assert "must be an https:// URL when OIDC is on" in result.stderr
