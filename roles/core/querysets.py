"""Which rows are still active, said once for every model that lists its
unfinished states (roles/inventory/models.py says which roles are live)."""

from __future__ import annotations

from django.db import models


class ActiveQuerySet(models.QuerySet):
    """Rows of a model that lists its unfinished states in ACTIVE (on the field STATE_FIELD)."""

    def active(self) -> ActiveQuerySet:
        return self.filter(**{f"{self.model.STATE_FIELD}__in": self.model.ACTIVE})
