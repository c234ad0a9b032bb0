"""What keeps each non-ECS service-linked role in use, per account, service and region,
as the last sync read it (roles/aws/blockers.py). Written only by roles/sync/store.py.

ECS keeps its deeper model (roles/models/inventory.py): its cleanup needs the
services and container instances of each cluster.
"""

from django.db import models


class RegionRead(models.Model):
    """When a region was last read, and whether the last read failed (then what was
    read before is kept, marked stale, with the AWS error). EcsRegion and ServiceRegion."""

    synced_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False)
    error = models.JSONField(default=dict, blank=True)
    error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ServiceRegion(RegionRead):
    """One service's read of one region of one account (region "global" for a read that
    is not per region)."""

    account = models.ForeignKey(
        "roles.Account", on_delete=models.CASCADE, related_name="service_regions"
    )
    principal = models.CharField(max_length=255)
    region = models.CharField(max_length=32)

    class Meta:
        ordering = ["principal", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "principal", "region"], name="one_service_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.principal}/{self.region}"


class ServiceResource(models.Model):
    """A resource that the service's guide says keeps its role in use."""

    region = models.ForeignKey(ServiceRegion, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=64)
    arn = models.CharField(max_length=2048)
    name = models.CharField(max_length=512, blank=True)
    status = models.CharField(max_length=64, blank=True)
    # The role the resource names (Auto Scaling groups, Config recorders): it blocks
    # only that role. Blank: it blocks the service's role, whichever it is.
    role_arn = models.CharField(max_length=2048, blank=True)

    class Meta:
        ordering = ["kind", "name", "arn"]

    def __str__(self) -> str:
        return self.arn
