"""ECS inventory of one region: the resources that keep AWSServiceRoleForECS in use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from roles.aws.errors import call as _call

# A deleted cluster (DeleteCluster), a deregistered container instance and a
# deleted service stay listed for a while with this status; they no longer keep
# the role in use. DRAINING: a service being deleted, its tasks stopping.
INACTIVE = "INACTIVE"
DRAINING = "DRAINING"

# Batch sizes the APIs allow (DescribeClusters 100, DescribeServices 10,
# DescribeContainerInstances 100).
CLUSTER_BATCH = 100
SERVICE_BATCH = 10
INSTANCE_BATCH = 100


@dataclass
class Service:
    arn: str
    name: str
    status: str
    desired: int
    running: int
    pending: int

    @property
    def live(self) -> bool:
        """Still to be scaled down and deleted: neither deleted nor being deleted."""
        return self.status not in (INACTIVE, DRAINING)


@dataclass
class ContainerInstance:
    arn: str
    ec2_instance_id: str
    status: str
    running_tasks: int
    pending_tasks: int

    @property
    def live(self) -> bool:
        return self.status != INACTIVE


@dataclass
class Cluster:
    arn: str
    name: str
    status: str
    registered_instances: int
    running_tasks: int
    pending_tasks: int
    active_services: int
    tags: dict[str, str]
    services: list[Service] = field(default_factory=list)
    instances: list[ContainerInstance] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Keeps AWSServiceRoleForECS in use: every cluster not INACTIVE."""
        return self.status != INACTIVE


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _list_all(ecs, operation: str, key: str, **kwargs) -> list[str]:
    arns: list[str] = []
    while True:
        page = _call(ecs, operation, maxResults=100, **kwargs)
        arns.extend(page.get(key, []))
        token = page.get("nextToken")
        if not token:
            return arns
        kwargs["nextToken"] = token


def list_clusters(ecs) -> list[Cluster]:
    return describe_clusters(ecs, _list_all(ecs, "list_clusters", "clusterArns"))


# Our field <- the key of the Describe* answer (a missing count is 0, a missing name "").
CLUSTER_KEYS = {
    "arn": "clusterArn",
    "name": "clusterName",
    "status": "status",
    "registered_instances": "registeredContainerInstancesCount",
    "running_tasks": "runningTasksCount",
    "pending_tasks": "pendingTasksCount",
    "active_services": "activeServicesCount",
}
SERVICE_KEYS = {"arn": "serviceArn", "name": "serviceName", "status": "status"}
SERVICE_KEYS |= {"desired": "desiredCount", "running": "runningCount", "pending": "pendingCount"}
INSTANCE_KEYS = {"arn": "containerInstanceArn", "ec2_instance_id": "ec2InstanceId"}
INSTANCE_KEYS |= {"status": "status", "running_tasks": "runningTasksCount"}
INSTANCE_KEYS |= {"pending_tasks": "pendingTasksCount"}


def _read(cls, raw: dict, keys: dict[str, str], **more):
    counts = {f.name for f in fields(cls) if f.type == "int"}
    return cls(
        **{ours: raw.get(theirs, 0 if ours in counts else "") for ours, theirs in keys.items()},
        **more,
    )


def _describe(ecs, operation: str, answer: str, batch_param: str, arns, size: int, **kwargs):
    """Every page of a Describe* call over `arns`, `size` a call: the raw items."""
    for batch in _chunks(arns, size):
        yield from _call(ecs, operation, **{batch_param: batch}, **kwargs).get(answer, [])


def describe_clusters(ecs, arns: list[str]) -> list[Cluster]:
    """Clusters with statistics and tags, 100 a call."""
    include = ["STATISTICS", "TAGS"]
    return [
        _read(
            Cluster,
            raw,
            CLUSTER_KEYS,
            tags={t["key"]: t.get("value", "") for t in raw.get("tags") or []},
        )
        for raw in _describe(
            ecs, "describe_clusters", "clusters", "clusters", arns, CLUSTER_BATCH, include=include
        )
    ]


# kind: (List* operation, its key, Describe* operation, its answer and batch
# parameter, ARNs a Describe* call takes, the dataclass, its keys).
LISTINGS = {
    "services": (
        "list_services",
        "serviceArns",
        "describe_services",
        "services",
        "services",
        SERVICE_BATCH,
        Service,
        SERVICE_KEYS,
    ),
    "instances": (
        "list_container_instances",
        "containerInstanceArns",
        "describe_container_instances",
        "containerInstances",
        "containerInstances",
        INSTANCE_BATCH,
        ContainerInstance,
        INSTANCE_KEYS,
    ),
}


