"""API clients: a Django test client carrying one user's personal token."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from roles.models import ApiToken


class ApiClient:
    """Calls /api/v1/ with `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token: str, row: ApiToken | None = None) -> None:
        self.token, self.row = token, row
        self.client = Client(headers={"authorization": f"Bearer {token}"})

    def get(self, path: str, params=None):
        return self.client.get(path, params or {})

    def post(self, path: str, body=None):
        return self.client.post(path, body or {}, content_type="application/json")


def token_for(
    user,
    *,
    scope: str = "change",
    name: str = "ci",
    age: timedelta = timedelta(0),
    days: int = 30,
    password_checked: bool = True,
) -> ApiClient:
    """A token of `user` made as the tokens page makes it (after a password check),
    `age` ago: older than the re-authentication window, it may not approve."""
    row, token = ApiToken.issue(
        user,
        name=name,
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
        password_checked=password_checked,
    )
    if age:
        ApiToken.objects.filter(pk=row.pk).update(created=timezone.now() - age)
        row.refresh_from_db()
    return ApiClient(token, row)
