"""Every audit action name, with the label the audit page shows.

Features add their actions here; the audit page's action filter is built from
this list (a DISTINCT over millions of rows would not be).
"""

ACTIONS: dict[str, str] = {
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login_failed": "Failed sign-in",
    "auth.denied": "Permission denied",
    "account.added": "Account added",
    "account.changed": "Account changed",
    "account.connection_tested": "Account connection tested",
    "sync.started": "Sync started",
    "sync.finished": "Sync finished",
    "role.created": "Service-linked role created",
    "role.description_edited": "Role description edited",
    "role.recreated": "Role recreated",
    "deletion.requested": "Deletion requested",
    "deletion.confirmed": "Deletion confirmed",
    "deletion.approved": "Deletion approved",
    "deletion.rejected": "Deletion rejected",
    "deletion.submitted": "Deletion submitted",
    "deletion.status_changed": "Deletion status changed",
    "deletion.succeeded": "Deletion succeeded",
    "deletion.failed": "Deletion failed",
    "deletion.retried": "Deletion retried",
    "notification.read": "Notification marked read",
    "audit.exported": "Audit export downloaded",
    "audit.pruned": "Audit history pruned (checkpoint)",
    "audit.verified": "Audit chain verified",
}
