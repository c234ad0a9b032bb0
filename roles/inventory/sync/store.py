"""Write one account's snapshot to the database in a single transaction.

Regions that failed keep their previous rows, marked stale with the error;
roles missing from a complete listing are marked gone; roles deleted through
rolecall that reappear are flagged recreated.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from django.db import transaction
from django.utils import timezone

from roles.aws.blockers import GLOBAL
from roles.core.models import Account
from roles.inventory.models import (
    AccessAdvisorEntry,
    EcsCluster,
    EcsRegion,
    ServiceLinkedRole,
    ServiceRegion,
    ServiceResource,
)
from roles.inventory.summary import search_text, summarise
from roles.inventory.sync.collect import AccountSnapshot, RegionSnapshot, RoleSnapshot

State = ServiceLinkedRole.State
ROLE_FIELDS = [
    "name",
    "path",
    "service_principal",
    "role_id",
    "description",
    "aws_created_at",
    "max_session_duration",
    "last_used_at",
    "last_used_region",
    "trust_policy",
    "permissions",
    "tags",
    "account_name",
    "search",
    "state",
    "last_synced",
    "gone_since",
    "advisor_synced_at",
    "advisor_error",
]


@dataclass
class StoreResult:
    roles_seen: int = 0
    roles_new: int = 0
    roles_gone: list[str] = field(default_factory=list)
    roles_recreated: list[ServiceLinkedRole] = field(default_factory=list)
    clusters: int = 0
    regions_ok: int = 0
    regions_failed: int = 0
    service_resources: int = 0
    service_reads_failed: int = 0


def _columns(item, *nested: str) -> dict:
    """A roles/aws/ecs.py dataclass as model columns: its fields carry the model's
    names (EcsCluster), nested lists left out (a cluster's services and container
    instances are read from AWS when a page opens them, roles/inventory/views/resources.py)."""
    return {f.name: getattr(item, f.name) for f in fields(item) if f.name not in nested}


def _apply_role(role: ServiceLinkedRole, snap: RoleSnapshot, now) -> None:
    detail = snap.detail
    summary = detail.summary
    role.name, role.path, role.role_id = summary.name, summary.path, summary.role_id
    role.service_principal = summary.service_principal
    role.description = summary.description
    role.aws_created_at = summary.created
    role.max_session_duration = detail.max_session_duration
    role.last_used_at, role.last_used_region = detail.last_used_at, detail.last_used_region
    role.trust_policy, role.tags = detail.trust_policy, detail.tags
    if snap.policies is not None:  # None: not read this time (the role's error), kept
        role.permissions = [
            {"arn": p.arn, "name": p.name, "version_id": p.version_id, "document": p.document}
            for p in snap.policies
        ]
    role.last_synced, role.gone_since = now, None
    if snap.advisor is not None:
        role.advisor_synced_at, role.advisor_error = now, {}
    elif snap.advisor_error:
        role.advisor_error = snap.advisor_error


def _advisor_rows(role: ServiceLinkedRole, snap: RoleSnapshot) -> list[AccessAdvisorEntry]:
    return [
        AccessAdvisorEntry(
            role=role,
            namespace=s.namespace,
            name=s.name,
            last_authenticated=s.last_authenticated,
            region=s.region,
            entity=s.entity or "",
            total_entities=s.total_entities,
            actions=[
                {
                    "name": a.name,
                    "last_accessed": a.last_accessed.isoformat() if a.last_accessed else None,
                    "region": a.region,
                    "entity": a.entity,
                }
                for a in s.actions
            ],
        )
        for s in snap.advisor or []
    ]


def _store_roles(account: Account, snapshot: AccountSnapshot, now, result: StoreResult) -> None:
    existing = {r.arn: r for r in ServiceLinkedRole.objects.filter(account=account)}
    seen, new, changed, advisor = set(), [], [], {}
    for snap in snapshot.roles:
        arn = snap.summary.arn
        seen.add(arn)
        if snap.detail is None:
            continue  # could not be read this time: keep what we had
        role = existing.get(arn)
        if role is None:
            role = ServiceLinkedRole(account=account, arn=arn, state=State.PRESENT)
            new.append(role)
        else:
            if role.state == State.DELETED:
                role.state = State.RECREATED
                result.roles_recreated.append(role)
            elif role.state == State.GONE:
                role.state = State.PRESENT
            changed.append(role)
        _apply_role(role, snap, now)
        role.account_name = account.name
        role.search = search_text(arn, role.service_principal, account.name)
        if snap.advisor is not None:
            advisor[arn] = snap
    for arn, role in existing.items():
        if arn not in seen and role.is_live:
            role.state, role.gone_since = State.GONE, now
            changed.append(role)
            result.roles_gone.append(arn)
    ServiceLinkedRole.objects.bulk_create(new)
    ServiceLinkedRole.objects.bulk_update(changed, ROLE_FIELDS)
    by_arn = {r.arn: r for r in [*new, *changed]}
    AccessAdvisorEntry.objects.filter(role__in=[by_arn[a] for a in advisor]).delete()
    AccessAdvisorEntry.objects.bulk_create(
        [row for arn, snap in advisor.items() for row in _advisor_rows(by_arn[arn], snap)]
    )
    result.roles_seen, result.roles_new = len(seen), len(new)


def _store_region(account: Account, snap: RegionSnapshot, now, result: StoreResult) -> None:
    region, _ = EcsRegion.objects.get_or_create(account=account, region=snap.region)
    if snap.clusters is None:
        region.stale, region.error, region.error_at = True, snap.error, now
        region.save(update_fields=["stale", "error", "error_at"])
        result.regions_failed += 1
        return
    region.clusters.all().delete()
    EcsCluster.objects.bulk_create(
        EcsCluster(region=region, **_columns(c, "services", "instances")) for c in snap.clusters
    )
    region.synced_at, region.stale, region.error, region.error_at = now, False, {}, None
    region.save(update_fields=["synced_at", "stale", "error", "error_at"])
    result.clusters += sum(1 for c in snap.clusters if c.live)
    result.regions_ok += 1


def _store_services(account: Account, snapshot: AccountSnapshot, now, result: StoreResult) -> None:
    """Every other service's reads, in a constant number of queries: a region read
    replaces that region's resources; a failed one keeps them, marked stale."""
    existing = {(r.principal, r.region): r for r in ServiceRegion.objects.filter(account=account)}
    fresh, rows = [], []
    for read in snapshot.service_results:
        row = existing.get((read.principal, read.region))
        if row is None:
            row = ServiceRegion(account=account, principal=read.principal, region=read.region)
            fresh.append(row)
        rows.append((row, read))
    ServiceRegion.objects.bulk_create(fresh)
    ok = [row for row, read in rows if read.resources is not None]
    ServiceResource.objects.filter(region__in=[row for row in ok if row.pk]).delete()
    resources = []
    for row, read in rows:
        if read.resources is None:
            row.stale, row.error, row.error_at = True, read.error, now
            result.service_reads_failed += 1
            continue
        row.synced_at, row.stale, row.error, row.error_at = now, False, {}, None
        resources += [ServiceResource(region=row, **_columns(r)) for r in read.resources]
    ServiceRegion.objects.bulk_update(
        [row for row, _ in rows], ["synced_at", "stale", "error", "error_at"]
    )
    ServiceResource.objects.bulk_create(resources)
    result.service_resources = len(resources)


