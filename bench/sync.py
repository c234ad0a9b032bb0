"""Benchmark a full sync of every account against the emulator's `large` scenario.

    .venv/bin/python -m bench.sync [--latency-ms 50] [--accounts 5 --regions 17
        --clusters 30 --services 10 --instances 4 --roles 20] [--skip-sequential]

In one run, against one emulator with the same injected latency per AWS call:
1. rolecall's sync of all accounts (accounts in parallel, as separate workers
   would run them; regions, clusters and IAM calls in bounded pools);
2. a naive sequential loop over the same API calls (the same code with every
   pool of size 1, accounts one after the other).
It prints both times and their ratio, the AWS calls made (the emulator's
counter) against the minimum the APIs allow, the critical-path bound (the
longest chain of dependent calls x latency) and the throughput bound (calls /
the emulator's measured capacity: on a small machine the emulator, not AWS,
is what the parallel sync waits for).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HUB = "123456789012"


def account_ids(count: int) -> list[str]:
    return [HUB] + [f"{100000000000 + i}" for i in range(1, count)]


def minimum_calls(p: dict) -> int:
    """The fewest IAM and ECS calls that read everything, given the APIs' page and batch
    sizes (the other services' blocker reads: minimum_blocker_calls)."""
    per_cluster = (
        max(1, math.ceil(p["services"] / 100))  # ListServices
        + math.ceil(p["services"] / 10)  # DescribeServices
        + max(1, math.ceil(p["instances"] / 100))  # ListContainerInstances
        + math.ceil(p["instances"] / 100)  # DescribeContainerInstances
    )
    per_region = (
        max(1, math.ceil(p["clusters"] / 100))  # ListClusters
        + math.ceil(p["clusters"] / 100)  # DescribeClusters
        + p["clusters"] * per_cluster
    )
    # Per role: GetRole, ListAttachedRolePolicies, GetPolicy, GetPolicyVersion,
    # GenerateServiceLastAccessedDetails, and two GetServiceLastAccessedDetails
    # (AWS answers IN_PROGRESS at first; the emulator does so exactly once).
    per_role = 7
    per_account = (
        max(1, math.ceil(p["roles"] / 100)) + p["roles"] * per_role + p["regions"] * per_region
    )
    assumes = p["accounts"] - 1  # the hub uses its own credentials
    return p["accounts"] * per_account + assumes


def minimum_blocker_calls() -> int:
    """The fewest calls that read every other service's blockers, from what the sync
    stored: per (account, service, region) read, each call's pages for the resources
    it returned (roles/aws/blockers.py minimum_calls)."""
    from collections import Counter

    from roles.aws.blockers import READERS, minimum_calls
    from roles.models import ServiceRegion, ServiceResource

    kinds: dict[int, Counter] = {}
    for region_id, kind in ServiceResource.objects.values_list("region_id", "kind"):
        kinds.setdefault(region_id, Counter())[kind] += 1
    return sum(
        minimum_calls(READERS[principal], kinds.get(pk, {}))
        for pk, principal in ServiceRegion.objects.values_list("pk", "principal")
    )


def critical_path(latency: float, poll: float) -> tuple[int, float]:
    """Longest chain of calls that must wait for each other, and its duration.

    IAM: AssumeRole, ListRoles, GetRole, ListAttachedRolePolicies, GetPolicy,
    GetPolicyVersion, Generate..., Get... (IN_PROGRESS), one poll delay,
    Get... (COMPLETED): 9 calls. ECS: AssumeRole, ListClusters,
    DescribeClusters, ListServices, DescribeServices: 5 calls.
    """
    chain = 9
    return chain, chain * latency + poll


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="rolecall-bench-"), "bench.sqlite3")
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_accounts(p: dict, regions: list[str]):
    from roles.models import Account

    Account.objects.all().delete()
    return [
        Account.objects.create(
            aws_account_id=account_id,
            name=f"large-{n:03d}",
            role_arn="" if account_id == HUB else f"arn:aws:iam::{account_id}:role/RolecallAudit",
            external_id="" if account_id == HUB else "rolecall-demo",
            regions=regions,
        )
        for n, account_id in enumerate(account_ids(p["accounts"]))
    ]


