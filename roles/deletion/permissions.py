"""A deletion request the user may act on, found or refused (roles/access/permissions.py)."""

from __future__ import annotations

from roles.access.permissions import get_or_deny
from roles.deletion.models import DeletionRequest


def deletion_for(request, pk: int, check, attempted: str) -> DeletionRequest:
    rows = DeletionRequest.objects.select_related("account", "role")
    return get_or_deny(request, rows, pk, check, attempted)
