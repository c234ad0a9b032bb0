"""/api/v1/: every operation, the OpenAPI schema and its reference page.

The API authenticates in its views (roles/api/auth.py), so each one is exempt
from the pages' sign-in redirect; ApiAccess answers 401 instead.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from roles.api import errors, reads, writes


def api(route: str, view, name: str, **kwargs):
    return path(route, login_not_required(view), kwargs or None, name=name)


swagger = SpectacularSwaggerSplitView.as_view(url_name="api-schema")


def reference(request, *args, **kwargs):
    """Swagger UI, as drf-spectacular serves it (templates/drf_spectacular/), with
    one addition to the policy (roles/access/middleware.py): its stylesheet's icons are
    data: images. Scripts and styles stay 'self' only."""
    response = swagger(request, *args, **kwargs)
    response["Content-Security-Policy"] = f"{settings.ROLECALL_CSP}; img-src 'self' data:"
    return response


def decisions(prefix: str, kind: str) -> list:
    return [
        api(
            f"{prefix}/<int:pk>/{verb}/",
            writes.decide,
            f"api-{kind}-{verb}",
            kind=kind,
            approve=verb == "approve",
        )
        for verb in ("approve", "reject")
    ]


urlpatterns = [
    api("accounts/", reads.accounts, "api-accounts"),
    api("accounts/<int:pk>/", reads.account, "api-account"),
    api("accounts/<int:pk>/refresh/", writes.refresh, "api-account-refresh"),
    api("overview/", reads.overview, "api-overview"),
    api("roles/", reads.roles, "api-roles"),
    api("roles/<int:pk>/", reads.role, "api-role"),
    api("roles/<int:pk>/deletion/", writes.request_role_deletion, "api-role-deletion"),
    api("deletions/", reads.deletions, "api-deletions"),
    api("deletions/<int:pk>/", reads.deletion, "api-deletion"),
    api("deletions/<int:pk>/retry/", writes.retry, "api-deletion-retry"),
    *decisions("deletions", "deletion"),
    api("cleanups/", reads.cleanups, "api-cleanups"),
    api("cleanups/<int:pk>/", reads.cleanup, "api-cleanup"),
    *decisions("cleanups", "cleanup"),
    api("campaigns/", reads.campaigns, "api-campaigns"),
    api("campaigns/<int:pk>/", reads.campaign, "api-campaign"),
    *decisions("campaigns", "campaign"),
    *[
        api(
            f"campaigns/<int:pk>/{action}/",
            writes.campaign_act,
            f"api-campaign-{action}",
            action=action,
        )
        for action in ("pause", "resume")
    ],
    api("notifications/", reads.notifications, "api-notifications"),
    api("audit/", reads.audit, "api-audit"),
    path("schema/", login_not_required(SpectacularJSONAPIView.as_view()), name="api-schema"),
    path(
        "docs/",
        # A page for people: not signed in, the sign-in page, as everywhere.
        login_required(reference),
        name="api-docs",
    ),
    re_path(r"^.*$", login_not_required(errors.not_found)),
]
