"""The cleanup of a non-ECS role, as a dry run: which resources to remove, in which
order, with the AWS call that would remove each, and its console page.

rolecall executes only the ECS cleanup (roles/cleanup/). For the other services it
lists what the service's guide says must go (docs/readiness.md, "Cleanup") and
stops there: removing a database, a load balancer or a security service is for
its owners to decide and do. The page says so plainly.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from roles.aws.blockers import GLOBAL

# kind -> (order, the call, its parameter). Lower orders
# first: within a service what must go before another resource can (DB instances
# before their cluster, replication groups before standalone cache clusters).
CALLS: dict[str, tuple[int, str, str]] = {
    "Application Load Balancer": (10, "elasticloadbalancing:DeleteLoadBalancer", "LoadBalancerArn"),
    "Network Load Balancer": (10, "elasticloadbalancing:DeleteLoadBalancer", "LoadBalancerArn"),
    "Gateway Load Balancer": (10, "elasticloadbalancing:DeleteLoadBalancer", "LoadBalancerArn"),
    "Classic Load Balancer": (10, "elasticloadbalancing:DeleteLoadBalancer", "LoadBalancerName"),
    "Auto Scaling group": (10, "autoscaling:DeleteAutoScalingGroup", "AutoScalingGroupName"),
    "DB instance": (10, "rds:DeleteDBInstance", "DBInstanceIdentifier"),
    "DB cluster": (20, "rds:DeleteDBCluster", "DBClusterIdentifier"),
    "Replication group": (10, "elasticache:DeleteReplicationGroup", "ReplicationGroupId"),
    "Cache cluster": (20, "elasticache:DeleteCacheCluster", "CacheClusterId"),
    "Serverless cache": (10, "elasticache:DeleteServerlessCache", "ServerlessCacheName"),
    "EKS cluster": (20, "eks:DeleteCluster", "name"),
    "GuardDuty detector": (10, "guardduty:DeleteDetector", "DetectorId"),
    "Security Hub": (10, "securityhub:DisableSecurityHub", ""),
    "Configuration recorder": (
        20,
        "config:DeleteConfigurationRecorder",
        "ConfigurationRecorderName",
    ),
    "Access analyzer": (10, "access-analyzer:DeleteAnalyzer", "analyzerName"),
    "Organization trail": (10, "cloudtrail:DeleteTrail", "Name"),
}

# Calls that must come first, before the one above, for the same resource.
BEFORE: dict[str, list[str]] = {
    "EKS cluster": [
        "eks:DeleteNodegroup for each node group (eks:ListNodegroups)",
        "eks:DeleteFargateProfile for each Fargate profile (eks:ListFargateProfiles)",
    ],
    "DB cluster": ["rds:DeleteDBInstance for each of its DB instances"],
    "Configuration recorder": ["config:StopConfigurationRecorder"],
    "Auto Scaling group": ["ForceDelete=true terminates its instances with it"],
    "Organization trail": [
        "from the management account; or cloudtrail:UpdateTrail with IsOrganizationTrail=false"
    ],
}

# Console pages, per kind ({region}, {name} URL-quoted; names come from AWS and are
# untrusted). The organization has no region.
CONSOLE = "https://{region}.console.aws.amazon.com"
PAGES: dict[str, str] = {
    "Application Load Balancer": "/ec2/home?region={region}#LoadBalancers:search={name}",
    "Network Load Balancer": "/ec2/home?region={region}#LoadBalancers:search={name}",
    "Gateway Load Balancer": "/ec2/home?region={region}#LoadBalancers:search={name}",
    "Classic Load Balancer": "/ec2/home?region={region}#LoadBalancers:search={name}",
    "Auto Scaling group": "/ec2/home?region={region}#AutoScalingGroupDetails:id={name}",
    "DB instance": "/rds/home?region={region}#database:id={name};is-cluster=false",
    "DB cluster": "/rds/home?region={region}#database:id={name};is-cluster=true",
    "Replication group": "/elasticache/home?region={region}#/redis/{name}",
    "Cache cluster": "/elasticache/home?region={region}#/redis/{name}",
    "Serverless cache": "/elasticache/home?region={region}#/serverless/{name}",
    "EKS cluster": "/eks/home?region={region}#/clusters/{name}",
    "GuardDuty detector": "/guardduty/home?region={region}#/settings",
    "Security Hub": "/securityhub/home?region={region}#/settings",
    "Configuration recorder": "/config/home?region={region}#/settings",
    "Access analyzer": "/access-analyzer/home?region={region}#/analyzers",
    "Organization trail": "/cloudtrail/home?region={region}#/trails",
}

COLUMNS = (
    "step",
    "region",
    "kind",
    "name",
    "arn",
    "status",
    "call",
    "first",
    "console",
    "holds_data",
)
DATA = {"DB instance", "DB cluster", "Replication group", "Cache cluster", "Serverless cache"}


@dataclass
class Step:
    number: int
    region: str
    kind: str
    name: str
    arn: str
    status: str
    call: str  # "rds:DeleteDBInstance(DBInstanceIdentifier=orders-db)"
    first: list[str]  # what must be done before the call
    console: str
    holds_data: bool

    def as_row(self) -> dict:
        return {
            "step": self.number,
            "region": self.region,
            "kind": self.kind,
            "name": self.name,
            "arn": self.arn,
            "status": self.status,
            "call": self.call,
            "first": "; ".join(self.first),
            "console": self.console,
            "holds_data": self.holds_data,
        }


def console_url(kind: str, region: str, name: str) -> str:
    page = PAGES.get(kind)
    if page is None or region == GLOBAL:
        return "https://console.aws.amazon.com/"
    return (CONSOLE + page).format(region=quote(region, safe=""), name=quote(name, safe=""))


def _call(kind: str, resource) -> str:
    order, call, param = CALLS.get(kind, (99, "", ""))
    if not call:
        return "no documented call: see the service's guide"
    if not param:
        return f"{call}()"
    value = resource.arn if param.endswith("Arn") else resource.name
    return f"{call}({param}={value})"


def steps(usage) -> list[Step]:
    """The blocking resources of a Usage (roles/inventory/readiness.py), in the order to
    remove them: region by region, then by each kind's order, then by name."""
    items = [(region.region, item) for region in usage.blocked for item in region.items]
    items.sort(key=lambda ri: (ri[0], CALLS.get(ri[1].kind, (99,))[0], ri[1].kind, ri[1].name))
    return [
        Step(
            number,
            region,
            item.kind,
            item.name,
            item.arn,
            item.status,
            _call(item.kind, item),
            BEFORE.get(item.kind, []),
            console_url(item.kind, region, item.name),
            item.kind in DATA,
        )
        for number, (region, item) in enumerate(items, start=1)
    ]
