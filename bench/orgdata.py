"""A benchmark organization written through the sync's own code (bench/pages.py, bench/load.py).

One organization grows in place from a SMALL size to a LARGE one:

- account 0 is the emulator's hub (123456789012). The emulator's `large` scenario is
  reset to the size asked for (its ECS clusters, services and container instances, its
  service-linked roles), then the product's sync reads it and stores what it reads
  (roles/inventory/sync/service.py run_sync: collect() against the emulator, then store()). Its
  ECS role is the big one, and its cleanup plan is built by roles/cleanup/plan.py from
  the same emulator (every service and container instance, read then).
- every other account is synthetic: a snapshot of exactly what collect() returns
  (AccountSnapshot of RoleSnapshot, RegionInventory and ServiceRead, made of the
  roles/aws dataclasses), handed to the same run_sync in place of the AWS read, so
  store() writes every row and the run ends as a real one does (SyncRun, summary,
  sync.finished audit event).

Variety: the emulator catalogue's 16 service principals (then custom-suffix Auto Scaling
roles), last use spread over 0 to 900 days and 15% never, blockers of every service
rolecall reads (some regions of some accounts; GuardDuty and Config most often), 2% of
region reads failed (stale), one account in 50 in production. An account's roles are a
fixed list of which the first `roles_per_account` are synced, so growing only adds roles.
"""

from __future__ import annotations

import math
import os
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ECS_ACCOUNT = "123456789012"  # the emulator's hub: its default credentials act there
ECS = "ecs.amazonaws.com"
# The emulator's large scenario fills the first N of these (emulator/scenarios/large.py;
# not imported: it imports moto). build() checks what was stored against what was asked.
EMULATOR_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
)
# Regions the synthetic accounts scan (1 to 3 each).
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1")
TEAMS = (
    "payments",
    "identity",
    "search",
    "ledger",
    "mobile",
    "warehouse",
    "billing",
    "growth",
    "media",
    "logistics",
    "support",
    "risk",
)
ENVIRONMENTS = ("staging", "dev", "sandbox", "shared", "data", "ml")
SUFFIXES = ("fleet", "batch", "spot", "web", "workers", "gpu")
# The search box's word: it names one account only, so it matches that account's roles.
SEARCH_WORD = "kestrel"
SEARCH_ACCOUNT = 3
PRODUCTION_EVERY = 50
NEVER_USED = 0.15
FAILED_READS = 0.02

# Per service rolecall reads: (chance a region read finds something, kind, ARN pattern).
BLOCKERS = {
    "elasticloadbalancing.amazonaws.com": (
        0.25,
        "Application Load Balancer",
        "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{hex}",
    ),
    "autoscaling.amazonaws.com": (
        0.2,
        "Auto Scaling group",
        "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{hex}:autoScalingGroupName/{name}",
    ),
    "rds.amazonaws.com": (0.2, "DB instance", "arn:aws:rds:{region}:{account}:db:{name}"),
    "elasticache.amazonaws.com": (
        0.1,
        "Cache cluster",
        "arn:aws:elasticache:{region}:{account}:cluster:{name}",
    ),
    "eks.amazonaws.com": (0.1, "EKS cluster", "arn:aws:eks:{region}:{account}:cluster/{name}"),
    "guardduty.amazonaws.com": (
        0.6,
        "GuardDuty detector",
        "arn:aws:guardduty:{region}:{account}:detector/{hex}",
    ),
    "securityhub.amazonaws.com": (
        0.5,
        "Security Hub",
        "arn:aws:securityhub:{region}:{account}:hub/default",
    ),
    "config.amazonaws.com": (
        0.5,
        "Configuration recorder",
        "arn:aws:config:{region}:{account}:configuration-recorder/{name}",
    ),
    "access-analyzer.amazonaws.com": (
        0.3,
        "Access analyzer",
        "arn:aws:access-analyzer:{region}:{account}:analyzer/{name}",
    ),
    "cloudtrail.amazonaws.com": (
        0.05,
        "Organization trail",
        "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
    ),
    "organizations.amazonaws.com": (
        0.1,
        "Organization with all features",
        "arn:aws:organizations::{account}:organization/o-{hex}",
    ),
    "sso.amazonaws.com": (
        0.3,
        "Identity Center role",
        "arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_{name}_{hex}",
    ),
}


