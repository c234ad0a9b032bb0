"""The demo organisation: a security hub, production, staging and a sandbox.

- 123456789012 ``security-hub`` (the hub rolecall runs in, the organization's
  management account), 111111111111 ``acme-prod``, 222222222222 ``acme-staging``,
  333333333333 ``acme-sandbox``; each has ``RolecallAudit`` and ``RolecallChange``,
  which the hub assumes with ExternalId ``rolecall-demo``, and the hub also has
  ``RolecallOrganizations`` (deploy/aws/organization-role.yaml).
- 33 service-linked roles across 16 services in the hub, prod and staging.  In prod,
  AWSServiceRoleForECS was used yesterday and is blocked by clusters in us-east-1,
  eu-west-1 and ap-southeast-2; AWSServiceRoleForEC2Spot has not been used for more
  than 400 days (no RoleLastUsed).  In staging, AWSServiceRoleForECS is ready to delete
  (its only cluster is INACTIVE), and the ElastiCache role's description holds markup,
  to check that the app escapes it.
- Resources that hold the other services' roles (``RESOURCES``), all in us-east-1,
  eu-west-1 and ap-southeast-2: prod's ELB, Auto Scaling (default and ``_batch``),
  RDS, ElastiCache, EKS, GuardDuty, Config and Security Hub roles are blocked;
  staging's are free, including Config, whose recorder records as a plain IAM role;
  the hub's GuardDuty, Config, Security Hub, Access Analyzer and IAM Identity Center
  roles are blocked (Identity Center by a provisioned permission set's role and its
  SAML provider).
- The sandbox has three service-linked roles and no resources: AWSServiceRoleForECS,
  last used 230 days ago with no cluster anywhere (ready to delete),
  AWSServiceRoleForSupport (which AWS does not let anyone delete) and
  AWSServiceRoleForOrganizations (kept for good: the organization has all features).
- Access Advisor data for every role that was used, consistent with RoleLastUsed.
- Regions: every account has the 17 default Regions; prod has also enabled the opt-in
  Region eu-central-2, the sandbox af-south-1 and me-central-1 (``OPT_IN_REGIONS``).
- Trusted Advisor is enabled everywhere but prod, so the hub's
  AWSServiceRoleForTrustedAdvisor cannot be deleted and prod's can.
- The organization (``ORGANIZATION``), feature set ALL, managed by the hub; every
  account's email is ``aws+<name>@example.com``::

      Root
      |- 123456789012 security-hub     ACTIVE (management account)
      |- Workloads
      |  |- Production: 111111111111 acme-prod      ACTIVE
      |  `- Staging:    222222222222 acme-staging   ACTIVE
      |- Sandbox:       333333333333 acme-sandbox   ACTIVE
      `- Suspended:     444444444444 acme-legacy    SUSPENDED (no roles at all)

  Root and OU ids are moto's, seeded, so they repeat run to run.

Everything is seeded; only dates move with "now" (roles were created 2-4 years ago).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .. import regions, trusted_advisor
from ..organization import Builder
from ..state import HUB_ACCOUNT, RUN
from . import resources
from .common import (
    add_cluster,
    add_plain_role,
    add_slr,
    days_ago,
    record_usage,
    setup_account,
    stub_ec2_instances,
)

PROD = "111111111111"
STAGING = "222222222222"
SANDBOX = "333333333333"
LEGACY = "444444444444"
ACCOUNTS = {
    HUB_ACCOUNT: "security-hub",
    PROD: "acme-prod",
    STAGING: "acme-staging",
    SANDBOX: "acme-sandbox",
}
# account -> (name, OU path from the root, status); the hub is the management account.
ORGANIZATION = {
    HUB_ACCOUNT: ("security-hub", (), "ACTIVE"),
    PROD: ("acme-prod", ("Workloads", "Production"), "ACTIVE"),
    STAGING: ("acme-staging", ("Workloads", "Staging"), "ACTIVE"),
    SANDBOX: ("acme-sandbox", ("Sandbox",), "ACTIVE"),
    LEGACY: ("acme-legacy", ("Suspended",), "SUSPENDED"),
}

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
        ("eks.amazonaws.com", 0.5, "us-east-1", {}),
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
        ("eks.amazonaws.com", 40.0, "us-east-1", {}),
    ],
    SANDBOX: [
        ("ecs.amazonaws.com", 230.0, "us-west-2", {}),
        ("support.amazonaws.com", 95.0, "us-east-1", {}),
        ("organizations.amazonaws.com", 18.0, "us-east-1", {}),
    ],
}

# The opt-in Regions each account has enabled (emulator/regions.py); the others have none.
OPT_IN_REGIONS = {PROD: ("eu-central-2",), SANDBOX: ("af-south-1", "me-central-1")}
# Trusted Advisor is on from an account's opening (emulator/trusted_advisor.py); prod's
# team has since disabled it, so only there can its role be deleted.
TRUSTED_ADVISOR_OFF = (PROD,)

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


# Plain IAM roles some resources run as: (account, name, trusted service principal).
PLAIN_ROLES = [
    # EKS runs a cluster as its own IAM role, not as the service-linked role.
    (PROD, "eks-cluster-role", "eks.amazonaws.com"),
    # Staging's recorder records as this role, so its Config SLR stays free (a recorder
    # blocks only the role its roleARN names).
    (STAGING, "config-recorder", "config.amazonaws.com"),
]


def add_resources() -> None:
    """What holds the other services' roles, only in the three Regions the tests sync
    (us-east-1, eu-west-1, ap-southeast-2).  The names are relied on by tests."""
    r = resources
    # acme-prod: its ELB, Auto Scaling (default and _batch), RDS, ElastiCache, EKS,
    # GuardDuty, Config and Security Hub roles are all in use.
    r.load_balancer(PROD, "us-east-1", "storefront-alb")
    r.classic_load_balancer(PROD, "eu-west-1", "legacy-web")
    r.auto_scaling_group(PROD, "us-east-1", "web-asg")  # on the default role
    batch_role = r.slr_arn(PROD, "autoscaling.amazonaws.com", "batch")
    r.auto_scaling_group(PROD, "eu-west-1", "batch-fleet", batch_role)
    r.db_instance(PROD, "eu-west-1", "orders-db")
    r.db_cluster(PROD, "us-east-1", "ledger-aurora", "aurora-postgresql")
    r.cache_cluster(PROD, "us-east-1", "sessions-prod")
    r.serverless_cache(PROD, "us-east-1", "carts-serverless")
    r.eks_cluster(PROD, "ap-southeast-2", "platform-prod", plain_role_arn(PROD, "eks-cluster-role"))
    r.detector(PROD, "us-east-1")
    r.detector(PROD, "eu-west-1")
    r.recorder(PROD, "eu-west-1", "default", r.slr_arn(PROD, "config.amazonaws.com"))
    r.security_hub(PROD, "us-east-1")
    # acme-staging: nothing holds its roles.  Its recorder records as a plain role, which
    # does not make the Config service-linked role in use.
    r.recorder(STAGING, "us-east-1", "default", plain_role_arn(STAGING, "config-recorder"))
    # security-hub
    r.detector(HUB_ACCOUNT, "us-east-1")
    r.recorder(HUB_ACCOUNT, "us-east-1", "default", r.slr_arn(HUB_ACCOUNT, "config.amazonaws.com"))
    r.security_hub(HUB_ACCOUNT, "us-east-1")
    r.security_hub(HUB_ACCOUNT, "eu-west-1")
    r.analyzer(HUB_ACCOUNT, "eu-west-1", "account-analyzer", "ACCOUNT")
    # A CloudTrail Lake store of the hub's own events (not the organization's): it does
    # not hold the CloudTrail role.
    r.event_data_store(HUB_ACCOUNT, "us-east-1", "hub-queries", organization=False)
    # IAM Identity Center: a permission set provisioned to the hub, and its SAML provider.
    r.identity_center_role(HUB_ACCOUNT, "AdministratorAccess", "5f1d0c2b9a7e4e31")
    r.identity_center_provider(HUB_ACCOUNT, "a1b2c3d4e5f60718")


def plain_role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def email(name: str) -> str:
    return f"aws+{name}@example.com"


def add_organization(now: datetime) -> None:
    """The tree of ``ORGANIZATION``, in the hub's Organizations backend."""
    joined = days_ago(now, 1200)
    name = ORGANIZATION[HUB_ACCOUNT][0]
    org = Builder(HUB_ACCOUNT, name, email(name), joined)
    for n, (account, (name, path, status)) in enumerate(ORGANIZATION.items()):
        if account != HUB_ACCOUNT:
            org.account(account, name, email(name), path, joined + timedelta(days=30 * n), status)


def build(params: dict) -> None:
    rng = random.Random(20261127)
    # The sandbox draws from its own generator, so the other accounts' data stay as they were.
    sandbox_rng = random.Random(333)
    now = RUN.now
    for account, alias in ACCOUNTS.items():
        draw = sandbox_rng if account == SANDBOX else rng
        setup_account(account, alias, days_ago(now, 1200))
        for principal, used_days, region, extra in ROLES[account]:
            years = extra.get("created_years", draw.uniform(2.0, 4.0))
            role = add_slr(
                account,
                principal,
                days_ago(now, years * 365 + draw.uniform(0, 1)),
                last_used=None if used_days is None else days_ago(now, used_days),
                region=region,
                description=extra.get("description"),
                suffix=extra.get("suffix", ""),
                tags=extra.get("tags"),
            )
            record_usage(account, role, draw, now)
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
    for account, name, principal in PLAIN_ROLES:
        add_plain_role(account, name, principal, days_ago(now, 700))
    add_resources()
    add_organization(now)
    for account, opt_in in OPT_IN_REGIONS.items():
        regions.enable(account, opt_in)
    for account in TRUSTED_ADVISOR_OFF:
        trusted_advisor.set_enabled(account, False)