def refresh_blockers(account: Account) -> None:
    """Recompute the denormalised blocker counts and verdicts of the account's roles."""
    from roles.inventory.readiness import AccountUsage, readiness

    usages = AccountUsage(account)
    roles = list(ServiceLinkedRole.objects.filter(account=account).select_related("account"))
    for role in roles:
        usage = usages.for_role(role)
        verdict = readiness(role, usage)
        role.verdict = verdict.verdict
        role.blocker_count = verdict.usage.blocker_count
        role.blocked_regions = len(verdict.usage.blocked)
        role.unknown_regions = len(verdict.usage.unknown)
    ServiceLinkedRole.objects.bulk_update(
        roles, ["blocker_count", "blocked_regions", "unknown_regions", "verdict"]
    )
    summarise([account])


def store(account: Account, snapshot: AccountSnapshot) -> StoreResult:
    now = timezone.now()
    result = StoreResult()
    with transaction.atomic():
        _store_roles(account, snapshot, now, result)
        for region_snap in snapshot.region_results:
            _store_region(account, region_snap, now, result)
        _store_services(account, snapshot, now, result)
        # Regions no longer scanned (the account's region list was narrowed).
        EcsRegion.objects.filter(account=account).exclude(region__in=snapshot.regions).delete()
        ServiceRegion.objects.filter(account=account).exclude(
            region__in=[*snapshot.regions, GLOBAL]
        ).delete()
        # Services no role of the account belongs to any more: nothing to say about them.
        ServiceRegion.objects.filter(account=account).exclude(
            principal__in={read.principal for read in snapshot.service_results}
        ).delete()
        refresh_blockers(account)
    return result
