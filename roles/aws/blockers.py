"""What keeps a service's service-linked role in use, read per region (or once, globally).

One reader per service principal, each reading exactly what that service's user
guide names as blocking the deletion of its role (docs/readiness.md has the
reading, with the sources and the page sizes used here). ECS is read by
roles/aws/inventory.py, which goes deeper for the cleanup; what an organization keeps in
the account (CloudTrail, Organizations, IAM Identity Center) by
roles/aws/organization_reads.py.

A reader returns the resources it found; an AWS error (no permission, throttled
for good, a region not enabled) is raised as AwsError, and the caller keeps that
region's previous data marked stale (roles/inventory/sync/store.py).
"""

from __future__ import annotations

from roles.aws.blocker_types import (  # noqa: F401 - the names callers import from here
    CONSOLIDATED_BILLING,
    EACH,
    GLOBAL,
    NO_ORGANIZATION,
    STATES,
    Reader,
    Resource,
    _call,
    _pages,
    partition,
)
from roles.aws.errors import AwsError
from roles.aws.listing import offered
from roles.aws.organization_reads import (
    identity_center,
    organization,
    organization_trails_and_stores,
)
from roles.aws.readers import collect as collected

# --- one function per service ---------------------------------------------------


def load_balancers(client_for, region: str, account: str) -> list[Resource]:
    """Every load balancer: v2 (Application, Network, Gateway) and Classic, 400 a page."""
    found = [
        Resource(
            f"{lb.get('Type', '').capitalize()} Load Balancer",
            lb["LoadBalancerArn"],
            lb.get("LoadBalancerName", ""),
            (lb.get("State") or {}).get("Code", ""),
        )
        for lb in _pages(
            client_for("elbv2", region),
            "describe_load_balancers",
            "LoadBalancers",
            "Marker",
            "NextMarker",
            PageSize=400,
        )
    ]
    found += [
        Resource(
            "Classic Load Balancer",
            f"arn:{partition(region)}:elasticloadbalancing:{region}:{account}:loadbalancer/"
            f"{lb['LoadBalancerName']}",
            lb["LoadBalancerName"],
        )
        for lb in _pages(
            client_for("elb", region),
            "describe_load_balancers",
            "LoadBalancerDescriptions",
            "Marker",
            "NextMarker",
            PageSize=400,
        )
    ]
    return found


# The guide: the default role "is automatically assigned to your Auto Scaling groups
# unless you specify a different service-linked role". A group that reports none is
# taken to use the default role.
AUTOSCALING_DEFAULT = "AWSServiceRoleForAutoScaling"


def autoscaling_groups(client_for, region: str, account: str) -> list[Resource]:
    """Every group with the role it uses, 100 a page, without instance details."""
    default = (
        f"arn:{partition(region)}:iam::{account}:role/aws-service-role/"
        f"autoscaling.amazonaws.com/{AUTOSCALING_DEFAULT}"
    )
    return [
        Resource(
            "Auto Scaling group",
            g["AutoScalingGroupARN"],
            g["AutoScalingGroupName"],
            g.get("Status", ""),
            g.get("ServiceLinkedRoleARN") or default,
        )
        for g in _pages(
            client_for("autoscaling", region),
            "describe_auto_scaling_groups",
            "AutoScalingGroups",
            "NextToken",
            "NextToken",
            MaxRecords=100,
            IncludeInstances=False,
        )
    ]


def databases(client_for, region: str, account: str) -> list[Resource]:
    """DB instances (RDS guide) and DB clusters (Aurora guide), 100 a page."""
    rds = client_for("rds", region)
    found = [
        Resource(
            "DB instance",
            d["DBInstanceArn"],
            d["DBInstanceIdentifier"],
            d.get("DBInstanceStatus", ""),
        )
        for d in _pages(
            rds, "describe_db_instances", "DBInstances", "Marker", "Marker", MaxRecords=100
        )
    ]
    found += [
        Resource("DB cluster", c["DBClusterArn"], c["DBClusterIdentifier"], c.get("Status", ""))
        for c in _pages(
            rds, "describe_db_clusters", "DBClusters", "Marker", "Marker", MaxRecords=100
        )
    ]
    return found


