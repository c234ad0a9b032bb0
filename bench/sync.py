"""Benchmark a full sync of every account against the emulator's `large` scenario.

    .venv/bin/python -m bench.sync [--latency-ms 50] [--accounts 5 --regions 17
        --clusters 30 --services 10 --instances 4 --roles 20] [--catalogue] [--skip-sequential]

--catalogue: every account also holds a role of each of the catalogue's services
(emulator/linked/), so each of their readers runs in each account and region.

In one run, against one emulator with the same injected latency per AWS call:
1. rolecall's sync of all accounts (accounts in parallel, as separate workers
   would run them; regions and IAM calls in bounded pools), from an empty
   database: every attached policy version is read once, by the first sync to meet it;
2. the same sync again: the policy versions are stored, none is read;
3. a naive sequential loop over the same API calls as 1 (the same code with every
   pool of size 1, accounts one after the other, the stored versions forgotten first).
It prints the times and their ratio, the AWS calls made (the emulator's counter)
against the minimum the APIs allow, the critical-path bound (the longest chain of
dependent calls x latency), the throughput bound (calls / the emulator's measured
capacity: on a small machine the emulator, not AWS, is what the parallel sync waits
for), and an estimate for 2,000 accounts of the scenario's size against AWS at
--latency-ms per call with N sync workers (estimate()).
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


AUTOSCALING = "autoscaling.amazonaws.com"
# Per role: GetRole, ListAttachedRolePolicies, GenerateServiceLastAccessedDetails, and two
# GetServiceLastAccessedDetails (AWS answers IN_PROGRESS at first; the emulator does so
# exactly once). The policies' default versions come from the account's ListPolicies.
PER_ROLE = 5


def account_calls(p: dict) -> dict[str, int]:
    """One account's fewest IAM and ECS calls, by the pool that makes them, given the APIs'
    page and batch sizes (docs/sync.md). Left out: AssumeRole, the policy versions
    (policy_versions: once for the whole organization) and the other services' blocker
    reads (minimum_blocker_calls). ECS: each region's clusters with their counts
    (ListClusters, 100 a page; DescribeClusters, 100 a call); the services and container
    instances behind the counts are read only when a page opens them (docs/scale.md)."""
    roles = len(scenario_roles(p))
    listed = (
        max(1, math.ceil(roles / 100))  # ListRoles
        # ListPolicies (Scope=AWS, OnlyAttached): every attached policy's DefaultVersionId
        + (max(1, math.ceil(len(scenario_policies(p)) / 1000)) if roles else 0)
    )
    return {
        "iam": listed + roles * PER_ROLE,
        "regions": p["regions"]
        * (max(1, math.ceil(p["clusters"] / 100)) + math.ceil(p["clusters"] / 100)),
    }


def scenario_roles(p: dict) -> list[str]:
    """Each account's service-linked roles, by service: the catalogue's first `roles`, then
    Auto Scaling's (emulator/scenarios/large.py); creating a cluster creates the ECS role
    if `roles` left it out."""
    from emulator.policies import WITH_POLICY

    catalogue = list(WITH_POLICY)
    roles = [catalogue[i] if i < len(catalogue) else AUTOSCALING for i in range(p["roles"])]
    if p["clusters"] and p["regions"] and "ecs.amazonaws.com" not in roles:
        roles.append("ecs.amazonaws.com")
    if p.get("catalogue"):
        from emulator.policies import CATALOGUED

        roles += CATALOGUED
    return roles


def scenario_policies(p: dict) -> set[str]:
    """The AWS managed policies attached to each account's roles (the same in every one)."""
    from emulator.policies import CATALOGUE

    names = {CATALOGUE[principal].policy_name for principal in scenario_roles(p)}
    return names - {""}  # the catalogue's roles carry none (emulator/linked/)


def policy_versions(p: dict) -> int:
    """GetPolicyVersion calls for the whole run: one per distinct (policy ARN, version)
    attached anywhere in the organization (every policy is at v1 after a reset), not one
    per role."""
    return len(scenario_policies(p))


def minimum_calls(p: dict, *, versions_stored: bool = False) -> int:
    """The fewest IAM and ECS calls that read every account (the other services' blocker
    reads: minimum_blocker_calls); versions_stored: a database that holds every policy
    version already (a second sync)."""
    assumes = p["accounts"] - 1  # the hub uses its own credentials
    versions = 0 if versions_stored else policy_versions(p)
    return p["accounts"] * sum(account_calls(p).values()) + assumes + versions


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
        minimum_calls(READERS[principal], kinds.get(pk, {}), region)
        for pk, principal, region in ServiceRegion.objects.values_list("pk", "principal", "region")
    )


def critical_path(latency: float, poll: float, *, versions_stored: bool = False):
    """Longest chain of calls that must wait for each other, and its duration.

    IAM: AssumeRole, ListRoles, GetRole, ListAttachedRolePolicies,
    GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails (IN_PROGRESS),
    one poll delay, GetServiceLastAccessedDetails (COMPLETED): 8 calls. A policy version
    no sync has stored is read after the account's roles are listed, before the first
    poll: 9. ListPolicies runs beside the roles' reads. ECS: AssumeRole, ListClusters,
    DescribeClusters: 3 calls.
    """
    chain = 8 if versions_stored else 9
    return chain, chain * latency + poll


