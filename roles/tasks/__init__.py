"""Celery tasks, one module per feature. Names are explicit and stable: a
renamed task would strand messages already queued during a deploy."""

from roles.tasks.audit import verify_chain
from roles.tasks.deletions import poll_deletion, submit_deletion
from roles.tasks.health import ping
from roles.tasks.sweeper import sweep
from roles.tasks.sync import sync_account, sync_all_accounts

__all__ = [
    "ping",
    "poll_deletion",
    "submit_deletion",
    "sweep",
    "sync_account",
    "sync_all_accounts",
    "verify_chain",
]
