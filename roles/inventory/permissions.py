"""A role the user may act on, found or refused (roles/access/permissions.py)."""

from __future__ import annotations

from roles.access.permissions import get_or_deny
from roles.inventory.models import ServiceLinkedRole


def role_for(request, pk: int, check, attempted: str) -> ServiceLinkedRole:
    return get_or_deny(
        request, ServiceLinkedRole.objects.select_related("account"), pk, check, attempted
    )