def account_bounds(p: dict, blockers: float, latency: float, poll: float) -> dict[str, float]:
    """Seconds one account's sync takes at least against AWS answering every call in
    `latency` with no throttling, policy versions stored: its critical path, and for each
    of its bounded pools, AssumeRole then the pool's calls x latency / the pool's size
    (IAM adds one Access Advisor poll delay). `blockers`: the account's blocker reads."""
    from django.conf import settings

    calls = account_calls(p)
    return {
        "critical path": critical_path(latency, poll, versions_stored=True)[1],
        "IAM pool": latency
        + calls["iam"] * latency / settings.ROLECALL_SYNC_IAM_CONCURRENCY
        + poll,
        "region pool": latency
        + (calls["regions"] + blockers) * latency / settings.ROLECALL_SYNC_REGION_CONCURRENCY,
    }


def estimate(t_account: float, workers: int, accounts: int) -> float:
    """ceil(accounts / workers) x T_account: each sync worker syncs one account at a time,
    and accounts share no pool (IAM's and ECS's limits are per account)."""
    return math.ceil(accounts / workers) * t_account


ESTIMATE_ACCOUNTS = 2000
ESTIMATE_WORKERS = (1, 8, 32)


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

    from roles.inventory.sync.service import run_sync, start_sync

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
    from roles.inventory.sync.collect import Limits, collect
    from roles.models import ManagedPolicyVersion

    ManagedPolicyVersion.objects.all().delete()  # the same calls as the first sync
    started = time.perf_counter()
    for account in accounts:
        collect(account.target(), list(account.regions), Limits(regions=1, iam=1))
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
    parser.add_argument("--catalogue", action="store_true", help="every catalogue role too")
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args(argv)
    p = {
        k: getattr(args, k)
        for k in ("accounts", "regions", "clusters", "services", "instances", "roles")
    }
    p["catalogue"] = int(args.catalogue)

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
        counted = control.calls()
        calls, reads = counted["total"], counted["operations"].get("iam:GetPolicyVersion", 0)
        control.reset_calls()
        again, second = parallel_sync(accounts)
        counted_again = control.calls()
        calls_again = counted_again["total"]
        reads_again = counted_again["operations"].get("iam:GetPolicyVersion", 0)
        failed = [r for r in runs + second if r.status != "succeeded"]

        sequential = None
        if not args.skip_sequential:
            control.reset_calls()
            sequential = sequential_loop(accounts)
            sequential_calls = control.calls()["total"]

    ecs_and_iam = minimum_calls(p)
    blockers = minimum_blocker_calls()
    minimum = ecs_and_iam + blockers
    minimum_again = minimum_calls(p, versions_stored=True) + blockers
    versions = policy_versions(p)
    poll = settings.ROLECALL_ADVISOR_POLL_SECONDS
    chain, bound = critical_path(latency, poll)
    throughput_bound = calls / per_second
    print(f"scenario: {p}, latency {args.latency_ms:.0f} ms per call")
    print(
        f"pools per account: regions {settings.ROLECALL_SYNC_REGION_CONCURRENCY}, "
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
        f"  policy versions read:           {reads:8d}  (minimum {versions}: one per distinct "
        f"(ARN, version); syncs running at once claim each version, one reads it, "
        f"the others wait for its document)"
    )
    print(
        f"calls per account (second sync):  {calls_again / p['accounts']:8.1f}  (minimum "
        f"{minimum_again / p['accounts']:.1f} for the {len(scenario_roles(p))} roles present)"
    )
    print(
        f"second sync (versions stored):    {again:8.1f} s, {calls_again} calls  (minimum "
        f"{minimum_again}; {(calls_again - minimum_again) / minimum_again * 100:+.1f}%), "
        f"policy versions read: {reads_again}"
    )
    print(
        f"critical-path bound:              {bound:8.2f} s  ({chain} dependent calls x "
        f"{args.latency_ms:.0f} ms + one Access Advisor poll delay; "
        f"{chain - 1} once the versions are stored)"
    )
    print(f"emulator capacity:                {per_second:8.0f} calls/s (no latency, 8 threads)")
    print(f"throughput bound:                 {throughput_bound:8.1f} s  (calls / capacity)")
    print(f"sync vs max(bounds):              {parallel / max(bound, throughput_bound):8.2f} x")
    per_account = 1 + sum(account_calls(p).values()) + blockers / p["accounts"]
    bounds = account_bounds(p, blockers / p["accounts"], latency, poll)
    binding = max(bounds, key=bounds.get)
    print(
        f"one account against AWS:          {bounds[binding]:8.2f} s  (T_account, the "
        f"{binding}; "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in bounds.items())
        + ")"
    )
    total = per_account * ESTIMATE_ACCOUNTS + versions
    minutes = [estimate(bounds[binding], n, ESTIMATE_ACCOUNTS) / 60 for n in ESTIMATE_WORKERS]
    print(
        f"{ESTIMATE_ACCOUNTS:,} accounts (ceil(accounts / N) x T_account): {total:,.0f} calls; "
        + ", ".join(f"N={n} {m:,.1f} min" for n, m in zip(ESTIMATE_WORKERS, minutes, strict=True))
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
