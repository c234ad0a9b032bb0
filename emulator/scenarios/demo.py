"""The demo organisation: a security hub, production and staging.

- 123456789012 ``security-hub`` (the hub rolecall runs in), 111111111111 ``acme-prod``,
  222222222222 ``acme-staging``; each has ``RolecallAudit``, which the hub assumes
  with ExternalId ``rolecall-demo``.
- 31 service-linked roles across 15 services.  In prod, AWSServiceRoleForECS was
  used yesterday and is blocked by clusters in us-east-1, eu-west-1 and
  ap-southeast-2; AWSServiceRoleForEC2Spot has not been used for more than 400 days
  (no RoleLastUsed).  In staging, AWSServiceRoleForECS is ready to delete (its only
  cluster is INACTIVE), and the ElastiCache role's description holds markup, to
  check that the app escapes it.
- Access Advisor data for every role that was used, consistent with RoleLastUsed.

Everything is seeded; only dates move with "now" (roles were created 2-4 years ago).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from ..state import HUB_ACCOUNT
from .common import add_cluster, add_slr, days_ago, record_usage, setup_account, stub_ec2_instances

PROD = "111111111111"
STAGING = "222222222222"
ACCOUNTS = {HUB_ACCOUNT: "security-hub", PROD: "acme-prod", STAGING: "acme-staging"}

# principal, days since last use (None: not used in the 400-day window), region, extras
ROLES: dict[str, list[tuple]] = {
    HUB_ACCOUNT: [
        ("organizations.amazonaws.com", 2.1, "us-east-1", {}),
        ("sso.amazonaws.com", 0.3, "us-east-1", {}),
        ("securityhub.amazonaws.com", 0.05, "us-east-1", {}),
        ("guardduty.amazonaws.com", 0.1, "us-east-1", {}),
        ("config.amazonaws.com", 0.4, "us-east-1", {}),
        ("trustedadvisor.amazonaws.com", 6.0, "us-east-1", {}),
        ("support.amazonaws.com", 35.0, "us-east-1", {}),
        ("cloudtrail.amazonaws.com", 1.2, "us-east-1", {}),
        ("access-analyzer.amazonaws.com", 12.0, "eu-west-1", {}),
    ],
    PROD: [
        ("ecs.amazonaws.com", 1.0, "eu-west-1", {"tags": {"owner": "platform-team"}}),
        ("elasticloadbalancing.amazonaws.com", 0.2, "us-east-1", {}),
        ("autoscaling.amazonaws.com", 0.1, "us-east-1", {}),
        (
            "autoscaling.amazonaws.com",
            95.0,
            "eu-west-1",
            {"suffix": "batch", "description": "Auto Scaling role for the nightly batch fleet"},
        ),
        ("rds.amazonaws.com", 0.5, "eu-west-1", {}),
        ("elasticache.amazonaws.com", 3.0, "us-east-1", {}),
        ("spot.amazonaws.com", None, None, {"created_years": 3.6}),
        ("guardduty.amazonaws.com", 0.1, "us-east-1", {}),
        ("securityhub.amazonaws.com", 0.4, "us-east-1", {}),
        ("config.amazonaws.com", 0.2, "eu-west-1", {}),
        ("support.amazonaws.com", 210.0, "us-east-1", {}),
        ("trustedadvisor.amazonaws.com", 4.0, "us-east-1", {}),
        ("cloudtrail.amazonaws.com", 0.3, "ap-southeast-2", {}),
    ],
    STAGING: [
        ("ecs.amazonaws.com", 180.0, "us-east-1", {"tags": {"owner": "platform-team"}}),
        ("elasticloadbalancing.amazonaws.com", 2.0, "us-east-1", {}),
        ("autoscaling.amazonaws.com", 2.0, "us-east-1", {}),
        ("rds.amazonaws.com", 14.0, "us-east-1", {}),
        (
            "elasticache.amazonaws.com",
            None,
            None,
            {"description": "Legacy cache cluster role <script>alert(1)</script>"},
        ),
        ("guardduty.amazonaws.com", 0.2, "us-east-1", {}),
        ("securityhub.amazonaws.com", 1.5, "us-east-1", {}),
        ("config.amazonaws.com", 0.6, "us-east-1", {}),
        ("support.amazonaws.com", 77.0, "us-east-1", {}),
    ],
}

# region -> [(cluster, [(service, desiredCount, launch type)], container instances, extra)]
PROD_CLUSTERS = {
    "us-east-1": [
        (
            "payments-prod",
            [("checkout-api", 6, "EC2"), ("payments-worker", 4, "EC2"), ("ledger-sync", 0, "EC2")],
            3,
            {"team": "payments"},
        ),
        (
            "web-prod",
            [("storefront", 8, "FARGATE"), ("search-api", 3, "FARGATE")],
            0,
            {"team": "web"},
        ),
    ],
    "eu-west-1": [
        (
            "payments-prod-eu",
            [("checkout-api", 4, "EC2"), ("fraud-scoring", 2, "EC2")],
            2,
            {"team": "payments"},
        ),
        ("batch-eu", [("nightly-reports", 0, "EC2")], 1, {"team": "data"}),
    ],
    "ap-southeast-2": [
        ("web-prod-apac", [("storefront", 3, "EC2")], 2, {"team": "web"}),
    ],
}


def build(params: dict) -> None:
    rng = random.Random(20261127)
    now = datetime.now(UTC).replace(microsecond=0)
    for account, alias in ACCOUNTS.items():
        setup_account(account, alias, days_ago(now, 1200))
        for principal, used_days, region, extra in ROLES[account]:
            years = extra.get("created_years", rng.uniform(2.0, 4.0))
            role = add_slr(
                account,
                principal,
                days_ago(now, years * 365 + rng.uniform(0, 1)),
                last_used=None if used_days is None else days_ago(now, used_days),
                region=region,
                description=extra.get("description"),
                suffix=extra.get("suffix", ""),
                tags=extra.get("tags"),
            )
            record_usage(account, role, rng, now)
    with stub_ec2_instances():
        for region, clusters in PROD_CLUSTERS.items():
            for name, services, instances, tags in clusters:
                add_cluster(
                    PROD,
                    region,
                    name,
                    rng,
                    services=services,
                    instances=instances,
                    tags={**tags, "env": "prod"},
                )
        # Deleted clusters stay INACTIVE for a while: listed nowhere, blocking nothing.
        add_cluster(PROD, "ap-southeast-2", "legacy-apac", rng, deleted=True)
        add_cluster(STAGING, "us-east-1", "checkout-staging", rng, deleted=True)