@dataclass(frozen=True)
class Size:
    accounts: int
    roles_per_account: int
    services: int  # of the big ECS account, across its clusters
    instances: int  # container instances, likewise


SMALL = Size(accounts=20, roles_per_account=3, services=10, instances=4)
LARGE = Size(accounts=2000, roles_per_account=30, services=5100, instances=2000)


def add_size_arguments(parser) -> None:
    """The flags that size the LARGE organization (and, clamped to it, the SMALL one)."""
    parser.add_argument("--accounts", type=int, default=LARGE.accounts)
    parser.add_argument("--roles-per-account", type=int, default=LARGE.roles_per_account)
    parser.add_argument("--services", type=int, default=LARGE.services)
    parser.add_argument("--instances", type=int, default=LARGE.instances)
    parser.add_argument("--small-accounts", type=int, default=SMALL.accounts)
    parser.add_argument(
        "--batch",
        type=int,
        default=50,
        help="synthetic accounts synced per transaction (each still its own run_sync)",
    )


def sizes(args) -> tuple[Size, Size]:
    large = Size(args.accounts, args.roles_per_account, args.services, args.instances)
    small = Size(
        min(args.small_accounts, large.accounts),
        min(SMALL.roles_per_account, large.roles_per_account),
        min(SMALL.services, large.services),
        min(SMALL.instances, large.instances),
    )
    return small, large


