"""Every audit action name, with the label the audit page shows.

Features add their actions here; the audit page's action filter is built from
this list (a DISTINCT over millions of rows would not be).
"""

ACTIONS: dict[str, str] = {
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login_failed": "Failed sign-in",
    "auth.denied": "Permission denied",
    "auth.reauthenticated": "Password re-entered",
    "auth.reauth_failed": "Failed password re-entry",
    "auth.locked_out": "Sign-in locked out",
    "account.added": "Account added",
    "account.changed": "Account changed",
    "account.connection_tested": "Account connection tested",
    "sync.started": "Sync started",
    "sync.finished": "Sync finished",
    "sync.redispatched": "Sync re-dispatched by the sweeper",
    "role.created": "Service-linked role created",
    "role.description_edited": "Role description edited",
    "role.recreated": "Role recreated",
    "deletion.requested": "Deletion requested",
    "deletion.confirmed": "Deletion confirmed",
    "deletion.approved": "Deletion approved",
    "deletion.rejected": "Deletion rejected",
    "deletion.approval_voided": "Approval voided (evidence changed)",
    "deletion.refused": "Deletion refused (protected)",
    "deletion.submitted": "Deletion submitted",
    "deletion.status_changed": "Deletion status changed",
    "deletion.succeeded": "Deletion succeeded",
    "deletion.failed": "Deletion failed",
    "deletion.retried": "Deletion retried",
    "deletion.redispatched": "Deletion re-dispatched by the sweeper",
    "notification.read": "Notification marked read",
    "audit.exported": "Audit export downloaded",
    "protection.changed": "Protected list changed",
    "audit.pruned": "Audit history pruned (checkpoint)",
    "audit.verified": "Audit chain verified",
}
