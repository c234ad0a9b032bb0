"""The words the code uses for rows, said once: which roles are live, which
changes and syncs are still active, which clusters block a role's deletion."""

from __future__ import annotations

from django.db import models


class ActiveQuerySet(models.QuerySet):
    """Rows of a model that lists its unfinished states in ACTIVE (on the field STATE_FIELD)."""

    def active(self) -> ActiveQuerySet:
        return self.filter(**{f"{self.model.STATE_FIELD}__in": self.model.ACTIVE})


class RoleQuerySet(models.QuerySet):
    def live(self) -> RoleQuerySet:
        """Roles that exist in AWS as far as the last sync saw (present or recreated)."""
        return self.filter(state__in=self.model.LIVE)


class ClusterQuerySet(models.QuerySet):
    def blocking(self) -> ClusterQuerySet:
        """Clusters that keep AWSServiceRoleForECS in use: every one not INACTIVE."""
        from roles.aws.ecs import INACTIVE

        return self.exclude(status=INACTIVE)