def aligned(head: tuple, rows: list[tuple], right: tuple[int, ...] = ()) -> str:
    """A markdown table, each column as wide as its widest cell, `right` columns right-aligned."""
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(cells) -> str:
        return (
            "| "
            + " | ".join(
                str(c).rjust(w) if i in right else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = "|" + "|".join(
        "-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)
    )
    return "\n".join([line(head), rule + "|", *(line(r) for r in rows)])


# --- the database ---------------------------------------------------------------


def sqlite_url(name: str) -> str:
    return f"sqlite:///{ROOT / 'var' / name}"


def setup_django(database_url: str, settings_module: str = "dashboard.settings_test") -> None:
    """Django on a fresh, migrated database: a PostgreSQL database is dropped and
    created again (the audit table refuses to be emptied), a SQLite file removed."""
    parts = urlsplit(database_url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        admin = urlunsplit(parts._replace(path="/postgres"))
        name = parts.path.lstrip("/")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def analyze() -> None:
    """PostgreSQL: after a build, what autovacuum does soon after a sync this size
    (a server may run with autovacuum off): fresh planner statistics (with none the
    planner guesses, e.g. 2 blocked roles for 9,770) and the visibility map, without
    which a count over an index still visits every row it counts."""
    from django.db import DatabaseError, connection, transaction

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # And the build's pages written out now, not by a checkpoint while pages
            # are timed (needs a superuser or pg_checkpoint; skipped without).
            try:
                with transaction.atomic():
                    cursor.execute("CHECKPOINT")
            except DatabaseError:
                pass


def database_label() -> str:
    from django.db import connection

    return connection.vendor


# --- the emulator -----------------------------------------------------------------


@contextmanager
def emulator():
    """The project's emulator as a subprocess, this process's AWS calls pointed at it."""
    from emulator.testing import EmulatorProcess

    keys = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    saved = {k: os.environ.get(k) for k in (*keys, "AWS_PROFILE")}
    with EmulatorProcess("empty") as proc:
        os.environ.update(
            AWS_ENDPOINT_URL=proc.url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
        )
        os.environ.pop("AWS_PROFILE", None)
        try:
            yield proc
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def ecs_layout(services: int, instances: int) -> dict[str, int]:
    """The emulator's regions x clusters x services x instances for these totals: the
    most clusters (up to 100, in up to 4 regions) that divide both totals evenly; if
    none keeps a cluster within the scenario's 1,000 services, the totals are rounded."""
    common = math.gcd(services, instances) or 1
    clusters = max(d for d in _divisors(common) if d <= 100)
    if max(services, instances) / clusters > 1000:
        clusters = min(100, math.ceil(max(services, instances) / 1000))
    regions = max(d for d in _divisors(clusters) if d <= 4)
    return {
        "regions": regions,
        "clusters": clusters // regions,
        "services": round(services / clusters),
        "instances": round(instances / clusters),
    }


# --- synthetic accounts -----------------------------------------------------------


def account_id(index: int) -> str:
    return ECS_ACCOUNT if index == 0 else f"{200000000000 + index}"


def account_name(index: int) -> str:
    if index == 0:
        return "platform-prod"
    if index == SEARCH_ACCOUNT:
        return f"{SEARCH_WORD}-analytics-{index:04d}"
    team = TEAMS[index % len(TEAMS)]
    if index % PRODUCTION_EVERY == 0:
        return f"{team}-prod-{index:04d}"
    return f"{team}-{ENVIRONMENTS[(index // len(TEAMS)) % len(ENVIRONMENTS)]}-{index:04d}"


def _hex(rng: random.Random, digits: int = 16) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


class Synthetic:
    """The snapshot collect() would return for one synthetic account."""

    def __init__(self, index: int, now: datetime) -> None:
        from emulator.policies import CATALOGUE, WITH_POLICY

        self.index, self.now, self.catalogue = index, now, CATALOGUE
        self.account = account_id(index)
        rng = random.Random(f"account-{index}")
        self.regions = sorted(rng.sample(REGIONS, rng.randint(1, 3)))
        self.order = rng.sample(list(WITH_POLICY), len(WITH_POLICY))

    def role_names(self, count: int) -> list[tuple[str, str]]:
        """(principal, role name) of the account's first `count` roles."""
        names = []
        for n in range(count):
            if n < len(self.order):
                principal = self.order[n]
                names.append((principal, self.catalogue[principal].role_name))
            else:
                suffix = f"{SUFFIXES[n % len(SUFFIXES)]}{n}"
                names.append(
                    ("autoscaling.amazonaws.com", f"AWSServiceRoleForAutoScaling_{suffix}")
                )
        return names

    def _role(self, n: int, principal: str, name: str):
        from emulator import policies
        from roles.aws import iam
        from roles.inventory.sync.collect import RoleSnapshot

        rng = random.Random(f"role-{self.index}-{n}")
        service = self.catalogue[principal]
        path = f"/aws-service-role/{principal}/"
        arn = f"arn:aws:iam::{self.account}:role{path}{name}"
        used_days = None if rng.random() < NEVER_USED else rng.uniform(0, 900)
        created_days = (used_days or 0) + rng.uniform(30, 1500)
        last_used = None if used_days is None else self.now - timedelta(days=used_days)
        region = rng.choice(self.regions) if last_used else ""
        summary = iam.RoleSummary(
            name=name,
            arn=arn,
            path=path,
            role_id=f"AROA{_hex(rng, 17).upper()}",
            created=self.now - timedelta(days=created_days),
            description=service.description,
        )
        document = policies.policy_document(service.policy_name)
        namespaces = policies.namespaces(document)[:3]
        advisor = [
            iam.AdvisorService(
                namespace=ns,
                name=policies.SERVICE_NAMES.get(ns, ns),
                last_authenticated=(
                    last_used - timedelta(days=rng.uniform(0, 30) * i) if last_used else None
                ),
                region=region if last_used else "",
                entity=arn if last_used else "",
                total_entities=1 if last_used else 0,
            )
            for i, ns in enumerate(namespaces)
        ]
        return RoleSnapshot(
            detail=iam.RoleDetail(
                summary=summary,
                max_session_duration=3600,
                last_used_at=last_used,
                last_used_region=region,
                tags={},
                trust_policy=policies.trust_policy(principal),
            ),
            policies=[
                iam.AttachedPolicy(
                    arn=policies.policy_arn(service.policy_name),
                    name=service.policy_name,
                    version_id="v1",
                    document=document,
                )
            ],
            advisor=advisor,
            summary=summary,
        )

    def _ecs(self, has_role: bool, rng: random.Random) -> list:
        """Each region's clusters with their counts (DescribeClusters statistics), without
        services or instances: what collect() reads (depth CLUSTERS)."""
        from roles.aws import ecs
        from roles.aws.errors import AwsError
        from roles.aws.inventory import RegionInventory

        results = []
        for number, region in enumerate(self.regions):
            if rng.random() < FAILED_READS:
                error = AwsError("AccessDeniedException", "not authorized", "", "ListClusters")
                results.append(RegionInventory(region, None, error.as_dict()))
                continue
            clusters = []
            if has_role and number == 0 and rng.random() < 0.3:
                team = TEAMS[self.index % len(TEAMS)]
                for c in range(rng.randint(1, 2)):
                    services, instances = rng.randint(1, 4), rng.randint(0, 2)
                    clusters.append(
                        ecs.Cluster(
                            arn=f"arn:aws:ecs:{region}:{self.account}:cluster/{team}-{c}",
                            name=f"{team}-{c}",
                            status="ACTIVE",
                            registered_instances=instances,
                            running_tasks=2 * services,
                            pending_tasks=0,
                            active_services=services,
                            tags={"team": team},
                        )
                    )
            results.append(RegionInventory(region, clusters))
        return results

    def _services(self, roles: list, rng: random.Random) -> list:
        from roles.aws import service_reads
        from roles.aws.blockers import Resource
        from roles.aws.errors import AwsError

        reads = []
        by_principal: dict[str, list[str]] = {}
        for role in roles:
            by_principal.setdefault(role.summary.service_principal, []).append(role.summary.arn)
        for principal, region in service_reads.jobs(list(by_principal), self.regions):
            if rng.random() < FAILED_READS:
                error = AwsError("AccessDenied", "not authorized to read", "", principal)
                reads.append(service_reads.ServiceRead(principal, region, None, error.as_dict()))
                continue
            chance, kind, pattern = BLOCKERS[principal]
            found = []
            if rng.random() < chance:
                for k in range(1 if kind == "Security Hub" else rng.randint(1, 3)):
                    name = f"{TEAMS[(self.index + k) % len(TEAMS)]}-{k}"
                    arn = pattern.format(
                        region=region, account=self.account, name=name, hex=_hex(rng, 12)
                    )
                    role_arn = ""
                    if principal in ("autoscaling.amazonaws.com", "config.amazonaws.com"):
                        role_arn = rng.choice(by_principal[principal])
                    found.append(Resource(kind, arn, name, "active", role_arn))
            reads.append(service_reads.ServiceRead(principal, region, found))
        return reads

    def snapshot(self, roles_per_account: int):
        from roles.inventory.sync.collect import AccountSnapshot

        roles = [
            self._role(n, p, name) for n, (p, name) in enumerate(self.role_names(roles_per_account))
        ]
        rng = random.Random(f"reads-{self.index}-{roles_per_account}")
        has_ecs = any(r.summary.service_principal == ECS for r in roles)
        return AccountSnapshot(
            regions=list(self.regions),
            roles=roles,
            region_results=self._ecs(has_ecs, rng),
            calls=0,
            service_results=self._services(roles, rng),
        )


# --- growing the organization -----------------------------------------------------


@dataclass
class Build:
    seconds: float = 0.0
    ecs_seconds: float = 0.0
    synthetic_seconds: float = 0.0
    synthetic_accounts: int = 0
    plan_seconds: float = 0.0
    plan_steps: int = 0
    layout: dict | None = None

    def describe(self) -> str:

        from roles.models import Account, ServiceLinkedRole

        roles = ServiceLinkedRole.objects.count()
        ecs = ecs_totals()
        per_account = self.synthetic_seconds / max(self.synthetic_accounts, 1)
        text = (
            f"{Account.objects.count():,} accounts, {roles:,} roles; ECS account: "
            f"{ecs['services']:,} services, {ecs['instances']:,} container instances in "
            f"{ecs['clusters']:,} clusters ({self.layout}); built in {self.seconds:.1f}s (ECS "
            f"account synced from the emulator in {self.ecs_seconds:.1f}s, "
            f"{self.synthetic_accounts:,} synthetic accounts synced in "
            f"{self.synthetic_seconds:.1f}s = {per_account * 1000:.0f} ms each)"
        )
        if self.plan_steps:
            text += f"; cleanup plan of {self.plan_steps:,} steps built in {self.plan_seconds:.1f}s"
        return text


def ecs_totals() -> dict[str, int]:
    """The big ECS account's clusters, services and container instances, as the sync
    stored them (the clusters' DescribeClusters counts)."""
    from django.db.models import Count, Sum

    from roles.models import EcsCluster

    totals = EcsCluster.objects.filter(region__account__aws_account_id=ECS_ACCOUNT).aggregate(
        clusters=Count("pk"), services=Sum("active_services"), instances=Sum("registered_instances")
    )
    return {key: value or 0 for key, value in totals.items()}


class Organization:
    def __init__(self, emulator_proc, *, batch: int = 50) -> None:
        self.control = emulator_proc.control
        self.batch = max(batch, 1)
        self.now = datetime.now(UTC).replace(microsecond=0)

    def _accounts(self, count: int) -> list:
        from roles.models import Account

        have = set(Account.objects.values_list("aws_account_id", flat=True))
        Account.objects.bulk_create(
            Account(
                aws_account_id=account_id(i),
                name=account_name(i),
                production=i % PRODUCTION_EVERY == 0,
                regions=[] if i == 0 else Synthetic(i, self.now).regions,
            )
            for i in range(count)
            if account_id(i) not in have
        )
        by_id = {a.aws_account_id: a for a in Account.objects.all()}
        return [by_id[account_id(i)] for i in range(count)]

    def _sync(self, account, snapshot=None) -> None:
        """One sync run of the account, as a worker runs it; the snapshot, when given,
        stands in for the AWS read (collect)."""
        from roles.inventory.sync import service
        from roles.models import SyncRun

        run = SyncRun.objects.create(account=account)
        if snapshot is None:
            done = service.run_sync(run.pk)
        else:
            with mock.patch.object(service, "collect", lambda target, regions: snapshot):
                done = service.run_sync(run.pk)
        assert done is not None and done.status in ("succeeded", "partial"), (done, done.error)

    def grow(self, size: Size) -> Build:
        """Sync every account at `size` (new ones added, existing ones re-synced larger)."""
        from django.db import transaction

        build = Build()
        started = time.perf_counter()
        accounts = self._accounts(size.accounts)
        layout = ecs_layout(size.services, size.instances)
        build.layout = layout
        self.control.reset("large", accounts=1, roles=size.roles_per_account, **layout)
        hub = accounts[0]
        hub.regions = list(EMULATOR_REGIONS[: layout["regions"]])
        hub.save(update_fields=["regions"])
        clock = time.perf_counter()
        self._sync(hub)
        build.ecs_seconds = time.perf_counter() - clock
        clock = time.perf_counter()
        others = accounts[1:]
        for start in range(0, len(others), self.batch):
            with transaction.atomic():
                for account in others[start : start + self.batch]:
                    index = int(account.aws_account_id) - 200000000000
                    snapshot = Synthetic(index, self.now).snapshot(size.roles_per_account)
                    self._sync(account, snapshot)
        build.synthetic_seconds = time.perf_counter() - clock
        build.synthetic_accounts = len(others)
        self._check(layout)
        analyze()
        build.seconds = time.perf_counter() - started
        return build

    def _check(self, layout: dict) -> None:
        clusters = layout["regions"] * layout["clusters"]
        expected = {
            "clusters": clusters,
            "services": clusters * layout["services"],
            "instances": clusters * layout["instances"],
        }
        stored = ecs_totals()
        assert stored == expected, f"ECS account: {stored} stored, {expected} expected"

    def ecs_role(self):
        from roles.models import ServiceLinkedRole

        return ServiceLinkedRole.objects.get(
            account__aws_account_id=ECS_ACCOUNT, service_principal=ECS
        )

    def plan(self, user, build: Build):
        """The big ECS role's cleanup plan (a dry run), read from the emulator."""
        from roles.cleanup import plan as planning

        clock = time.perf_counter()
        plan, _ = planning.build(self.ecs_role(), user=user)
        build.plan_seconds = time.perf_counter() - clock
        build.plan_steps = plan.steps.count()
        analyze()
        return plan
