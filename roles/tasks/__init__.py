"""Celery tasks, one module per feature. Names are explicit and stable: a
renamed task would strand messages already queued during a deploy."""

from roles.tasks.audit import verify_chain
from roles.tasks.campaigns import advance_campaign
from roles.tasks.changes import apply_change
from roles.tasks.cleanup import cleanup_region, sweep_cleanups
from roles.tasks.deletions import poll_deletion, submit_deletion
from roles.tasks.health import ping
from roles.tasks.organizations import discover_all_organizations, discover_organization
from roles.tasks.outbound import send_email, send_webhook
from roles.tasks.sweeper import sweep
from roles.tasks.sync import sync_account, sync_all_accounts

__all__ = [
    "advance_campaign",
    "apply_change",
    "cleanup_region",
    "discover_all_organizations",
    "discover_organization",
    "ping",
    "send_email",
    "send_webhook",
    "poll_deletion",
    "submit_deletion",
    "sweep",
    "sweep_cleanups",
    "sync_account",
    "sync_all_accounts",
    "verify_chain",
]
