"""Personal API tokens: each user's own, shown once, stored hashed, scoped, expiring.

A token is `rc_<prefix>_<secret>`. The prefix (8 characters) finds the row and
is shown in lists so a user can tell tokens apart; only the SHA-256 of the whole
token is stored. The secret carries 256 random bits, so a plain hash is enough:
nothing short enough to guess is ever hashed (unlike a password).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "rc_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> str | None:
    """The row-finding part of `rc_<prefix>_<secret>` (the secret may hold "_")."""
    parts = token.split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != PREFIX or len(parts[1]) != 8:
        return None
    return parts[1]


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def find(self, token: str) -> ApiToken | None:
        """The live token `token` names, or None (unknown, revoked, expired or forged)."""
        prefix = prefix_of(token)
        if prefix is None:
            return None
        row = self.live().select_related("user").filter(prefix=prefix).first()
        if row is None or not hmac.compare_digest(row.hashed, digest(token)):
            return None
        return row


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "read"
        CHANGE = "change", "read + change"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    hashed = models.CharField(max_length=64)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Its owner, or an administrator (the owner's page says which).
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Made on the tokens page right after its user typed their password (not by
    # `manage.py api_token`, which proves nothing about the user): see is_fresh.
    password_checked = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_live_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({PREFIX}{self.prefix}_…)"

    @classmethod
    def issue(
        cls, user, *, name: str, scope: str, expires_at, password_checked: bool = False
    ) -> tuple[ApiToken, str]:
        """A new token row and the token itself, which is never stored or shown again."""
        prefix = secrets.token_hex(4)
        token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        row = cls.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            hashed=digest(token),
            scope=scope,
            expires_at=expires_at,
            password_checked=password_checked,
        )
        return row, token

    def revoke(self, by) -> bool:
        """Revoke it, once: True if this call did (a second call, or a concurrent one,
        finds it revoked and changes nothing)."""
        now = timezone.now()
        done = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        if done:
            self.revoked_at, self.revoked_by = now, by
        return bool(done)

    @property
    def may_change(self) -> bool:
        return self.scope == self.Scope.CHANGE

    @property
    def live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def is_fresh(self) -> bool:
        """Made on the tokens page after a password check, within the
        re-authentication window (ROLECALL_REAUTH_MINUTES): as good as a password
        typed that long ago."""
        age = (timezone.now() - self.created).total_seconds()
        return self.password_checked and age <= settings.ROLECALL_REAUTH_MINUTES * 60
