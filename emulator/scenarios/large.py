"""A large estate for benchmarks: accounts x regions x clusters x services x instances.

Accounts are 123456789012 (the hub) then 100000000001, 100000000002, ...; each has
``RolecallAudit`` (ExternalId ``rolecall-demo``) and ``roles`` service-linked roles
(the catalogue in order, then ``AWSServiceRoleForAutoScaling_fleetN`` with a custom
suffix).  Every account has ``clusters`` ECS clusters in each of the first ``regions``
regions, each with ``services`` services (desiredCount 2, every fifth one 0) and
``instances`` container instances.

Some accounts also hold the other services' roles, each resource only if the account
has that service's role (``roles`` may leave it out); the other accounts' roles of
those services are free.  Every ``RESOURCE_EVERY``-th account (the hub, 100000000002,
...) has a GuardDuty detector and Security Hub in every region and, in its first
region, a cache cluster, an EKS cluster, a Config recorder on its Config role and an
Access Analyzer analyzer.  Every ``EC2_RESOURCE_EVERY``-th account (the hub,
100000000005, ...) also has, in its first region, a load balancer, an Auto Scaling
group and a DB instance.  These three need the Region's EC2 backend, whose build
(about 0.1 s: moto loads some 1,300 AMIs) is the one slow part, hence the sparser
stride.

With ``catalogue`` 1, every account also holds one role of each of the catalogue's
services (``emulator/linked/``), nothing holding it: the catalogue at full size.

The hub is the organization's management account (feature set ALL), directly under the
root; every other account is a member under ``Workloads/Team-NN``, ``TEAM_SIZE`` to an
OU in account order (Team-01: 100000000001-100000000050, Team-02: ...), named as its
alias with the email ``aws+large-NNN@example.com``.  Every ``SUSPENDED_EVERY``-th account
(100000000100, 100000000200, ...) is SUSPENDED; its roles and resources are built as any
other's.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from moto.ecs.models import ecs_backends

from .. import policies
from ..organization import Builder
from ..state import HUB_ACCOUNT, RUN
from . import resources
from .common import (
    add_plain_role,
    add_slr,
    days_ago,
    record_usage,
    setup_account,
    stub_ec2_instances,
)

DEFAULTS = {
    "accounts": 5,
    "regions": 17,
    "clusters": 30,
    "services": 10,
    "instances": 4,
    "roles": 20,
    # 1: every account also holds a role of each of the catalogue's services
    # (emulator/linked/), with nothing that blocks it: the catalogue at full size.
    "catalogue": 0,
}

REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
)
# Every this many accounts, starting with the hub, hold non-ECS resources (docstring).
RESOURCE_EVERY = 2
EC2_RESOURCE_EVERY = 5
# The organization (docstring): accounts per Workloads/Team-NN OU, every this many SUSPENDED.
TEAM_SIZE = 50
SUSPENDED_EVERY = 100

LIMITS = {
    "accounts": (1, 2000),
    "regions": (1, len(REGIONS)),
    "clusters": (0, 5000),
    "services": (0, 1000),
    "instances": (0, 1000),
    "roles": (0, 1000),
    "catalogue": (0, 1),
}


def account_ids(count: int) -> list[str]:
    return [HUB_ACCOUNT] + [f"{100000000000 + i}" for i in range(1, count)]


def validate(params: dict) -> dict:
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown large scenario parameter(s): {', '.join(sorted(unknown))}")
    merged = {**DEFAULTS, **params}
    for key, (low, high) in LIMITS.items():
        value = merged[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(
                f"large scenario parameter {key} must be an integer from {low} to {high}"
            )
    return merged


def build(params: dict) -> None:
    p = validate(params)
    rng = random.Random(17)
    now = RUN.now
    principals = list(policies.WITH_POLICY)
    regions = REGIONS[: p["regions"]]
    for n, account in enumerate(account_ids(p["accounts"])):
        setup_account(account, f"large-{n:03d}", days_ago(now, 900))
        linked: set[str] = set()
        for i in range(p["roles"]):
            if i < len(principals):
                principal, suffix = principals[i], ""
            else:
                principal, suffix = "autoscaling.amazonaws.com", f"fleet{i}"
            used = rng.random() < 0.7
            role = add_slr(
                account,
                principal,
                days_ago(now, rng.uniform(730, 1460)),
                last_used=days_ago(now, rng.uniform(0, 60)) if used else None,
                region=rng.choice(regions),
                suffix=suffix,
            )
            record_usage(account, role, rng, now)
            linked.add(principal)
        if p["catalogue"]:
            for principal in policies.CATALOGUED:
                add_slr(account, principal, days_ago(now, 800))
        with stub_ec2_instances():
            for region in regions:
                _fill_region(account, region, p, rng)
        if n % EC2_RESOURCE_EVERY == 0:
            _add_ec2_resources(account, regions[0], linked)
        if n % RESOURCE_EVERY == 0:
            _add_resources(account, regions, linked, now)
    _add_organization(account_ids(p["accounts"]), now)


def _add_organization(accounts: list[str], now: datetime) -> None:
    """The hub manages every other account, ``TEAM_SIZE`` to a Workloads/Team-NN OU."""
    joined = days_ago(now, 900)
    org = Builder(HUB_ACCOUNT, "large-000", "aws+large-000@example.com", joined)
    for n, account in enumerate(accounts[1:], start=1):
        name = f"large-{n:03d}"
        org.account(
            account,
            name,
            f"aws+{name}@example.com",
            ("Workloads", f"Team-{(n - 1) // TEAM_SIZE + 1:02d}"),
            joined + timedelta(minutes=n),
            "SUSPENDED" if n % SUSPENDED_EVERY == 0 else "ACTIVE",
        )


def _fill_region(account: str, region: str, p: dict, rng: random.Random) -> None:
    ecs = ecs_backends[account][region]
    if p["services"]:
        ecs.register_task_definition(
            "app",
            [
                {
                    "name": "app",
                    "image": "public.ecr.aws/nginx/nginx:1.27",
                    "memory": 512,
                    "essential": True,
                }
            ],
        )
    for c in range(p["clusters"]):
        name = f"cluster-{c:04d}"
        ecs.create_cluster(name, tags=[{"key": "env", "value": "bench"}])
        for s in range(p["services"]):
            ecs.create_service(
                name,
                f"svc-{s:03d}",
                0 if s % 5 == 4 else 2,
                task_definition_str="app",
                launch_type="EC2",
            )
        for _ in range(p["instances"]):
            ecs.register_container_instance(name, f"i-{rng.getrandbits(68):017x}")


def _add_ec2_resources(account: str, home: str, linked: set[str]) -> None:
    """The resources that need the Region's EC2 backend (see the module docstring)."""
    if "elasticloadbalancing.amazonaws.com" in linked:
        resources.load_balancer(account, home, "web-alb")
    if "autoscaling.amazonaws.com" in linked:
        resources.auto_scaling_group(account, home, "web-asg")
    if "rds.amazonaws.com" in linked:
        resources.db_instance(account, home, "orders-db")


def _add_resources(account: str, regions: tuple[str, ...], linked: set[str], now) -> None:
    """The other non-ECS resources of one account (see the module docstring)."""
    r, home = resources, regions[0]
    if "elasticache.amazonaws.com" in linked:
        r.cache_cluster(account, home, "sessions")
    if "eks.amazonaws.com" in linked:
        add_plain_role(account, "eks-cluster-role", "eks.amazonaws.com", days_ago(now, 700))
        r.eks_cluster(account, home, "platform", f"arn:aws:iam::{account}:role/eks-cluster-role")
    if "config.amazonaws.com" in linked:
        r.recorder(account, home, "default", r.slr_arn(account, "config.amazonaws.com"))
    if "access-analyzer.amazonaws.com" in linked:
        r.analyzer(account, home, "account-analyzer")
    for region in regions:
        if "guardduty.amazonaws.com" in linked:
            r.detector(account, region)
        if "securityhub.amazonaws.com" in linked:
            r.security_hub(account, region)
