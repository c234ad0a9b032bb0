"""What still uses a service-linked role, per linked service, read from moto's backends.

When a deletion task finishes (``deletion._finish``) the linked service decides: a
non-empty usage list (``[{"Region", "Resources"}]``, regions and ARNs sorted) fails the
task and the role stays.  A service whose role is held by a state of the account
rather than by resources (``REFUSALS``) fails it with a reason and no usage list, which
IAM returns only "if that information is returned by the service".  Each rule follows
the service's user guide as recorded in docs/readiness.md ("Per service").  Services in
neither ``CHECKS`` nor ``REFUSALS`` let their role go.  Access Analyzer is read from
the emulator's own store (``patches.accessanalyzer``), as moto has no backend for it.
Functions run under ``state.LOCK``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from moto.autoscaling.models import autoscaling_backends
from moto.cloudtrail.models import cloudtrail_backends
from moto.config.models import config_backends
from moto.ecs.models import ecs_backends
from moto.eks.models import eks_backends
from moto.elasticache.models import elasticache_backends
from moto.elb.models import elb_backends
from moto.elbv2.models import elbv2_backends
from moto.guardduty.models import guardduty_backends
from moto.iam.models import iam_backends
from moto.rds.models import rds_backends
from moto.securityhub.models import securityhub_backends

from . import linked, organization, trusted_advisor
from .linked import merge, per_region
from .patches import accessanalyzer
from .patches import cloudtrail as cloudtrail_patch
from .patches import elasticache as elasticache_patch

if TYPE_CHECKING:
    from .deletion import Task


def ecs(task: Task) -> list[dict]:
    """Clusters that are not INACTIVE, in every region."""
    return per_region(
        ecs_backends,
        task.account,
        lambda b: (c.arn for c in b.clusters.values() if c.status != "INACTIVE"),
    )


def elastic_load_balancing(task: Task) -> list[dict]:
    """Every load balancer: v2 (application, network, gateway) and Classic."""
    return merge(
        per_region(elbv2_backends, task.account, lambda b: b.load_balancers.keys()),
        per_region(
            elb_backends,
            task.account,
            lambda b: (
                f"arn:aws:elasticloadbalancing:{b.region_name}:{task.account}:loadbalancer/{name}"
                for name in b.load_balancers
            ),
        ),
    )


def auto_scaling(task: Task) -> list[dict]:
    """Groups whose service-linked role is this one (moto fills in the default role)."""
    return per_region(
        autoscaling_backends,
        task.account,
        lambda b: (
            group.arn
            for group in b.autoscaling_groups.values()
            if group.service_linked_role_arn == task.role_arn
        ),
    )


def rds(task: Task) -> list[dict]:
    """DB instances (RDS guide) and DB clusters (Aurora guide)."""
    return per_region(
        rds_backends,
        task.account,
        lambda b: (
            [d.db_instance_arn for d in b.databases.values()]
            + [c.db_cluster_arn for c in b.clusters.values()]
        ),
    )


def elasticache(task: Task) -> list[dict]:
    """Cache clusters, replication groups and serverless caches (a deleted one is gone:
    patches.elasticache)."""
    return per_region(
        elasticache_backends,
        task.account,
        lambda b: (
            [c.arn for c in b.cache_clusters.values()]
            + [g.arn for g in b.replication_groups.values()]
            + [c["ARN"] for c in elasticache_patch.serverless_caches(b).values()]
        ),
    )


def eks(task: Task) -> list[dict]:
    return per_region(eks_backends, task.account, lambda b: (c.arn for c in b.clusters.values()))


def guardduty(task: Task) -> list[dict]:
    """A detector, enabled or suspended, means GuardDuty is not disabled in that region."""
    return per_region(
        guardduty_backends,
        task.account,
        lambda b: (
            f"arn:aws:guardduty:{b.region_name}:{task.account}:detector/{detector_id}"
            for detector_id in b.detectors
        ),
    )


def config(task: Task) -> list[dict]:
    """Configuration recorders whose roleARN is this role, named in ARN form
    (RoleUsageList's resources are ARNs). moto gives a recorder no ARN, so no recorder
    id either: the form rolecall gives a recorder AWS reports without one."""
    return per_region(
        config_backends,
        task.account,
        lambda b: (
            f"arn:aws:config:{b.region_name}:{task.account}:configuration-recorder/{name}"
            for name, r in b.recorders.items()
            if r.role_arn == task.role_arn
        ),
    )


def security_hub(task: Task) -> list[dict]:
    """Security Hub enabled in a Region: its hub ARN (what DescribeHub answers there)."""
    return per_region(
        securityhub_backends,
        task.account,
        lambda b: (
            [f"arn:aws:securityhub:{b.region_name}:{task.account}:hub/default"] if b.enabled else []
        ),
    )


def access_analyzer(task: Task) -> list[dict]:
    """Any analyzer, of any type, in each Region."""
    return [
        {"Region": region, "Resources": sorted(a.arn for a in analyzers)}
        for region, analyzers in sorted(accessanalyzer.by_region(task.account).items())
    ]


def cloudtrail(task: Task) -> list[dict]:
    """Organization trails (IsOrganizationTrail), in their home Region only: a multi-Region
    trail's shadow copies in other Regions are the same trail. And organization event
    data stores (patches.cloudtrail), in the Region they were created in."""
    return per_region(
        cloudtrail_backends,
        task.account,
        lambda b: (
            [t.arn for t in b.trails.values() if t.is_org_trail]
            + [s.arn for s in cloudtrail_patch.stores(b).values() if s.organization_enabled]
        ),
    )


SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"


def identity_center(task: Task) -> list[dict]:
    """The roles Identity Center provisions for permission sets and its AWSSSO_ SAML
    provider, in the account (IAM is global: reported under "global", as rolecall reads
    it; what AWS reports for this role is not documented)."""
    backend = iam_backends[task.account]["aws"]
    found = [r.arn for r in backend.roles.values() if r.path.startswith(SSO_ROLE_PATH)]
    found += [p.arn for p in backend.saml_providers.values() if p.name.startswith("AWSSSO_")]
    return [{"Region": "global", "Resources": sorted(found)}] if found else []


CHECKS: dict[str, Callable[[Task], list[dict]]] = {
    "ecs.amazonaws.com": ecs,
    "elasticloadbalancing.amazonaws.com": elastic_load_balancing,
    "autoscaling.amazonaws.com": auto_scaling,
    "rds.amazonaws.com": rds,
    "elasticache.amazonaws.com": elasticache,
    "eks.amazonaws.com": eks,
    "guardduty.amazonaws.com": guardduty,
    "config.amazonaws.com": config,
    "securityhub.amazonaws.com": security_hub,
    "access-analyzer.amazonaws.com": access_analyzer,
    "cloudtrail.amazonaws.com": cloudtrail,
    "sso.amazonaws.com": identity_center,
}
# The catalogue's services, one module each (emulator/linked/).
for _principal, _check in linked.checks().items():
    if _principal in CHECKS:
        raise ValueError(f"{_principal} is checked twice (emulator/linked/)")
    CHECKS[_principal] = _check


def trusted_advisor_on(task: Task) -> str | None:
    """Trusted Advisor enabled in the account (emulator.trusted_advisor)."""
    if not trusted_advisor.is_enabled(task.account):
        return None
    return (
        f"Trusted Advisor is enabled in account {task.account}. Disable Trusted Advisor "
        f"before you delete {task.role_name}."
    )


def organization_all_features(task: Task) -> str | None:
    """The account is in an organization with all features: "After you enable all features
    in your organization, you no longer can delete the AWSServiceRoleForOrganizations
    service-linked role from any account." (Organizations User Guide)."""
    org = organization.of(task.account)
    if org is None or org.feature_set != "ALL":
        return None
    return (
        f"Organization {org.id} has all features enabled: {task.role_name} cannot be "
        f"deleted from any of its accounts."
    )


REFUSALS: dict[str, Callable[[Task], str | None]] = {
    "trustedadvisor.amazonaws.com": trusted_advisor_on,
    "organizations.amazonaws.com": organization_all_features,
}
