"""Patches to moto's ECS backend and responses.

They restore what AWS documents for the calls rolecall makes while auditing and
cleaning up ECS before deleting AWSServiceRoleForECS: refusals of DeleteCluster,
cluster statistics derived from the real contents, INACTIVE resources left out of
the list calls, batch limits and list pagination.
"""

from __future__ import annotations

import base64
from functools import wraps

from moto.core.responses import ActionResult
from moto.ecs.exceptions import ECSException, InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.iam.models import iam_backends

_ORIGINALS: dict[str, object] = {}

LIVE_SERVICE = ("ACTIVE", "DRAINING")
ECS_ROLE = "AWSServiceRoleForECS"


# --- backend --------------------------------------------------------------------------------


def _services_of(backend: EC2ContainerServiceBackend, cluster) -> list:
    return [s for s in backend.services.values() if s.cluster_arn == cluster.arn]


def _live_tasks(backend: EC2ContainerServiceBackend, cluster) -> list:
    return [
        t for t in backend.tasks.get(cluster.name, {}).values() if t.desired_status != "STOPPED"
    ]


def refresh_counts(backend: EC2ContainerServiceBackend, cluster) -> None:
    """Derive the cluster counters from its contents.

    moto keeps running counters that drift (activeServicesCount stays 0,
    registeredContainerInstancesCount never goes down); AWS reports what is there.
    The emulator has no scheduler, so a service's running count is its desired count.
    """
    services = [s for s in _services_of(backend, cluster) if s.status in LIVE_SERVICE]
    instances = backend.container_instances.get(cluster.name, {}).values()
    tasks = _live_tasks(backend, cluster)
    cluster.active_services_count = sum(1 for s in services if s.status == "ACTIVE")
    cluster.registered_container_instances_count = sum(
        1 for i in instances if i.status in ("ACTIVE", "DRAINING")
    )
    cluster.running_tasks_count = sum(s.running_count for s in services) + sum(
        1 for t in tasks if t.desired_status == "RUNNING"
    )
    cluster.pending_tasks_count = sum(s.pending_count for s in services)


def _statistics(backend: EC2ContainerServiceBackend, cluster) -> list[dict]:
    services = [s for s in _services_of(backend, cluster) if s.status in LIVE_SERVICE]

    def count(launch: str, status: str, attr: str | None = None) -> str:
        chosen = [s for s in services if (s.launch_type or "EC2") == launch]
        if attr:
            return str(sum(getattr(s, attr) for s in chosen))
        return str(sum(1 for s in chosen if s.status == status))

    return [
        {"name": "runningEC2TasksCount", "value": count("EC2", "", "running_count")},
        {"name": "runningFargateTasksCount", "value": count("FARGATE", "", "running_count")},
        {"name": "pendingEC2TasksCount", "value": count("EC2", "", "pending_count")},
        {"name": "pendingFargateTasksCount", "value": count("FARGATE", "", "pending_count")},
        {"name": "activeEC2ServiceCount", "value": count("EC2", "ACTIVE")},
        {"name": "activeFargateServiceCount", "value": count("FARGATE", "ACTIVE")},
        {"name": "drainingEC2ServiceCount", "value": count("EC2", "DRAINING")},
        {"name": "drainingFargateServiceCount", "value": count("FARGATE", "DRAINING")},
    ]


def delete_cluster(self: EC2ContainerServiceBackend, cluster_str: str):
    # moto marks any cluster INACTIVE; AWS refuses while it still holds something.
    cluster = self._get_cluster(cluster_str)
    if any(s.status in LIVE_SERVICE for s in _services_of(self, cluster)):
        raise ECSException(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        )
    if self.container_instances.get(cluster.name):
        raise ECSException(
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active.",
        )
    if _live_tasks(self, cluster):
        raise ECSException(
            "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
        )
    cluster = _ORIGINALS["delete_cluster"](self, cluster_str)
    refresh_counts(self, cluster)
    return cluster


def create_cluster(self: EC2ContainerServiceBackend, *args, **kwargs):
    # AWS: "when you create a new cluster ... Amazon ECS creates the service-linked role
    # for you, if it does not already exist" (ECS guide).  moto creates no role.
    cluster = _ORIGINALS["create_cluster"](self, *args, **kwargs)
    iam = iam_backends[self.account_id]["aws"]
    if not any(role.name == ECS_ROLE for role in iam.roles.values()):
        iam.create_service_linked_role("ecs.amazonaws.com", "", "")
    return cluster


def create_service(self: EC2ContainerServiceBackend, *args, **kwargs):
    # No scheduler: a new service runs its desired count at once (moto leaves them pending).
    service = _ORIGINALS["create_service"](self, *args, **kwargs)
    service.running_count, service.pending_count = service.desired_count, 0
    for deployment in service.deployments:
        deployment.update(
            runningCount=service.desired_count, pendingCount=0, rolloutState="COMPLETED"
        )
    return service


def update_service(self: EC2ContainerServiceBackend, service_properties: dict):
    # Scaling drains at once: runningCount follows desiredCount (moto does this too),
    # and the PRIMARY deployment reports the same numbers.
    service = _ORIGINALS["update_service"](self, service_properties)
    service.pending_count = 0
    for deployment in service.deployments:
        deployment.update(
            desiredCount=service.desired_count, runningCount=service.running_count, pendingCount=0
        )
    return service


