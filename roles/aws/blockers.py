"""What keeps a service's service-linked role in use, read per region (or once, globally).

One reader per service principal, each reading exactly what that service's user
guide names as blocking the deletion of its role (docs/readiness.md has the
reading, with the sources and the page sizes used here). ECS is read by
roles/aws/inventory.py, which goes deeper for the cleanup.

A reader returns the resources it found; an AWS error (no permission, throttled
for good, a region not enabled) is raised as AwsError, and the caller keeps that
region's previous data marked stale (roles/inventory/sync/store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from roles.aws.errors import AwsError
from roles.aws.errors import call as _call

GLOBAL = "global"  # the region name of a read that is not per region (Organizations)


@dataclass(frozen=True)
class Resource:
    kind: str  # what it is, as the service's guide names it ("DB instance")
    arn: str  # as RoleUsageList reports it: the ARN, or the name where AWS gives no ARN
    name: str
    status: str = ""
    # The role the resource says it uses, for services whose resources name theirs
    # (Auto Scaling groups, Config recorders): it blocks only that role.
    role_arn: str = ""


@dataclass(frozen=True)
class Reader:
    read: Callable  # (client_for, region, account_id) -> list[Resource]
    actions: tuple[str, ...]  # the IAM read actions it needs (deploy/aws/)
    # Each call a read makes: the kinds of resource it returns and its page size
    # (0: one call, unpaginated). What bench/sync.py counts as the minimum.
    calls: tuple[tuple[tuple[str, ...], int], ...]
    scope: str = "region"  # "region": every scanned region; GLOBAL: once
    per_role: bool = False  # resources name their role (Resource.role_arn)


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _pages(client, operation: str, items: str, token_in: str, token_out: str, **kwargs) -> Iterator:
    """Every item of a paginated call, following its token."""
    seen: set[str] = set()
    while True:
        page = _call(client, operation, **kwargs)
        yield from page.get(items) or []
        token = page.get(token_out)
        if not token:
            return
        if token in seen:  # an API that hands back a token twice would loop forever
            raise AwsError("RepeatedToken", f"{operation} returned the same page token twice")
        seen.add(token)
        kwargs[token_in] = token


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


def recorders(client_for, region: str, account: str) -> list[Resource]:
    """The region's configuration recorder with the role it records as. AWS gives older
    recorders no ARN; RoleUsageList then names them, so the name stands in for it."""
    answer = _call(client_for("config", region), "describe_configuration_recorders")
    return [
        Resource(
            "Configuration recorder", r.get("arn") or r["name"], r["name"], "", r.get("roleARN", "")
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


def organization_trails(client_for, region: str, account: str) -> list[Resource]:
    """Organization trails whose home is this region (shadow trails included, so a trail
    of the management account is seen from a member account, once)."""
    answer = _call(client_for("cloudtrail", region), "describe_trails", includeShadowTrails=True)
    return [
        Resource("Organization trail", t["TrailARN"], t.get("Name", ""))
        for t in answer.get("trailList") or []
        if t.get("IsOrganizationTrail") and t.get("HomeRegion", region) == region
    ]


def organization(client_for, region: str, account: str) -> list[Resource]:
    """An organization with all features: then the role cannot be deleted at all.
    AWSOrganizationsNotInUseException: the account is in no organization."""
    try:
        answer = _call(client_for("organizations", None), "describe_organization")
    except AwsError as exc:
        if exc.code == "AWSOrganizationsNotInUseException":
            return []
        raise
    org = answer["Organization"]
    if org.get("FeatureSet") != "ALL":
        return []
    return [Resource("Organization with all features", org["Arn"], org["Id"], "ALL")]


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
        organization_trails, ("cloudtrail:DescribeTrails",), ((("Organization trail",), 0),)
    ),
    "organizations.amazonaws.com": Reader(
        organization,
        ("organizations:DescribeOrganization",),
        ((("Organization with all features",), 0),),
        scope=GLOBAL,
    ),
}


def minimum_calls(reader: Reader, kinds: dict[str, int]) -> int:
    """The fewest calls one region's read can take, given how many resources of each kind
    it returned (a paginated call needs one page even when it finds nothing)."""
    total = 0
    for returned, page in reader.calls:
        found = sum(kinds.get(kind, 0) for kind in returned)
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
