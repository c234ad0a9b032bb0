"""Benchmark an approved deletion against a backlog of syncs, with the Procfile's workers.

    .venv/bin/python -m bench.queues [--accounts 2000] [--repeat 3] [--latency-ms 50]
        [--database-url postgres://postgres@127.0.0.1:5432/rolecall_bench_queues]
        [--redis-url redis://127.0.0.1:6379/5]

Starts the emulator (its `large` scenario builds at most 1,000 accounts, each with
20 service-linked roles in 1 region; the accounts past them get only their audit
role, created through IAM in that account as docs/aws.md asks
of an administrator) with `--latency-ms` added to every AWS call, and adds
`--accounts` accounts. Then, for each process set in turn:

1. starts its Celery workers as real processes, each exactly as its line says: the
   baseline, the one worker line both Procfiles had before changes got a worker of
   their own; then the `celery ... worker` lines of `Procfile`, what ships (beat is
   not started: nothing else is queued meanwhile);
2. queues a sync of every account through the Refresh path (roles.inventory.sync.service.
   start_sync, as "Refresh all" does) and waits until every process that takes
   syncs is running one;
3. `--repeat` times, at a random moment: one user confirms the deletion of a role
   that can be deleted now and another approves it (roles.deletion.service, the
   approval core), and it times how long after the approval the emulator counted
   the DeleteServiceLinkedRole call, polling its call counter every 10 ms (so an
   upper bound of the arrival), with the syncs still waiting in Redis then. It
   also shows when a worker logged the submit task received: the wait in the
   queue, before the submit's own reads (AssumeRole, GetCallerIdentity, GetRole,
   the role's blockers) and the call.

The last line is for the shipped process set: `deletion reached AWS after: X.XX s
(max of N) with M syncs queued`, M being the fewest syncs queued at any of those
moments; the line before it is the baseline's. The database (PostgreSQL, its name
must contain "bench") is created afresh for the run and dropped after it; the Redis
database must be empty and is flushed after it; every process it started is stopped.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass

from bench.workers import (
    BIN,
    SCENARIO_ACCOUNTS,
    Worker,
    add_audit_roles,
    approve,
    bench_environment,
    describe,
    free_roles,
    make_accounts,
    make_users,
    option,
    worker_bench,
)

# The worker line both Procfiles had before the `changes` worker: one worker, two
# processes, every queue (changes first).
BASELINE = {
    "worker": "celery -A dashboard worker --queues changes,sync,celery --loglevel INFO "
    "--concurrency 2 --hostname worker@%h"
}
SCENARIO = ["--regions", "1", "--clusters", "1", "--services", "2", "--instances", "1"]
ROLES_PER_ACCOUNT = 20
REACH_TIMEOUT = 60.0  # seconds a deletion may take to reach AWS before it counts as lost
DELETE = "iam:DeleteServiceLinkedRole"


def sync_capacity(workers: dict[str, str]) -> int:
    return sum(
        int(option(c, "--concurrency") or os.cpu_count() or 1)
        for c in workers.values()
        if "sync" in option(c, "--queues").split(",")
    )


# --- syncs ----------------------------------------------------------------------


def queue_syncs(accounts, user) -> None:
    """A sync of every account, queued as "Refresh all" queues them."""
    from roles.inventory.sync.service import start_sync

    for account in accounts:
        start_sync(account, user=user)


def close_syncs() -> None:
    """End the runs a stopped process set left queued or running (this database only)."""
    from django.utils import timezone

    from roles.models import SyncRun

    SyncRun.objects.active().update(
        status=SyncRun.Status.FAILED,
        finished=timezone.now(),
        error={"code": "Interrupted", "message": "benchmark", "request_id": "", "operation": ""},
    )


def running_syncs() -> int:
    from roles.models import SyncRun

    return SyncRun.objects.filter(status=SyncRun.Status.RUNNING).count()


# --- one measurement ------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float | None  # approval -> the emulator had counted DeleteServiceLinkedRole
    queued: int  # syncs waiting in Redis at that moment
    running: int
    picked: float | None = None  # approval -> a worker logged the submit task received


def watch_for_delete(control, broker, started: float, found: list) -> None:
    """Poll the emulator's counter until it has DeleteServiceLinkedRole (or time is up)."""
    from django.db import connection

    try:
        while time.monotonic() - started < REACH_TIMEOUT:
            if control.calls()["operations"].get(DELETE):
                seconds = time.monotonic() - started
                found.append((seconds, broker.llen("sync"), running_syncs()))
                return
            time.sleep(0.01)
        found.append((None, broker.llen("sync"), running_syncs()))
    finally:
        connection.close()


def deletion_sample(role, bench: Bench, workers: list[Worker]) -> Sample:
    """One user confirms the role's deletion, another approves it: how long until AWS."""
    from roles.deletion.service import request_deletion

    operator, approver = bench.users
    deletion = request_deletion(role, user=operator).request
    bench.control.reset_calls()
    found: list = []
    started = time.monotonic()
    watcher = threading.Thread(
        target=watch_for_delete, args=(bench.control, bench.broker, started, found)
    )
    watcher.start()
    approve(deletion, approver)
    watcher.join()
    seconds, queued, running = found[0]
    picked = min((t for w in workers for t in w.submits if t >= started), default=None)
    return Sample(seconds, queued, running, None if picked is None else picked - started)