def caches(client_for, region: str, account: str) -> list[Resource]:
    """Cache clusters, replication groups and serverless caches, 100 a page."""
    client = client_for("elasticache", region)
    # A replication group's member nodes are listed as cache clusters too; they go with
    # their group, so only the others are counted (and cleaned up) apart.
    found = [
        Resource("Cache cluster", c["ARN"], c["CacheClusterId"], c.get("CacheClusterStatus", ""))
        for c in _pages(
            client, "describe_cache_clusters", "CacheClusters", "Marker", "Marker", MaxRecords=100
        )
        if not c.get("ReplicationGroupId")
    ]
    found += [
        Resource("Replication group", g["ARN"], g["ReplicationGroupId"], g.get("Status", ""))
        for g in _pages(
            client,
            "describe_replication_groups",
            "ReplicationGroups",
            "Marker",
            "Marker",
            MaxRecords=100,
        )
    ]
    found += [
        Resource("Serverless cache", s["ARN"], s["ServerlessCacheName"], s.get("Status", ""))
        for s in _pages(
            client,
            "describe_serverless_caches",
            "ServerlessCaches",
            "NextToken",
            "NextToken",
            MaxResults=100,
        )
    ]
    return found


def eks_clusters(client_for, region: str, account: str) -> list[Resource]:
    """Every EKS cluster (ListClusters gives names; the ARN follows EKS's documented form)."""
    return [
        Resource(
            "EKS cluster", f"arn:{partition(region)}:eks:{region}:{account}:cluster/{name}", name
        )
        for name in _pages(
            client_for("eks", region),
            "list_clusters",
            "clusters",
            "nextToken",
            "nextToken",
            maxResults=100,
        )
    ]


def detectors(client_for, region: str, account: str) -> list[Resource]:
    """A detector, enabled or suspended, means GuardDuty is not disabled in the region."""
    return [
        Resource(
            "GuardDuty detector",
            f"arn:{partition(region)}:guardduty:{region}:{account}:detector/{detector}",
            detector,
        )
        for detector in _pages(
            client_for("guardduty", region),
            "list_detectors",
            "DetectorIds",
            "NextToken",
            "NextToken",
            MaxResults=50,
        )
    ]


def hub(client_for, region: str, account: str) -> list[Resource]:
    """Security Hub enabled in the region. DescribeHub answers InvalidAccessException both
    when the account is not subscribed and when it may not ask; only the first is "off"."""
    try:
        answer = _call(client_for("securityhub", region), "describe_hub")
    except AwsError as exc:
        if exc.code == "InvalidAccessException" and "not subscribed" in exc.message.lower():
            return []
        raise
    return [Resource("Security Hub", answer["HubArn"], "Security Hub", "enabled")]


def recorder_arn(region: str, account: str, name: str) -> str:
    """A recorder that AWS reports without its ARN, named in ARN form: RoleUsageList's
    resources are ARNs (20 to 2048 characters). The documented form ends in the recorder's
    id as well (/<name>/<id>), which only the ARN AWS reports carries."""
    return f"arn:{partition(region)}:config:{region}:{account}:configuration-recorder/{name}"


def recorders(client_for, region: str, account: str) -> list[Resource]:
    """The region's configuration recorder with the role it records as."""
    answer = _call(client_for("config", region), "describe_configuration_recorders")
    return [
        Resource(
            "Configuration recorder",
            r.get("arn") or recorder_arn(region, account, r["name"]),
            r["name"],
            "",
            r.get("roleARN", ""),
        )
        for r in answer.get("ConfigurationRecorders") or []
    ]


def analyzers(client_for, region: str, account: str) -> list[Resource]:
    """Every analyzer, of every type, in the region."""
    return [
        Resource("Access analyzer", a["arn"], a["name"], a.get("status", ""))
        for a in _pages(
            client_for("accessanalyzer", region),
            "list_analyzers",
            "analyzers",
            "nextToken",
            "nextToken",
            maxResults=100,
        )
    ]