def listing_page(ecs, kind: str, cluster_arn: str, token: str | None = None) -> tuple[list, str]:
    """One page of a cluster's services or container instances, described: up to 100
    items, and the nextToken of the following page ("" after the last)."""
    list_op, key, describe_op, answer, param, size, cls, keys = LISTINGS[kind]
    kwargs = {"cluster": cluster_arn, "maxResults": 100}
    if token:
        kwargs["nextToken"] = token
    page = _call(ecs, list_op, **kwargs)
    raws = _describe(ecs, describe_op, answer, param, page.get(key, []), size, cluster=cluster_arn)
    return [_read(cls, raw, keys) for raw in raws], page.get("nextToken") or ""


def _list_every(ecs, kind: str, cluster_arn: str) -> list:
    items, token = [], None
    while True:
        page, token = listing_page(ecs, kind, cluster_arn, token)
        items.extend(page)
        if not token:
            return items


def list_services(ecs, cluster_arn: str) -> list[Service]:
    return _list_every(ecs, "services", cluster_arn)


def list_container_instances(ecs, cluster_arn: str) -> list[ContainerInstance]:
    return _list_every(ecs, "instances", cluster_arn)


def region_inventory(ecs, run: Callable = lambda jobs: [job() for job in jobs]) -> list[Cluster]:
    """Every cluster of the region with its services and container instances.

    `run` executes a list of independent callables and returns their results
    in order; the sync passes one backed by a bounded thread pool so the
    per-cluster listings overlap (roles/inventory/sync/collect.py).
    """
    clusters = list_clusters(ecs)
    live = [c for c in clusters if c.live]
    jobs = []
    for cluster in live:
        jobs.append(lambda arn=cluster.arn: list_services(ecs, arn))
        jobs.append(lambda arn=cluster.arn: list_container_instances(ecs, arn))
    results = run(jobs)
    for index, cluster in enumerate(live):
        cluster.services = results[2 * index]
        cluster.instances = results[2 * index + 1]
    return clusters


def list_regions(ec2) -> list[str]:
    """The regions enabled for the account, in the partition of the client's region.
    AllRegions false (the EC2 API reference: "Describes the Regions that are enabled
    for your account, or all Regions") leaves out the opt-in regions it has not
    enabled, which cannot be used "until they are enabled" (AWS Account Management
    guide; docs/readiness.md, "Emulator fidelity")."""
    page = _call(ec2, "describe_regions", AllRegions=False)
    return sorted(r["RegionName"] for r in page.get("Regions", []))


# --- cleanup (roles/cleanup/run.py): the calls that change ECS -------------------


@dataclass
class Change:
    """What AWS answered to one mutating call."""

    request_id: str
    status: str = ""


def _request_id(page: dict) -> str:
    return page.get("ResponseMetadata", {}).get("RequestId", "")


def scale_service_to_zero(ecs, cluster_arn: str, service_arn: str) -> Change:
    page = _call(ecs, "update_service", cluster=cluster_arn, service=service_arn, desiredCount=0)
    return Change(_request_id(page), page.get("service", {}).get("status", ""))


def delete_service(ecs, cluster_arn: str, service_arn: str) -> Change:
    page = _call(ecs, "delete_service", cluster=cluster_arn, service=service_arn)
    return Change(_request_id(page), page.get("service", {}).get("status", ""))


def deregister_container_instance(ecs, cluster_arn: str, instance_arn: str) -> Change:
    page = _call(
        ecs,
        "deregister_container_instance",
        cluster=cluster_arn,
        containerInstance=instance_arn,
        force=True,
    )
    return Change(_request_id(page), page.get("containerInstance", {}).get("status", ""))


def delete_cluster(ecs, cluster_arn: str) -> Change:
    page = _call(ecs, "delete_cluster", cluster=cluster_arn)
    return Change(_request_id(page), page.get("cluster", {}).get("status", ""))


@dataclass
class Drain:
    """Services of a cluster that still run tasks (neither INACTIVE nor at runningCount 0)."""

    busy: list[str]
    request_id: str


def undrained_services(ecs, cluster_arn: str, service_arns: list[str]) -> Drain:
    busy, request_id = [], ""
    for batch in _chunks(service_arns, SERVICE_BATCH):
        page = _call(ecs, "describe_services", cluster=cluster_arn, services=batch)
        request_id = _request_id(page)
        # Missing services (the "failures" list) are gone, hence drained.
        busy.extend(
            raw["serviceArn"]
            for raw in page.get("services", [])
            if raw.get("status") != INACTIVE
            and (raw.get("runningCount", 0) or raw.get("pendingCount", 0))
        )
    return Drain(busy, request_id)


def container_instance_gone(ecs, cluster_arn: str, instance_arn: str) -> bool:
    """True when the instance is no longer registered (MISSING or INACTIVE)."""
    page = _call(
        ecs, "describe_container_instances", cluster=cluster_arn, containerInstances=[instance_arn]
    )
    return all(raw.get("status") == INACTIVE for raw in page.get("containerInstances", []))
