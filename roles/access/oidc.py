"""Optional single sign-on through OpenID Connect (mozilla-django-oidc).

Off unless OIDC_RP_CLIENT_ID is set (dashboard/settings.py). The identity
provider's groups claim decides the rolecall groups on every sign-in, so a
change made in the provider takes effect at the next login.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from roles.access import groups

ADMIN = "admin"
ROLES = (*groups.ALL, ADMIN)


def roles_from_claims(claims: dict) -> set[str]:
    found = claims.get(settings.ROLECALL_OIDC_GROUPS_CLAIM) or []
    if isinstance(found, str):
        found = found.split(",")
    found = {str(g).strip() for g in found}
    return {
        role for role, idp_group in settings.ROLECALL_OIDC_GROUP_MAP.items() if idp_group in found
    }


def apply_roles(user, claims: dict):
    roles = roles_from_claims(claims)
    user.is_superuser = user.is_staff = ADMIN in roles
    user.save(update_fields=["is_superuser", "is_staff"])
    user.groups.set(Group.objects.filter(name__in=roles - {ADMIN}))
    return user


class GroupMappingBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return apply_roles(user, claims)

    def update_user(self, user, claims):
        return apply_roles(user, claims)
