"""What the last sync saw in AWS: service-linked roles and the ECS resources
that keep AWSServiceRoleForECS in use. Written only by roles/inventory/sync/store.py."""

from __future__ import annotations

from django.db import models

from roles.aws.ecs import INACTIVE


class RoleQuerySet(models.QuerySet):
    def live(self) -> RoleQuerySet:
        """Roles that exist in AWS as far as the last sync saw (present or recreated)."""
        return self.filter(state__in=self.model.LIVE)


class ClusterQuerySet(models.QuerySet):
    def blocking(self) -> ClusterQuerySet:
        """Clusters that keep AWSServiceRoleForECS in use: every one not INACTIVE."""
        return self.exclude(status=INACTIVE)


class RegionRead(models.Model):
    """When a region was last read, and whether the last read failed (then what was
    read before is kept, marked stale, with the AWS error). EcsRegion and ServiceRegion."""

    synced_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False)
    error = models.JSONField(default=dict, blank=True)
    error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


ECS_PRINCIPAL = "ecs.amazonaws.com"


class ServiceLinkedRole(models.Model):
    class State(models.TextChoices):
        PRESENT = "present"
        GONE = "gone"  # seen before, missing from the latest sync
        DELETED = "deleted"  # deleted through rolecall
        RECREATED = "recreated"  # deleted through rolecall, then seen again

    # In AWS as far as the last sync saw: the states a deletion or cleanup starts from.
    LIVE = (State.PRESENT, State.RECREATED)

    account = models.ForeignKey("roles.Account", on_delete=models.CASCADE, related_name="roles")
    # The account's name, kept with the role (roles/inventory/summary.py rename()) so the list
    # sorts by account through one index instead of a join over every row.
    account_name = models.CharField(max_length=100, default="")
    arn = models.CharField(max_length=2048, unique=True)
    name = models.CharField(max_length=512)
    path = models.CharField(max_length=512)
    service_principal = models.CharField(max_length=255)
    role_id = models.CharField(max_length=128, blank=True)
    description = models.TextField(blank=True)
    aws_created_at = models.DateTimeField(null=True, blank=True)
    max_session_duration = models.PositiveIntegerField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True)
    trust_policy = models.JSONField(default=dict, blank=True)
    # [{"arn", "name", "version_id", "document"}] for each attached managed policy.
    permissions = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PRESENT)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_synced = models.DateTimeField(null=True, blank=True)
    gone_since = models.DateTimeField(null=True, blank=True)
    advisor_synced_at = models.DateTimeField(null=True, blank=True)
    advisor_error = models.JSONField(default=dict, blank=True)
    # Kept by the sync (roles/inventory/sync/store.py) so the role list filters and
    # sorts on them without a join: the resources that block the role (every
    # service rolecall reads), the regions they are in, regions whose data is
    # stale or missing, and the verdict (roles/inventory/readiness.py) they add up to.
    blocker_count = models.PositiveIntegerField(default=0)
    blocked_regions = models.PositiveIntegerField(default=0)
    unknown_regions = models.PositiveIntegerField(default=0)
    verdict = models.CharField(max_length=16, default="unknown")
    # Lower-case ARN, service and account name: what the list's search box matches
    # (a trigram index on PostgreSQL, migration 0014).
    search = models.TextField(default="", blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["account_name", "name", "pk"]
        # One index per sort of the role list (roles/inventory/listing.py), ending in
        # (name, id) so a keyset page is a walk along it. Last used is indexed in
        # migration 0014: PostgreSQL needs NULLS FIRST spelled out, SQLite refuses it.
        indexes = [
            models.Index(fields=["state", "last_used_at"], name="slr_state_last_used"),
            # The service sort, and the service filter (one principal) in the default order.
            models.Index(
                fields=["service_principal", "account_name", "name", "id"],
                name="slr_principal_by_account",
            ),
            models.Index(fields=["verdict", "state"], name="slr_verdict_state"),
            models.Index(fields=["account_name", "name", "id"], name="slr_by_account"),
            # The Readiness filter in the list's default order, without a sort.
            models.Index(
                fields=["verdict", "account_name", "name", "id"], name="slr_verdict_by_account"
            ),
            models.Index(fields=["name", "id"], name="slr_by_name"),
            models.Index(fields=["blocker_count", "name", "id"], name="slr_by_blockers"),
            models.Index(fields=["state", "name", "id"], name="slr_by_state"),
        ]

    def __str__(self) -> str:
        return self.arn

    def audit_target(self) -> tuple[str, str]:
        """(target ARN, AWS account id) its audit events and refusals name."""
        return self.arn, self.account.aws_account_id

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE

    @property
    def is_service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")

    @property
    def checks_ecs(self) -> bool:
        return self.service_principal == ECS_PRINCIPAL


class AccessAdvisorEntry(models.Model):
    role = models.ForeignKey(ServiceLinkedRole, on_delete=models.CASCADE, related_name="advisor")
    namespace = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    last_authenticated = models.DateTimeField(null=True, blank=True)
    region = models.CharField(max_length=32, blank=True)
    entity = models.CharField(max_length=2048, blank=True)
    total_entities = models.PositiveIntegerField(default=0)
    # [{"name", "last_accessed", "region", "entity"}] at ACTION_LEVEL.
    actions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-last_authenticated", "namespace"]

    def __str__(self) -> str:
        return f"{self.namespace} for {self.role_id}"


class EcsRegion(RegionRead):
    """One region of one account, as last synced. On a failed sync the rows
    below are kept and the region is marked stale with the error."""

    account = models.ForeignKey(
        "roles.Account", on_delete=models.CASCADE, related_name="ecs_regions"
    )
    region = models.CharField(max_length=32)

    class Meta:
        ordering = ["region"]
        constraints = [
            models.UniqueConstraint(fields=["account", "region"], name="one_ecs_region_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.region}"


class EcsCluster(models.Model):
    region = models.ForeignKey(EcsRegion, on_delete=models.CASCADE, related_name="clusters")
    arn = models.CharField(max_length=2048)
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=32)
    registered_instances = models.PositiveIntegerField(default=0)
    running_tasks = models.PositiveIntegerField(default=0)
    pending_tasks = models.PositiveIntegerField(default=0)
    active_services = models.PositiveIntegerField(default=0)
    tags = models.JSONField(default=dict, blank=True)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # A region's clusters a page at a time (roles/inventory/views/resources.py).
        indexes = [models.Index(fields=["region", "name", "id"], name="ecs_cluster_by_name")]

    def __str__(self) -> str:
        return self.arn

    @property
    def blocks(self) -> bool:
        return self.status != INACTIVE


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
