"""Build a cleanup plan from a fresh inventory: read-only, nothing changes in AWS.

The order is the one the AWS ECS guide gives, cluster by cluster in every
region: scale each service to desiredCount=0 and delete it, force-deregister
each container instance, wait for the services to drain, delete the cluster.
Executing the stored steps is roles/cleanup/run.py's job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count

from roles.aws import ecs
from roles.aws.account import AccountAws
from roles.aws.inventory import FULL, RegionInventory, read_ecs
from roles.cleanup.kind import CLEANUP, CleanupRefused
from roles.cleanup.models import CleanupPlan, CleanupRegion, CleanupStep
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.protection import role_protection

Action = CleanupStep.Action
PROTECT_TAG = "rolecall:protect"


def refuse_unless_plannable(role: ServiceLinkedRole) -> None:
    if not role.is_service_linked or not role.checks_ecs:
        raise CleanupRefused(
            "rolecall plans cleanups for AWSServiceRoleForECS only: the ECS resources "
            "that keep it in use are the ones it inventories."
        )
    if not role.is_live:
        raise CleanupRefused(f"The role is {role.get_state_display().lower()}.")
    role.account.refuse_changes(CleanupRefused)


def read_inventory(aws: AccountAws) -> list[RegionInventory]:
    """Every scanned region of the account, each cluster whole (every page of every list),
    INACTIVE clusters left out."""
    regions = read_ecs(
        aws,
        sorted(aws.regions()),
        depth=FULL,
        region_threads=settings.ROLECALL_SYNC_ECS_CONCURRENCY,
        region_thread_name="cleanup-plan",
    )
    for item in regions:
        if item.clusters is not None:
            item.clusters = [c for c in item.clusters if c.live]
    return regions


def cluster_protection(cluster: ecs.Cluster) -> str | None:
    # Key and value regardless of case or surrounding spaces: ECS tag keys are
    # case-sensitive, so `Rolecall:Protect=TRUE` is a different tag to AWS, but
    # whoever wrote it meant to protect the cluster (also used by cleanup/run.py).
    for key, value in cluster.tags.items():
        if key.strip().casefold() == PROTECT_TAG and value.strip().casefold() == "true":
            return f"The cluster is tagged {PROTECT_TAG}=true."
    return None


def _cluster_steps(cluster: ecs.Cluster) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    services = [s for s in cluster.services if s.live]
    for service in services:
        steps.append((Action.SCALE_DOWN, service.arn))
        steps.append((Action.DELETE_SERVICE, service.arn))
    for instance in cluster.instances:
        if instance.live:
            steps.append((Action.DEREGISTER, instance.arn))
    if services:
        steps.append((Action.WAIT_FOR_DRAIN, cluster.arn))
    steps.append((Action.DELETE_CLUSTER, cluster.arn))
    return steps


def _steps(plan, row: CleanupRegion, clusters, role_reason: str | None, notes: list[str]):
    rows, order = [], 0
    for cluster in sorted(clusters, key=lambda c: c.name):
        reason = role_reason or cluster_protection(cluster)
        if reason and not role_reason:
            notes.append(
                f"{row.region}: cluster {cluster.name} is left alone ({reason}); "
                f"the role stays in use in {row.region}."
            )
        for action, arn in _cluster_steps(cluster):
            order += 1
            rows.append(
                CleanupStep(
                    plan=plan,
                    region=row,
                    order=order,
                    action=action,
                    resource_arn=arn,
                    cluster_arn=cluster.arn,
                    status=CleanupStep.Status.SKIPPED if reason else CleanupStep.Status.PENDING,
                    note=f"Protected: {reason}" if reason else "",
                )
            )
    return rows


def _count(row: CleanupRegion, steps: list[CleanupStep]) -> None:
    """The region's counts as its page shows them (the steps never change after this)."""
    per_action = Counter(s.action for s in steps)
    row.step_total = len(steps)
    row.step_actions = {a: per_action[a] for a in Action.values if per_action[a]}
    row.cluster_total = len({s.cluster_arn for s in steps})
    row.save(update_fields=["step_total", "step_actions", "cluster_total"])


