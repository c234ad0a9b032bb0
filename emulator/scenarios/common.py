"""Building blocks for scenarios: accounts, the audit role, SLRs, clusters, usage data.

Scenarios write straight into moto's backends (no HTTP), so even the large one
builds in seconds.  Everything goes through the patched backend methods, so the
state is the same as if it had been created through the API.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace

import moto.ecs.models as ecs_models
from moto.ecs.models import ecs_backends
from moto.iam.models import IAMBackend, Role, iam_backends

from .. import advisor, member_roles, policies
from ..state import HUB_ACCOUNT

AUDIT_ROLE = member_roles.read_role_name()
CHANGE_ROLE = member_roles.change_role_name()
ORGANIZATION_ROLE = member_roles.organization_role_name()
EXTERNAL_ID = member_roles.EXTERNAL_ID


def iam(account: str) -> IAMBackend:
    return iam_backends[account]["aws"]


def audit_trust_policy() -> dict:
    return member_roles.role("ReadRole", HUB_ACCOUNT).trust


def setup_account(account: str, alias: str | None, created: datetime) -> Role:
    """An account with its alias and the member roles of deploy/aws/member-roles.yaml:
    the read role the hub assumes (ExternalId required) and the change role (ExternalId
    and a source identity required), each with the template's inline policies.  The hub
    also gets the role of deploy/aws/organization-role.yaml (``RolecallOrganizations``),
    which lists the organization it manages."""
    if alias:
        iam(account).create_account_alias(alias)
    specs = member_roles.roles(account)
    if account == HUB_ACCOUNT:
        specs += member_roles.organization_roles(account)
    made = member_roles.create(account, specs, created)
    return made["ReadRole"]


def add_slr(
    account: str,
    principal: str,
    created: datetime,
    *,
    last_used: datetime | None = None,
    region: str | None = None,
    description: str | None = None,
    suffix: str = "",
    tags: dict[str, str] | None = None,
) -> Role:
    role = iam(account).create_service_linked_role(principal, description or "", suffix)
    role.create_date = created.replace(microsecond=0)
    role.last_used = last_used.replace(microsecond=0) if last_used else None
    role.last_used_region = region if last_used else None
    if tags:
        role.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    return role


def add_plain_role(account: str, name: str, principal: str, created: datetime) -> Role:
    """An ordinary IAM role (path ``/``) that ``principal`` may assume, such as the role a
    resource runs as; not service-linked, so rolecall does not list it."""
    role = iam(account).create_role(
        name,
        json.dumps(policies.trust_policy(principal)),
        "/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration="3600",
    )
    role.create_date = created.replace(microsecond=0)
    return role


def record_usage(account: str, role: Role, rng: random.Random, now: datetime) -> None:
    """Access Advisor data consistent with RoleLastUsed: the most recent service use is
    the role's last use; other services were used earlier, or never."""
    if role.last_used is None:
        return
    documents = [json.loads(p.versions[0].document) for p in role.managed_policies.values()]
    namespaces = sorted({ns for d in documents for ns in policies.namespaces(d)})
    if not namespaces:
        return
    region = role.last_used_region or "us-east-1"
    rng.shuffle(namespaces)
    for index, namespace in enumerate(namespaces):
        if index == 0:
            when = role.last_used
        elif rng.random() < 0.35:
            continue  # allowed but never used in the tracking period
        else:
            age = (now - role.last_used).total_seconds()
            when = role.last_used - timedelta(seconds=rng.uniform(0, max(age, 3600) * 3))
            when = max(when, now - timedelta(days=399)).replace(microsecond=0)
        actions = {}
        if namespace in policies.ACTION_TRACKED_NAMESPACES:
            names = sorted({a for d in documents for a in policies.concrete_actions(d, namespace)})
            for name in rng.sample(names, k=min(len(names), rng.randint(1, 3))):
                actions[name] = (when - timedelta(minutes=rng.randint(0, 600)), region)
            if actions:
                latest = max(actions, key=lambda a: actions[a][0])
                actions[latest] = (when, region)
        advisor.record(account, role.arn, namespace, when, region, actions)


@contextlib.contextmanager
def stub_ec2_instances() -> Iterator[None]:
    """Register ECS container instances without launching EC2 instances in moto.

    moto's ContainerInstance looks its EC2 instance up only to copy a few attributes;
    launching thousands of EC2 instances would make the large scenario slow, and
    rolecall never reads EC2 instances.  The lookup is served by a stub while building.
    """

    class _Instances:
        def get_instance(self, instance_id: str) -> SimpleNamespace:
            return SimpleNamespace(
                image_id="ami-0c2b8ca1dad447f8a",
                platform=None,
                availability_zone=f"{self.region}a",
                instance_type="m6i.large",
            )

    class _Backends(dict):
        def __getitem__(self, account: str):
            return _Regions()

    class _Regions(dict):
        def __getitem__(self, region: str):
            stub = _Instances()
            stub.region = region
            return stub

    real = ecs_models.ec2_backends
    ecs_models.ec2_backends = _Backends()
    try:
        yield
    finally:
        ecs_models.ec2_backends = real


def add_cluster(
    account: str,
    region: str,
    name: str,
    rng: random.Random,
    *,
    services: list[tuple[str, int, str]] = (),
    instances: int = 0,
    tags: dict[str, str] | None = None,
    deleted: bool = False,
) -> None:
    """A cluster with services (name, desiredCount, launch type) and container instances.

    Call inside ``stub_ec2_instances()``.  ``deleted`` leaves it INACTIVE, as DeleteCluster
    does, which neither lists it nor blocks deleting the ECS role.
    """
    ecs = ecs_backends[account][region]
    tag_list = [{"key": k, "value": v} for k, v in (tags or {}).items()] or None
    ecs.create_cluster(name, tags=tag_list)
    for service_name, desired, launch_type in services:
        family = f"{name}-{service_name}"
        if family not in ecs.task_definitions:
            ecs.register_task_definition(
                family,
                [
                    {
                        "name": service_name,
                        "essential": True,
                        "memory": 512,
                        "cpu": 256,
                        "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{service_name}:"
                        f"{rng.randint(100, 999)}",
                    }
                ],
                requires_compatibilities=[launch_type],
                cpu="256" if launch_type == "FARGATE" else None,
                memory="512" if launch_type == "FARGATE" else None,
                network_mode="awsvpc" if launch_type == "FARGATE" else None,
            )
        ecs.create_service(
            name, service_name, desired, task_definition_str=family, launch_type=launch_type
        )
    for _ in range(instances):
        ecs.register_container_instance(name, f"i-{rng.getrandbits(68):017x}")
    if deleted:
        ecs.clusters[name].status = "INACTIVE"


def days_ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)
