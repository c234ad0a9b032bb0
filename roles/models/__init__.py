"""rolecall's models, one module per feature."""

from roles.models.health import HealthPing

__all__ = ["HealthPing"]
