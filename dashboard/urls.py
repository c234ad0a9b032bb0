from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path

from roles.api.errors import not_found as api_not_found
from roles.views import (
    accounts,
    audit,
    auth,
    campaigns,
    changes,
    choosers,
    cleanup,
    decisions,
    deletions,
    notifications,
    organizations,
    pages,
    preferences,
    resources,
    roles,
    syncs,
    tokens,
    webhooks,
)

# Our own parameter errors (roles/params.py) say what was wrong.
handler400 = "roles.params.bad_request"


def decision_urls(prefix: str, kind: str) -> list:
    """Approve and reject for one kind of approved change (roles/views/decisions.py)."""
    return [
        path(
            f"{prefix}/<int:pk>/{verb}/",
            decisions.decide,
            {"kind": kind, "approve": verb == "approve"},
            name=f"{kind}-{verb}",
        )
        for verb in ("approve", "reject")
    ]


urlpatterns = [
    path("", pages.overview, name="overview"),
    path("refresh/", syncs.refresh_all, name="refresh-all"),
    path("syncs/status/", syncs.sync_status, name="sync-status"),
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/choose/", choosers.account_choose, name="account-choose"),
    path("accounts/add/", accounts.account_add, name="account-add"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="account-edit"),
    path("accounts/<int:pk>/test/", accounts.account_test, name="account-test"),
    path("accounts/<int:pk>/refresh/", accounts.account_refresh, name="account-refresh"),
    path("organizations/", organizations.organization_list, name="organizations"),
    path("organizations/add/", organizations.organization_add, name="organization-add"),
    path("organizations/<int:pk>/", organizations.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", organizations.organization_edit, name="organization-edit"),
    path(
        "organizations/<int:pk>/discover/",
        organizations.organization_discover,
        name="organization-discover",
    ),
    path("roles/", roles.role_list, name="roles"),
    re_path(r"^roles/export\.(?P<fmt>csv|json)$", roles.role_export, name="role-export"),
    path("roles/<int:pk>/", roles.role_detail, name="role-detail"),
    path("roles/<int:pk>/refresh/", roles.role_refresh, name="role-refresh"),
    path("roles/<int:pk>/clusters/", resources.role_clusters, name="role-clusters"),
    path(
        "clusters/<int:pk>/services/",
        resources.cluster_resources,
        {"kind": "services"},
        name="cluster-services",
    ),
    path(
        "clusters/<int:pk>/instances/",
        resources.cluster_resources,
        {"kind": "instances"},
        name="cluster-instances",
    ),
    path("roles/create/", changes.create_role, name="role-create"),
    path("roles/<int:pk>/delete/", deletions.confirm, name="role-delete"),
    path("roles/<int:pk>/description/", changes.edit_description, name="role-description"),
    path("roles/<int:pk>/cleanup/", cleanup.plan_cleanup, name="role-cleanup"),
    path("roles/<int:pk>/cleanup-steps/", cleanup.cleanup_steps, name="role-cleanup-steps"),
    re_path(
        r"^roles/(?P<pk>\d+)/cleanup-steps\.(?P<fmt>csv|json)$",
        cleanup.cleanup_steps,
        name="role-cleanup-steps-export",
    ),
    path("cleanups/<int:pk>/", cleanup.cleanup_detail, name="cleanup-detail"),
    path("cleanups/<int:pk>/steps/", cleanup.plan_steps, name="cleanup-steps"),
    path("cleanups/<int:pk>/execute/", cleanup.execute, name="cleanup-execute"),
    *decision_urls("cleanups", "cleanup"),
    path("deletions/", deletions.deletion_list, name="deletions"),
    path("deletions/<int:pk>/", deletions.deletion_detail, name="deletion-detail"),
    path("deletions/<int:pk>/retry/", deletions.retry, name="deletion-retry"),
    *decision_urls("deletions", "deletion"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    *[
        path(
            f"campaigns/<int:pk>/{action}/",
            campaigns.campaign_act,
            {"action": action},
            name=f"campaign-{action}",
        )
        for action in ("remove", "submit", "pause", "resume", "discard")
    ],
    re_path(
        r"^campaigns/(?P<pk>[0-9]+)/(?P<what>plan|report)\.(?P<fmt>csv|json)$",
        campaigns.campaign_export,
        name="campaign-export",
    ),
    *decision_urls("campaigns", "campaign"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/badge/", notifications.badge, name="notification-badge"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", notifications.mark_read, name="notification-read"),
    path("audit/", audit.audit_list, name="audit"),
    re_path(r"^audit/export\.(?P<fmt>csv|jsonl)$", audit.audit_export, name="audit-export"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reauth/", auth.reauth, name="reauth"),
    path("admin/", admin.site.urls),
    # Notifications by email and webhook (roles/views/preferences.py, roles/views/webhooks.py).
    path(
        "settings/notifications/",
        preferences.notification_settings,
        name="notification-settings",
    ),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/add/", webhooks.webhook_add, name="webhook-add"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", webhooks.webhook_edit, name="webhook-edit"),
    *[
        path(
            f"webhooks/<int:pk>/{action}/",
            webhooks.webhook_act,
            {"action": action},
            name=f"webhook-{action}",
        )
        for action in webhooks.ACTIONS
    ],
    path("settings/tokens/", tokens.token_list, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("settings/tokens/all/", tokens.token_all, name="tokens-all"),
    # The REST API (roles/api/): its own authentication, JSON errors, OpenAPI schema.
    path("api/v1/", include("roles.api.urls")),
    path("api/", include([re_path(r"^.*$", login_not_required(api_not_found))])),
]

if settings.ROLECALL_OIDC:
    from mozilla_django_oidc.views import (
        OIDCAuthenticationCallbackView,
        OIDCAuthenticationRequestView,
    )

    urlpatterns += [
        path(
            "oidc/authenticate/",
            login_not_required(OIDCAuthenticationRequestView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "oidc/callback/",
            login_not_required(OIDCAuthenticationCallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
    ]