def parallel_sync(accounts) -> tuple[float, list]:
    from django.db import connection

    from roles.sync.service import run_sync, start_sync

    def one(account):
        try:
            return run_sync(start_sync(account, reason="benchmark").pk)
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(len(accounts)) as pool:
        runs = list(pool.map(one, accounts))
    return time.perf_counter() - started, runs


def sequential_loop(accounts) -> float:
    from roles.sync.collect import Limits, collect

    started = time.perf_counter()
    for account in accounts:
        collect(account.target(), list(account.regions), Limits(regions=1, ecs=1, iam=1))
    return time.perf_counter() - started


def capacity(url: str, seconds: float = 3.0, threads: int = 8) -> float:
    """Calls per second the emulator answers with no injected latency."""
    import boto3

    client = boto3.client(
        "ecs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    deadline = time.monotonic() + seconds

    def loop(_):
        n = 0
        while time.monotonic() < deadline:
            client.list_clusters(maxResults=1)
            n += 1
        return n

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(loop, range(threads)))
    return total / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50)
    for name, default in (
        ("accounts", 5),
        ("regions", 17),
        ("clusters", 30),
        ("services", 10),
        ("instances", 4),
        ("roles", 20),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args(argv)
    p = {
        k: getattr(args, k)
        for k in ("accounts", "regions", "clusters", "services", "instances", "roles")
    }

    from emulator.scenarios.large import REGIONS
    from emulator.testing import EmulatorProcess

    params = [f"--{k}={v}" for k, v in p.items()]
    with EmulatorProcess("large", *params) as emulator:
        os.environ.update(
            AWS_ENDPOINT_URL=emulator.url,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
        )
        setup_django(args.database_url)
        from django.conf import settings

        accounts = make_accounts(p, list(REGIONS[: p["regions"]]))
        per_second = capacity(emulator.url)
        control = emulator.control
        latency = args.latency_ms / 1000
        control.set_latency(args.latency_ms)

        control.reset_calls()
        parallel, runs = parallel_sync(accounts)
        calls = control.calls()["total"]
        failed = [r for r in runs if r.status != "succeeded"]

        sequential = None
        if not args.skip_sequential:
            control.reset_calls()
            sequential = sequential_loop(accounts)
            sequential_calls = control.calls()["total"]

    ecs_and_iam = minimum_calls(p)
    blockers = minimum_blocker_calls()
    minimum = ecs_and_iam + blockers
    chain, bound = critical_path(latency, settings.ROLECALL_ADVISOR_POLL_SECONDS)
    throughput_bound = calls / per_second
    print(f"scenario: {p}, latency {args.latency_ms:.0f} ms per call")
    print(
        f"pools per account: regions {settings.ROLECALL_SYNC_REGION_CONCURRENCY}, "
        f"ECS {settings.ROLECALL_SYNC_ECS_CONCURRENCY}, "
        f"IAM {settings.ROLECALL_SYNC_IAM_CONCURRENCY}; "
        f"accounts in parallel: {len(accounts)}"
    )
    print(
        f"rolecall sync (all accounts):     {parallel:8.1f} s  ({len(failed)} runs not succeeded)"
    )
    if sequential is not None:
        print(f"naive sequential loop:            {sequential:8.1f} s  ({sequential_calls} calls)")
        print(f"speed-up:                         {sequential / parallel:8.1f} x")
    print(
        f"AWS calls:                        {calls:8d}  (minimum {minimum}: IAM and ECS "
        f"{ecs_and_iam}, other services' blockers {blockers}; "
        f"{(calls - minimum) / minimum * 100:+.1f}%)"
    )
    print(
        f"critical-path bound:              {bound:8.2f} s  ({chain} dependent calls x "
        f"{args.latency_ms:.0f} ms + one Access Advisor poll delay)"
    )
    print(f"emulator capacity:                {per_second:8.0f} calls/s (no latency, 8 threads)")
    print(f"throughput bound:                 {throughput_bound:8.1f} s  (calls / capacity)")
    print(f"sync vs max(bounds):              {parallel / max(bound, throughput_bound):8.2f} x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
