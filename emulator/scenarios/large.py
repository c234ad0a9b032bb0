"""A large estate for benchmarks: accounts x regions x clusters x services x instances.

Accounts are 123456789012 (the hub) then 100000000001, 100000000002, ...; each has
``RolecallAudit`` (ExternalId ``rolecall-demo``) and ``roles`` service-linked roles
(the catalogue in order, then ``AWSServiceRoleForAutoScaling_fleetN`` with a custom
suffix).  Every account has ``clusters`` ECS clusters in each of the first ``regions``
regions, each with ``services`` services (desiredCount 2, every fifth one 0) and
``instances`` container instances.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from moto.ecs.models import ecs_backends

from .. import policies
from ..state import HUB_ACCOUNT
from .common import add_slr, days_ago, record_usage, setup_account, stub_ec2_instances

DEFAULTS = {
    "accounts": 5,
    "regions": 17,
    "clusters": 30,
    "services": 10,
    "instances": 4,
    "roles": 20,
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
LIMITS = {
    "accounts": (1, 1000),
    "regions": (1, len(REGIONS)),
    "clusters": (0, 5000),
    "services": (0, 1000),
    "instances": (0, 1000),
    "roles": (0, 1000),
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
    now = datetime.now(UTC).replace(microsecond=0)
    principals = list(policies.CATALOGUE)
    regions = REGIONS[: p["regions"]]
    for n, account in enumerate(account_ids(p["accounts"])):
        setup_account(account, f"large-{n:03d}", days_ago(now, 900))
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
        with stub_ec2_instances():
            for region in regions:
                _fill_region(account, region, p, rng)


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
