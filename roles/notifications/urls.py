from django.urls import path

from roles.notifications.views import inbox, preferences, webhooks

urlpatterns = [
    path("notifications/", inbox.notification_list, name="notifications"),
    path("notifications/badge/", inbox.badge, name="notification-badge"),
    path("notifications/read-all/", inbox.mark_all_read, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", inbox.mark_read, name="notification-read"),
    # By email and webhook: where each kind goes, and the team's receivers.
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
]
