"""Would deleting this role work now? The predicted RoleUsageList and a verdict.

For AWSServiceRoleForECS, AWS refuses deletion while any cluster that is not
INACTIVE exists in any region, and reports them per region as RoleUsageList.
rolecall predicts that list from the last sync. A region whose last sync
failed makes the prediction uncertain, and the verdict says so.

Other services' resources are not inventoried yet: their roles get no verdict
("not_checked"), never "can be deleted", with the rule their guide documents
(roles/rules.py), and AWS's own check at deletion time is what decides. A role
AWS does not allow deleting at all (AWSServiceRoleForSupport) says so
("not_deletable"), and rolecall refuses to ask (roles/deletion/kind.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roles.models import Account, EcsCluster, EcsRegion, ServiceLinkedRole
from roles.rules import Rule, forbidden, rule_for


@dataclass
class RegionUsage:
    region: str
    clusters: list[EcsCluster]

    @property
    def resources(self) -> list[str]:
        return [c.arn for c in self.clusters]


@dataclass
class Usage:
    blocked: list[RegionUsage] = field(default_factory=list)
    unknown: list[EcsRegion] = field(default_factory=list)
    synced_regions: int = 0

    def role_usage_list(self) -> list[dict]:
        """In the shape GetServiceLinkedRoleDeletionStatus reports it."""
        return [{"Region": r.region, "Resources": r.resources} for r in self.blocked]


@dataclass
class Readiness:
    verdict: str  # ready | blocked | unknown | not_checked | not_deletable | absent
    text: str
    usage: Usage
    rule: Rule | None = None  # what the service's guide says blocks the role


def ecs_usage(account: Account) -> Usage:
    regions = list(EcsRegion.objects.filter(account=account))
    clusters = (
        EcsCluster.objects.filter(region__account=account)
        .blocking()
        .select_related("region")
        .order_by("region__region", "name")
    )
    blocked: dict[str, RegionUsage] = {}
    for cluster in clusters:
        blocked.setdefault(
            cluster.region.region, RegionUsage(cluster.region.region, [])
        ).clusters.append(cluster)
    return Usage(
        blocked=list(blocked.values()),
        unknown=[r for r in regions if r.stale or r.synced_at is None],
        synced_regions=len(regions),
    )


NOT_CHECKED = (
    "Not checked: rolecall does not check this service's resources. If the role is still in "
    "use, AWS will refuse the deletion and report the resources that block it."
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def readiness(role: ServiceLinkedRole, usage: Usage | None = None) -> Readiness:
    if role.state in (ServiceLinkedRole.State.DELETED, ServiceLinkedRole.State.GONE):
        return Readiness("absent", "The role no longer exists in AWS.", Usage())
    rule = rule_for(role.service_principal)
    refusal = forbidden(role.service_principal)
    if refusal:
        return Readiness("not_deletable", refusal, Usage(), rule)
    if not role.checks_ecs:
        # No verdict either way: only ECS is inventoried (ECS_PRINCIPAL). The role
        # page shows the evidence there is (last use, Access Advisor) and the
        # service's documented rule beside this.
        return Readiness("not_checked", NOT_CHECKED, Usage(), rule)
    usage = usage if usage is not None else ecs_usage(role.account)
    if usage.synced_regions == 0:
        return Readiness("unknown", "No region has been synced yet.", usage)
    if usage.blocked:
        text = f"Blocked in {_plural(len(usage.blocked), 'region')}"
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
    return Readiness(
        "ready", "Can be deleted now: no ECS cluster exists in any region.", usage, rule
    )