def sync_seconds(since) -> tuple[int, float]:
    from roles.models import SyncRun

    runs = SyncRun.objects.filter(
        started__gte=since, finished__isnull=False, status=SyncRun.Status.SUCCEEDED
    )
    durations = [(r.finished - r.started).total_seconds() for r in runs]
    return len(durations), statistics.median(durations) if durations else 0.0


@dataclass
class Bench:
    env: dict[str, str]  # the workers' environment
    accounts: list
    roles: list  # roles that can be deleted now, one per deletion
    users: list  # the operator who confirms, the approver who approves
    control: object  # the emulator's control client
    broker: object  # redis.Redis on the broker's database
    repeat: int
    rng: random.Random


def run_set(label: str, workers: dict[str, str], bench: Bench) -> list[Sample]:
    from django.utils import timezone

    print(f"{label}: {describe(workers)}", flush=True)
    bench.broker.flushdb()
    close_syncs()
    since = timezone.now()
    started = [Worker(name, command, bench.env) for name, command in workers.items()]
    samples = []
    try:
        for worker in started:
            worker.wait_ready()
        queueing = time.monotonic()
        queue_syncs(bench.accounts, bench.users[0])
        print(
            f"  {len(bench.accounts)} syncs queued in {time.monotonic() - queueing:.1f} s",
            flush=True,
        )
        capacity = min(sync_capacity(workers), len(bench.accounts))
        deadline = time.monotonic() + 120
        while running_syncs() < capacity and time.monotonic() < deadline:
            time.sleep(0.1)
        for n in range(1, bench.repeat + 1):
            time.sleep(bench.rng.uniform(0.5, 3.0))  # a random point of the syncs running
            sample = deletion_sample(bench.roles.pop(), bench, started)
            samples.append(sample)
            reached = (
                f"reached AWS {sample.seconds:.2f} s after the approval"
                if sample.seconds is not None
                else f"did not reach AWS within {REACH_TIMEOUT:.0f} s"
            )
            picked = (
                f" (a worker took it after {sample.picked:.2f} s)"
                if sample.picked is not None
                else ""
            )
            print(
                f"  deletion {n}: {reached}{picked}; "
                f"{sample.queued} syncs queued, {sample.running} running",
                flush=True,
            )
    finally:
        for worker in started:
            worker.stop()
    done, median = sync_seconds(since)
    print(f"  syncs finished meanwhile: {done}, {median:.1f} s each (median)", flush=True)
    return samples


def summary(samples: list[Sample]) -> str:
    if any(s.seconds is None for s in samples):
        worst = f"more than {REACH_TIMEOUT:.0f}"
    else:
        worst = f"{max(s.seconds for s in samples):.2f}"
    fewest = min(s.queued for s in samples)
    return (
        f"deletion reached AWS after: {worst} s (max of {len(samples)}) with {fewest} syncs queued"
    )


def measure(args, shipped: dict[str, str], broker, var: str):
    """The emulator, the accounts and both process sets: (baseline samples, shipped samples)."""
    from emulator.scenarios.large import account_ids
    from emulator.testing import EmulatorProcess

    scenario = min(args.accounts, SCENARIO_ACCOUNTS)
    params = [f"--accounts={scenario}", f"--roles={ROLES_PER_ACCOUNT}", *SCENARIO]
    with EmulatorProcess("large", *params, startup_timeout=300) as emulator:
        os.environ.update(bench_environment(args, emulator.url, var))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        add_audit_roles(emulator.url, account_ids(args.accounts)[scenario:])
        accounts = make_accounts(args.accounts)
        users = make_users()
        roles = free_roles(accounts, 2 * args.repeat)
        emulator.control.set_latency(args.latency_ms)
        print(
            f"{args.accounts} accounts: {scenario} of the emulator's large scenario "
            f"({ROLES_PER_ACCOUNT} service-linked roles, 1 region each), "
            f"{args.accounts - scenario} with only the audit role; "
            f"{args.latency_ms:.0f} ms per AWS call",
            flush=True,
        )
        bench = Bench(
            env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
            accounts=accounts,
            roles=roles,
            users=users,
            control=emulator.control,
            broker=broker,
            repeat=args.repeat,
            rng=random.Random(15),
        )
        old = run_set("baseline, the old worker line", BASELINE, bench)
        new = run_set("Procfile", shipped, bench)
    return old, new


# --- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rolecall_bench_queues"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args(argv)
    if args.accounts < 2 or args.repeat < 1:
        parser.error("--accounts must be at least 2 and --repeat at least 1")

    with worker_bench(parser, args, "queues") as (shipped, broker, var):
        old, new = measure(args, shipped, broker, var)
    print(f"baseline, the old worker line: {summary(old)}")
    print(summary(new))
    return 0 if all(s.seconds is not None for s in new) else 1


if __name__ == "__main__":
    sys.exit(main())
