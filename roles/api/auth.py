"""Who is calling the API, what their token allows, and how often they may call.

A token acts as its user, with that user's groups as they are at each request:
removing someone from the operators takes effect on their tokens at once, and a
disabled user's tokens stop working. The token's scope can only narrow that: a
`read` token makes no change whatever its user may do.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from roles.access import permissions, reauth
from roles.api.models import ApiToken, prefix_of
from roles.audit.models import AuditEvent, Outcome
from roles.audit.request import client_ip

# Set on the Django request for every API call (the token's name, or "" for the
# session): AuditEvent.objects.record adds it to the event (roles/audit/models.py).
VIA_API = "rolecall_api_token"
TOUCH_EVERY = timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer rc_<prefix>_<secret>`."""

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != b"bearer":
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header is Bearer <token>.")
        presented = words[1].decode("ascii", "replace")
        token = ApiToken.objects.find(presented)
        if token is None or not token.user.is_active:
            _refused(request, presented)
            raise exceptions.AuthenticationFailed("The token is unknown, expired or revoked.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="rolecall"'


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes TokenAuthentication: an HTTP bearer token."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (rc_...), made on the API tokens page.",
        }


def _refused(request, presented: str) -> None:
    """A token that was once real (its prefix names a row) used when it may not be:
    worth an audit event. Random strings are only throttled, by address."""
    prefix = prefix_of(presented)
    known = prefix and ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if known is None:
        return
    AuditEvent.objects.record(
        "api_token.refused",
        actor=known.user,
        outcome=Outcome.DENIED,
        request=request,
        details={
            "api_token": known.name,
            "reason": "revoked"
            if known.revoked_at
            else "expired"
            if not known.live
            else "user disabled"
            if not known.user.is_active
            else "wrong secret",
            "path": request.path,
        },
    )


def token_of(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class ApiAccess(BasePermission):
    """Signed in (token or session), in a rolecall group, and a `change` token for writes.

    The view then checks the action itself, as the page does (roles/access/permissions.py).
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        token = token_of(request)
        setattr(request._request, VIA_API, token.name if token else "")
        if not (permissions.can_view(user) or permissions.can_admin(user)):
            permissions.deny(request, "view")
        if request.method not in SAFE_METHODS and token is not None and not token.may_change:
            permissions.deny(request, "a change with a read-only token")
        return True


class ReauthRequired(exceptions.PermissionDenied):
    default_code = "reauth_required"


def require_fresh(request, attempted: str, **target) -> None:
    """The API's counterpart of the pages' recent password (roles/access/reauth.py).

    A token qualifies when it was created within ROLECALL_REAUTH_MINUTES: creating
    one asks for the password. A session qualifies as the pages do.
    """
    token = token_of(request)
    fresh = token.is_fresh() if token else reauth.is_fresh(request._request)
    if fresh:
        return
    minutes = settings.ROLECALL_REAUTH_MINUTES
    AuditEvent.objects.record(
        "auth.denied",
        outcome=Outcome.DENIED,
        request=request,
        details={"attempted": attempted, "reason": "reauthentication", "path": request.path},
        **target,
    )
    if token:
        message = (
            f"This needs a token created within the last {minutes} minutes: create one "
            "on the API tokens page (it asks for your password) and use it."
        )
    else:
        message = f"This needs your password entered within the last {minutes} minutes."
    raise ReauthRequired(message)


class TokenRateThrottle(SimpleRateThrottle):
    """ROLECALL_API_RATE requests a minute per token, per user on the session, per
    address otherwise, counted in Redis so every web process shares the count."""

    scope = "api"

    def __init__(self):
        self.cache = caches["api"]
        super().__init__()

    def get_rate(self) -> str:
        return f"{settings.ROLECALL_API_RATE}/min"

    def get_cache_key(self, request, view) -> str:
        token = token_of(request)
        if token is not None:
            ident = f"token-{token.prefix}"  # random: never reused, unlike an id
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            # The project's reading of the address (ROLECALL_TRUSTED_PROXIES), not
            # DRF's, which would believe any X-Forwarded-For.
            ident = f"address-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
