"""rolecall's models, one module per feature."""

from roles.models.audit import AuditEvent, Outcome
from roles.models.health import HealthPing

__all__ = ["AuditEvent", "HealthPing", "Outcome"]