READERS: dict[str, Reader] = {
    "elasticloadbalancing.amazonaws.com": Reader(
        load_balancers,
        ("elasticloadbalancing:DescribeLoadBalancers",),
        (
            (("Application Load Balancer", "Network Load Balancer", "Gateway Load Balancer"), 400),
            (("Classic Load Balancer",), 400),
        ),
    ),
    "autoscaling.amazonaws.com": Reader(
        autoscaling_groups,
        ("autoscaling:DescribeAutoScalingGroups",),
        ((("Auto Scaling group",), 100),),
        per_role=True,
    ),
    "rds.amazonaws.com": Reader(
        databases,
        ("rds:DescribeDBInstances", "rds:DescribeDBClusters"),
        ((("DB instance",), 100), (("DB cluster",), 100)),
    ),
    "elasticache.amazonaws.com": Reader(
        caches,
        (
            "elasticache:DescribeCacheClusters",
            "elasticache:DescribeReplicationGroups",
            "elasticache:DescribeServerlessCaches",
        ),
        ((("Cache cluster",), 100), (("Replication group",), 100), (("Serverless cache",), 100)),
    ),
    "eks.amazonaws.com": Reader(eks_clusters, ("eks:ListClusters",), ((("EKS cluster",), 100),)),
    "guardduty.amazonaws.com": Reader(
        detectors, ("guardduty:ListDetectors",), ((("GuardDuty detector",), 50),)
    ),
    "securityhub.amazonaws.com": Reader(
        hub, ("securityhub:DescribeHub",), ((("Security Hub",), 0),)
    ),
    "config.amazonaws.com": Reader(
        recorders,
        ("config:DescribeConfigurationRecorders",),
        ((("Configuration recorder",), 0),),
        per_role=True,
    ),
    "access-analyzer.amazonaws.com": Reader(
        analyzers, ("access-analyzer:ListAnalyzers",), ((("Access analyzer",), 100),)
    ),
    "cloudtrail.amazonaws.com": Reader(
        organization_trails_and_stores,
        (
            "cloudtrail:DescribeTrails",
            "cloudtrail:ListEventDataStores",
            "cloudtrail:GetEventDataStore",
        ),
        # GetEventDataStore: one call per store listed; at least one per organization
        # store, the only ones kept.
        (
            (("Organization trail",), 0),
            (("Organization event data store",), 1000),
            (("Organization event data store",), EACH),
        ),
    ),
    "organizations.amazonaws.com": Reader(
        organization,
        ("organizations:DescribeOrganization",),
        ((("Organization with all features", *sorted(STATES)), 0),),
        scope=GLOBAL,
    ),
    "sso.amazonaws.com": Reader(
        identity_center,
        ("iam:ListRoles", "iam:ListSAMLProviders"),
        ((("Identity Center role",), 1000), (("Identity Center SAML provider",), 0)),
        scope=GLOBAL,
    ),
}


# The catalogue's readers, one module per service (roles/aws/readers/).
_CATALOGUED = collected()
if set(_CATALOGUED) & set(READERS):
    raise ValueError(f"read twice: {sorted(set(_CATALOGUED) & set(READERS))}")
READERS.update(_CATALOGUED)


def minimum_calls(reader: Reader, kinds: dict[str, int], region: str = "") -> int:
    """The fewest calls one region's read can take, given how many resources of each kind
    it returned (a paginated call needs one page even when it finds nothing; a service
    not offered in the region takes none)."""
    if reader.some_regions and region and not offered(reader.some_regions, region):
        return 0
    calls = list(reader.calls) + [call for where, call in reader.region_calls if where == region]
    total = 0
    for returned, page in calls:
        found = sum(kinds.get(kind, 0) for kind in returned)
        if page == EACH:
            total += found
        else:
            total += 1 if not page else max(1, -(-found // page))
    return total


def reader_for(principal: str) -> Reader | None:
    return READERS.get(principal)


def regions_for(reader: Reader, regions: list[str]) -> list[str]:
    return [GLOBAL] if reader.scope == GLOBAL else list(regions)


def read(reader: Reader, client_for, region: str, account: str) -> list[Resource]:
    """One region's (or the global) resources; AwsError if AWS refused."""
    return reader.read(client_for, None if region == GLOBAL else region, account)


def _role_key(arn: str) -> tuple[str, str]:
    """(account, role name) of a role ARN, the name lower-cased: the path in between
    may be written out or not where a resource names its role."""
    parts = arn.split(":", 5)
    account = parts[4] if len(parts) > 4 else ""
    return account, arn.rsplit("/", 1)[-1].lower()


def uses(resource_role: str, role_arn: str) -> bool:
    """Does a resource that names its role (Reader.per_role) use this one? IAM role
    names are not distinguished by case, so neither are the names compared here."""
    return bool(resource_role) and _role_key(resource_role) == _role_key(role_arn)