def build(role: ServiceLinkedRole, *, user, request=None) -> tuple[CleanupPlan, bool]:
    """Read the inventory and store the plan (a dry run). Returns (plan, created).

    A plan being approved or executed is returned as it is; an earlier dry run
    of the same role is superseded by the new one.
    """
    refuse_unless_plannable(role)
    dry_run = CleanupPlan.State.PLANNED
    active = role.cleanups.active().exclude(state=dry_run).first()
    if active:
        return active, False
    aws = AccountAws.for_account(role.account)
    inventory = read_inventory(aws)
    role_reason = role_protection(role)
    notes = [f"Protected: {role_reason} No step will run."] if role_reason else []
    try:
        with transaction.atomic():
            role.cleanups.filter(state=dry_run).update(state=CleanupPlan.State.SUPERSEDED)
            plan = CleanupPlan.objects.create(
                role=role,
                account=role.account,
                role_arn=role.arn,
                role_name=role.name,
                requested_by=user,
                requested_by_name=user.get_username(),
                inventory_calls=aws.calls,
            )
            steps = _regions(plan, inventory, role_reason, notes)
            CleanupStep.objects.bulk_create(steps, batch_size=1000)
            plan.protected_notes = notes
            plan.save(update_fields=["protected_notes"])
            CLEANUP.audit(
                plan,
                "planned",
                user=user,
                request=request,
                steps=dict(Counter(s.action for s in steps)),
                skipped=sum(1 for s in steps if s.status == "skipped"),
                regions=[i.region for i in inventory],
                notes=notes,
                inventory_calls=aws.calls,
            )
    except IntegrityError:
        # Another operator's plan got there first: show theirs.
        return role.cleanups.active().get(), False
    return plan, True


def _regions(plan: CleanupPlan, inventory, role_reason: str, notes: list[str]) -> list:
    """A row per region read, and the steps of each (not saved yet); a region that could
    not be read is in the plan with no step, and a note says so."""
    steps = []
    for item in inventory:
        row = CleanupRegion.objects.create(
            plan=plan,
            region=item.region,
            state=CleanupRegion.State.UNREAD if item.clusters is None else "pending",
            read_error=item.error,
        )
        if item.clusters is None:
            notes.append(
                f"{item.region} could not be read: {item.error.get('code')} "
                f"(request id {item.error.get('request_id') or 'none'}); "
                "nothing there is in this plan."
            )
            continue
        found = _steps(plan, row, item.clusters, role_reason, notes)
        _count(row, found)
        steps += found
    return steps


# --- what the plan page shows ---------------------------------------------------


@dataclass
class RegionSummary:
    row: CleanupRegion
    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    actions: dict = field(default_factory=dict)
    clusters: int = 0

    @property
    def finished(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


def summary(plan: CleanupPlan) -> tuple[list[RegionSummary], dict]:
    """Per region: its steps by action and by status, and the plan's totals. The
    counts by action were kept when the plan was built; the finished steps are
    counted on the (region, status, order) index, pending ones never read."""
    regions = {
        r.pk: RegionSummary(
            r, total=r.step_total, actions=dict(r.step_actions), clusters=r.cluster_total
        )
        for r in plan.regions.all()
    }
    Status = CleanupStep.Status
    finished = (
        CleanupStep.objects.filter(
            region__in=list(regions), status__in=[Status.DONE, Status.SKIPPED, Status.FAILED]
        )
        .order_by()
        .values("region_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in finished:
        item = regions[row["region_id"]]
        setattr(item, row["status"], getattr(item, row["status"]) + row["n"])
    items = sorted(regions.values(), key=lambda r: r.row.region)
    totals = {
        "total": sum(r.total for r in items),
        "done": sum(r.done for r in items),
        "skipped": sum(r.skipped for r in items),
        "failed": sum(r.failed for r in items),
        "clusters": sum(r.clusters for r in items),
        "actions": dict(sum((Counter(r.actions) for r in items), Counter())),
    }
    totals["finished"] = totals["done"] + totals["skipped"] + totals["failed"]
    return items, totals