def delete_service(
    self: EC2ContainerServiceBackend, cluster_name: str, service_name: str, force: bool
):
    # moto refuses desiredCount > 0 without force, as AWS does; once deleted the
    # service's tasks are stopped (here: at once), so nothing keeps running.
    service = _ORIGINALS["delete_service"](self, cluster_name, service_name, force)
    service.desired_count = service.running_count = service.pending_count = 0
    return service


def deregister_container_instance(
    self: EC2ContainerServiceBackend, cluster_str: str, container_instance_str: str, force: bool
):
    cluster = self._get_cluster(cluster_str)
    instance_id = container_instance_str.split("/")[-1]
    if instance_id not in self.container_instances.get(cluster.name, {}):
        # moto raises a bare Exception (HTTP 500) here.
        raise InvalidParameterException("The referenced container instance was not found.")
    return _ORIGINALS["deregister_container_instance"](
        self, cluster_str, container_instance_str, force
    )


def list_clusters(self: EC2ContainerServiceBackend) -> list[str]:
    # AWS ListClusters does not return INACTIVE (deleted) clusters.
    return [c.arn for c in self.clusters.values() if c.status != "INACTIVE"]


def list_services(self: EC2ContainerServiceBackend, cluster_str: str, *args, **kwargs):
    # AWS: a deleted service (DRAINING, then INACTIVE) is no longer visible in ListServices.
    arns = _ORIGINALS["list_services"](self, cluster_str, *args, **kwargs)
    cluster = self._get_cluster(cluster_str)
    live = {s.arn for s in _services_of(self, cluster) if s.status == "ACTIVE"}
    return [arn for arn in arns if arn in live]


# --- responses ------------------------------------------------------------------------------


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"rolecall-offset:{offset}".encode()).decode()


def _decode_token(token: str) -> int:
    try:
        prefix, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if prefix != "rolecall-offset":
            raise ValueError(token)
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterException("Invalid nextToken.") from None


def _paginated(name: str, key: str, default: int, maximum: int = 100):
    """ECS list calls return maxResults items (AWS default ``default``) and a nextToken."""
    original = getattr(EC2ContainerServiceResponse, name)

    @wraps(original)
    def paginated(self: EC2ContainerServiceResponse) -> ActionResult:
        max_results = self._get_param("maxResults")
        if max_results is not None and not 1 <= int(max_results) <= maximum:
            raise InvalidParameterException(
                f"maxResults must be between 1 and {maximum}, inclusive."
            )
        size = int(max_results or default)
        token = self._get_param("nextToken")
        start = _decode_token(token) if token else 0
        result = original(self)
        items = result.result[key]
        result.result[key] = items[start : start + size]
        if start + size < len(items):
            result.result["nextToken"] = _encode_token(start + size)
        return result

    _ORIGINALS[f"response.{name}"] = original
    return paginated


def _limited(name: str, param: str, limit: int, label: str):
    """AWS caps how many resources one Describe call may name."""
    original = getattr(EC2ContainerServiceResponse, name)

    @wraps(original)
    def limited(self: EC2ContainerServiceResponse) -> ActionResult:
        names = self._get_param(param) or []
        if len(names) > limit:
            raise InvalidParameterException(f"{label} cannot contain more than {limit} elements.")
        return original(self)

    _ORIGINALS[f"response.{name}"] = original
    return limited


def describe_clusters(self: EC2ContainerServiceResponse) -> ActionResult:
    result = _ORIGINALS["describe_clusters_limited"](self)
    include = self._get_param("include") or []
    for cluster in result.result["clusters"]:
        refresh_counts(self.ecs_backend, cluster)
        # Statistics appear only when asked for with include=["STATISTICS"].
        cluster.statistics = (
            _statistics(self.ecs_backend, cluster) if "STATISTICS" in include else None
        )
    return result


def apply() -> None:
    if "delete_cluster" in _ORIGINALS:
        return
    backend_patches = {
        "create_cluster": create_cluster,
        "delete_cluster": delete_cluster,
        "create_service": create_service,
        "update_service": update_service,
        "delete_service": delete_service,
        "deregister_container_instance": deregister_container_instance,
        "list_services": list_services,
    }
    for name, patch in backend_patches.items():
        _ORIGINALS[name] = getattr(EC2ContainerServiceBackend, name)
        setattr(EC2ContainerServiceBackend, name, patch)
    EC2ContainerServiceBackend.list_clusters = list_clusters

    R = EC2ContainerServiceResponse
    _ORIGINALS["describe_clusters_limited"] = _limited(
        "describe_clusters", "clusters", 100, "Clusters"
    )
    R.describe_clusters = describe_clusters
    R.describe_services = _limited("describe_services", "services", 10, "Services")
    R.describe_container_instances = _limited(
        "describe_container_instances", "containerInstances", 100, "Container instances"
    )
    R.list_clusters = _paginated("list_clusters", "clusterArns", 100)
    R.list_services = _paginated("list_services", "serviceArns", 10)
    R.list_container_instances = _paginated(
        "list_container_instances", "containerInstanceArns", 100
    )
