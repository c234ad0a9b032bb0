"""Would deleting this role work now? The predicted RoleUsageList and a verdict.

Each service's guide says what keeps its role in use (roles/inventory/rules.py, cited in
docs/readiness.md). For every service rolecall reads (ECS through its clusters,
the others through roles/aws/blockers.py), the last sync's resources predict the
RoleUsageList AWS would report, per region. A region whose last read failed makes
the prediction uncertain, and the verdict says so: nothing unseen is ever called
safe.

Verdicts:
- ready: nothing found in any region, every region read (with what and when);
- blocked: resources found (per region, with ARNs);
- unknown: nothing found, but some region could not be read (or none was yet);
- not_deletable: AWS does not allow deleting the role (its guide says so, or the
  organization's feature set makes it so) and rolecall refuses to ask
  (roles/deletion/kind.py);
- not_checked: a service rolecall does not read, or whose blockers it cannot see
  from the account (CloudTrail's trusted access): AWS's own check decides;
- absent: the role no longer exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from roles.aws.blockers import GLOBAL, STATES, reader_for, regions_for, uses
from roles.core.models import Account
from roles.inventory.models import (
    ECS_PRINCIPAL,
    EcsCluster,
    EcsRegion,
    ServiceLinkedRole,
    ServiceRegion,
    ServiceResource,
)
from roles.inventory.rules import Rule, forbidden, rule_for

VERDICTS = {
    "ready": "can be deleted now",
    "blocked": "blocked",
    "unknown": "cannot tell",
    "not_checked": "not checked",
    "not_deletable": "not deletable",
}


@dataclass
class RegionUsage:
    region: str
    items: list  # EcsCluster or ServiceResource rows, each with .arn

    @property
    def resources(self) -> list[str]:
        return [item.arn for item in self.items]

    @property
    def clusters(self) -> list:
        """For ECS, where the items are the blocking clusters."""
        return self.items


@dataclass
class Usage:
    blocked: list[RegionUsage] = field(default_factory=list)
    unknown: list = field(default_factory=list)  # EcsRegion or ServiceRegion rows
    synced_regions: int = 0
    regions: list[str] = field(default_factory=list)  # every region the verdict rests on
    checked_at: datetime | None = None  # the oldest region read that the verdict rests on
    states: list[str] = field(default_factory=list)  # the account's states a read reported

    def role_usage_list(self) -> list[dict]:
        """In the shape GetServiceLinkedRoleDeletionStatus reports it."""
        return [{"Region": r.region, "Resources": r.resources} for r in self.blocked]

    @property
    def blocker_count(self) -> int:
        return sum(len(r.items) for r in self.blocked)


@dataclass
class Readiness:
    verdict: str  # ready | blocked | unknown | not_checked | not_deletable | absent
    text: str
    usage: Usage
    rule: Rule | None = None  # what the service's guide says blocks the role
    warning: str = ""  # AWS's own caution about this verdict, quoted (rules.State)
    warning_source: str = ""


# A region the account is set to scan that no read has reached yet (added since the last
# sync): shown as not checked, with this in place of an AWS error.
NOT_READ = {"code": "NotReadYet", "message": "not read yet: added since the last sync"}


def _with_missing(regions: list, expected: list[str], model) -> list:
    """The region reads, plus an unsaved one for each expected region with none."""
    have = {r.region for r in regions}
    return regions + [model(region=r, error=NOT_READ) for r in expected if r not in have]


def _usage(regions: list, items: list) -> Usage:
    """regions: the read of each region; items: the blocking rows, each with .region (and
    the account's states a reader reported, which block nothing)."""
    states = sorted({i.kind for i in items if getattr(i, "kind", "") in STATES})
    items = [i for i in items if getattr(i, "kind", "") not in STATES]
    by_region: dict[str, RegionUsage] = {}
    for item in sorted(items, key=lambda i: (i.region.region, i.arn)):
        by_region.setdefault(item.region.region, RegionUsage(item.region.region, [])).items.append(
            item
        )
    read = [r.synced_at for r in regions if r.synced_at]
    return Usage(
        blocked=list(by_region.values()),
        unknown=[r for r in regions if r.stale or r.synced_at is None],
        synced_regions=len(regions),
        regions=[r.region for r in regions],
        checked_at=min(read) if read else None,
        states=states,
    )


def ecs_usage(account: Account) -> Usage:
    read = list(EcsRegion.objects.filter(account=account))
    by_id = {region.pk: region for region in read}
    # The clusters take their region from the rows just read, not from a join that would
    # build (and decode the error of) one region per cluster: every blocking cluster of
    # the account is read here, for the predicted RoleUsageList. Their tags are not needed.
    clusters = list(EcsCluster.objects.filter(region__in=read).blocking().defer("tags"))
    for cluster in clusters:
        cluster.region = by_id[cluster.region_id]
    return _usage(_with_missing(read, account.regions, EcsRegion), clusters)


class AccountUsage:
    """Every checked service's usage in one account, read in three queries, for the
    roles of that account (the sync's refresh of the role counts, and one role page)."""

    def __init__(self, account: Account, principals: set[str] | None = None, *, rows=None) -> None:
        self.account = account
        if rows is None:
            regions = ServiceRegion.objects.filter(account=account)
            resources = ServiceResource.objects.filter(region__account=account).select_related(
                "region"
            )
            if principals is not None:
                regions = regions.filter(principal__in=principals)
                resources = resources.filter(region__principal__in=principals)
            rows = (regions, resources, None)
        regions, resources, self._ecs = rows
        self._regions: dict[str, list] = defaultdict(list)
        for region in regions:
            self._regions[region.principal].append(region)
        self._resources: dict[str, list] = defaultdict(list)
        for resource in resources:
            self._resources[resource.region.principal].append(resource)

    @classmethod
    def many(cls, accounts: list[Account]) -> dict[int, AccountUsage]:
        """The usage of several accounts, in five queries whatever their number."""
        ids = [a.pk for a in accounts]
        regions, resources = defaultdict(list), defaultdict(list)
        for region in ServiceRegion.objects.filter(account__in=ids):
            regions[region.account_id].append(region)
        for resource in ServiceResource.objects.filter(region__account__in=ids).select_related(
            "region"
        ):
            resources[resource.region.account_id].append(resource)
        ecs_regions = defaultdict(list)
        for region in EcsRegion.objects.filter(account__in=ids):
            ecs_regions[region.account_id].append(region)
        by_id = {r.pk: r for rs in ecs_regions.values() for r in rs}
        clusters = defaultdict(list)
        for cluster in EcsCluster.objects.filter(region__in=list(by_id)).blocking().defer("tags"):
            cluster.region = by_id[cluster.region_id]
            clusters[cluster.region.account_id].append(cluster)
        return {
            a.pk: cls(
                a,
                rows=(
                    regions[a.pk],
                    resources[a.pk],
                    _usage(_with_missing(ecs_regions[a.pk], a.regions, EcsRegion), clusters[a.pk]),
                ),
            )
            for a in accounts
        }

    def for_role(self, role: ServiceLinkedRole) -> Usage | None:
        """The role's usage, or None for a service rolecall does not read."""
        if role.service_principal == ECS_PRINCIPAL:
            if self._ecs is None:
                self._ecs = ecs_usage(self.account)
            return self._ecs
        reader = reader_for(role.service_principal)
        if reader is None:
            return None
        items = self._resources[role.service_principal]
        if reader.per_role:
            items = [i for i in items if uses(i.role_arn, role.arn)]
        expected = regions_for(reader, self.account.regions)
        regions = _with_missing(self._regions[role.service_principal], expected, ServiceRegion)
        return _usage(regions, items)


ECS_READS = ("ecs:ListClusters", "ecs:DescribeClusters")


def reads_for(principal: str) -> tuple[str, ...]:
    """The IAM read actions behind a service's verdict (shown beside it)."""
    if principal == ECS_PRINCIPAL:
        return ECS_READS
    reader = reader_for(principal)
    return reader.actions if reader else ()


def usage_for(role: ServiceLinkedRole) -> Usage | None:
    """One role's usage, reading only its own service's rows."""
    if role.service_principal == ECS_PRINCIPAL:
        return ecs_usage(role.account)
    if reader_for(role.service_principal) is None:
        return None
    return AccountUsage(role.account, {role.service_principal}).for_role(role)


NOT_CHECKED = (
    "Not checked: AWS will check when you delete. rolecall does not read this service's "
    "resources, so nothing here says the role is unused or safe to delete; if it is still "
    "in use, AWS will refuse the deletion and report what blocks it."
)


def not_checked(rule: Rule | None) -> str:
    """The words of a "Not checked" verdict: with the catalogue's reason where it has one."""
    if rule is None or not rule.why:
        return NOT_CHECKED
    return (
        f"Not checked: {rule.why}. Nothing here says the role is unused or safe to delete; "
        "AWS will check when you delete, and if the role is still in use it will refuse the "
        "deletion and report what blocks it."
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _where(role: ServiceLinkedRole, usage: Usage) -> str:
    reader = reader_for(role.service_principal)
    if reader is not None and reader.scope == GLOBAL:
        return ""
    where = f" in any of the {_plural(usage.synced_regions, 'region')} read"
    if role.account.regions:
        # AWS checks every region; rolecall read only the ones the account is set to scan.
        where += " (the account is set to scan only these; AWS checks every region)"
    return where


def _nothing_blocks(role: ServiceLinkedRole, rule: Rule, usage: Usage) -> Readiness:
    """Every region read, nothing found that blocks: what the account's state, what
    rolecall cannot see and what it does not read leave of "Can be deleted now"."""
    state = next((rule.states[s] for s in usage.states if s in rule.states), None)
    if state is not None:
        return Readiness(
            state.verdict, state.text, usage, rule, state.warning, state.warning_source
        )
    if rule.unseen:
        return Readiness(
            "not_checked",
            f"Not checked: {rule.found}{_where(role, usage)}, but "
            f"{rule.unseen}. AWS will check when you delete.",
            usage,
            rule,
        )
    hedge = f" {rule.hedge}" if rule.hedge else ""
    return Readiness(
        "ready",
        f"Can be deleted now: {rule.found}{_where(role, usage)}.{hedge}",
        usage,
        rule,
    )


def readiness(role: ServiceLinkedRole, usage: Usage | None = None) -> Readiness:
    if role.state in (ServiceLinkedRole.State.DELETED, ServiceLinkedRole.State.GONE):
        return Readiness("absent", "The role no longer exists in AWS.", Usage())
    rule = rule_for(role.service_principal)
    refusal = forbidden(role.service_principal)
    if refusal:
        return Readiness("not_deletable", refusal, Usage(), rule)
    if rule is None or not rule.checked:
        # No verdict either way. The role page shows the evidence there is (last use,
        # Access Advisor) and the service's documented rule beside this.
        return Readiness("not_checked", not_checked(rule), Usage(), rule)
    usage = usage if usage is not None else usage_for(role)
    if usage is None or usage.synced_regions == 0:
        return Readiness("unknown", "Cannot tell yet: no region has been read.", Usage(), rule)
    if usage.blocked and rule.blocked_forbids:
        return Readiness(
            "not_deletable",
            f"AWS does not allow deleting this role: {rule.blocked_forbids}.",
            usage,
            rule,
        )
    if usage.blocked:
        text = f"Blocked in {_plural(len(usage.blocked), 'region')}"
        if not _where(role, usage):
            text = "Blocked in the account"
        if usage.unknown:
            text += f"; {_plural(len(usage.unknown), 'region')} could not be checked"
        return Readiness("blocked", text + ".", usage, rule)
    if usage.unknown:
        return Readiness(
            "unknown",
            f"Cannot tell: {_plural(len(usage.unknown), 'region')} could not be checked in the "
            "last sync.",
            usage,
            rule,
        )
    return _nothing_blocks(role, rule, usage)
