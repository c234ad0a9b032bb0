"""Celery tasks, one module per feature. Names are explicit and stable: a
renamed task would strand messages already queued during a deploy."""

from roles.tasks.audit import verify_chain
from roles.tasks.health import ping

__all__ = ["ping", "verify_chain"]
