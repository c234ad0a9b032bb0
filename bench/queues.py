"""Benchmark an approved deletion against a backlog of syncs, with the Procfile's workers.

    .venv/bin/python -m bench.queues [--accounts 2000] [--repeat 3] [--latency-ms 50]
        [--database-url postgres://postgres@127.0.0.1:5432/rolecall_bench_queues]
        [--redis-url redis://127.0.0.1:6379/5]

Starts the emulator (its `large` scenario builds at most 1,000 accounts, each with
20 service-linked roles in 1 region; the accounts past them get only their audit
role, created through IAM in that account as README's "Pointing at real AWS" asks
of an administrator) with `--latency-ms` added to every AWS call, and adds
`--accounts` accounts. Then, for each process set in turn:

1. starts its Celery workers as real processes, each exactly as its line says: the
   baseline, the one worker line both Procfiles had before changes got a worker of
   their own; then the `celery ... worker` lines of `Procfile`, what ships (beat is
   not started: nothing else is queued meanwhile);
2. queues a sync of every account through the Refresh path (roles.sync.service.
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
import json
import os
import random
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The worker line both Procfiles had before the `changes` worker: one worker, two
# processes, every queue (changes first).
BASELINE = {
    "worker": "celery -A dashboard worker --queues changes,sync,celery --loglevel INFO "
    "--concurrency 2 --hostname worker@%h"
}
SCENARIO_ACCOUNTS = 1000  # the most the emulator's `large` scenario builds
SCENARIO = ["--regions", "1", "--clusters", "1", "--services", "2", "--instances", "1"]
ROLES_PER_ACCOUNT = 20
REACH_TIMEOUT = 60.0  # seconds a deletion may take to reach AWS before it counts as lost
DELETE = "iam:DeleteServiceLinkedRole"
SUBMIT = "rolecall.deletion.submit"


def procfile_workers(path: Path = ROOT / "Procfile") -> dict[str, str]:
    """name -> command of every `celery ... worker` process the Procfile starts."""
    workers = {}
    for line in path.read_text().splitlines():
        name, sep, command = line.partition(":")
        if not sep or line.lstrip().startswith("#"):
            continue
        words = shlex.split(command)
        if words[:1] == ["celery"] and "worker" in words:
            workers[name.strip()] = command.strip()
    return workers


def option(command: str, name: str) -> str:
    words = shlex.split(command)
    return words[words.index(name) + 1] if name in words else ""


def describe(workers: dict[str, str]) -> str:
    return "; ".join(
        f"{name} --queues {option(c, '--queues')} --concurrency {option(c, '--concurrency')}"
        for name, c in workers.items()
    )


def sync_capacity(workers: dict[str, str]) -> int:
    return sum(
        int(option(c, "--concurrency") or os.cpu_count() or 1)
        for c in workers.values()
        if "sync" in option(c, "--queues").split(",")
    )


# --- environment: database, broker, settings ------------------------------------


def bench_environment(args, endpoint: str, var: str) -> dict[str, str]:
    """The settings of the workers and of this process: production settings, approval on."""
    return {
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "ROLECALL_ENV_FILE": "",
        "ROLECALL_VAR_DIR": var,
        "ROLECALL_REQUIRE_APPROVAL": "true",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONUNBUFFERED": "1",
    }


def admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def is_bench_database(database_url: str) -> bool:
    """Only a PostgreSQL database named for benchmarks is ever created and dropped here."""
    return urlsplit(database_url).scheme.startswith("postgres") and (
        "bench" in admin_url(database_url)[1]
    )


def create_database(database_url: str) -> None:
    import psycopg

    admin, name = admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url: str) -> None:
    import psycopg

    admin, name = admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def worker_bench(parser: argparse.ArgumentParser, args, name: str) -> Iterator[tuple]:
    """A benchmark with the Procfile's workers: refuse (parser.error) a database not
    named for benchmarks, a Procfile with no worker or a Redis database in use; then
    yield (workers, broker, scratch folder) with the database created afresh, and on
    the way out, whatever happened, close the connections, flush Redis, drop the
    database and the folder. SIGTERM stops it as Ctrl-C does."""
    if not is_bench_database(args.database_url):
        parser.error("--database-url: a PostgreSQL database whose name contains 'bench'")
    workers = procfile_workers()
    if not workers:
        parser.error("Procfile starts no Celery worker")
    import redis

    broker = redis.Redis.from_url(args.redis_url)
    if broker.dbsize():
        parser.error(f"{args.redis_url} is not empty: flush it or pass another --redis-url")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    var = tempfile.mkdtemp(prefix=f"rolecall-bench-{name}-")
    try:
        create_database(args.database_url)
        yield workers, broker, var
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        try:
            broker.flushdb()
        finally:
            drop_database(args.database_url)
            shutil.rmtree(var, ignore_errors=True)


# --- processes -------------------------------------------------------------------


class Worker:
    """One Procfile line run as the Procfile runner would: `sh -c "exec <command>"`."""

    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        self.output: deque[str] = deque(maxlen=200)
        self.submits: list[float] = []  # when each deletion submit task was received
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {command}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if f"Task {SUBMIT}[" in line and line.rstrip().endswith(" received"):
                self.submits.append(time.monotonic())
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 60) -> None:
        if not self.ready.wait(timeout):
            raise RuntimeError(f"{self.name} did not start:\n{''.join(self.output)}")

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (running syncs finish), then SIGKILL to its process group."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its pool processes, if any are left
        except ProcessLookupError:
            pass
        self.proc.wait()


# --- accounts, roles, syncs --------------------------------------------------------


def add_audit_roles(url: str, ids: list[str]) -> None:
    """RolecallAudit in accounts the scenario did not build, created in each account."""
    import boto3

    from emulator.scenarios.common import audit_trust_policy

    iam = boto3.client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    current = {"account": ""}

    def in_account(request, **kwargs):
        request.headers["x-moto-account-id"] = current["account"]

    iam.meta.events.register("before-sign.iam.*", in_account)
    for account_id in ids:
        current["account"] = account_id
        iam.create_role(
            RoleName="RolecallAudit", AssumeRolePolicyDocument=json.dumps(audit_trust_policy())
        )


def make_accounts(count: int):
    from emulator.scenarios.large import account_ids
    from emulator.state import HUB_ACCOUNT as HUB
    from roles.models import Account

    return Account.objects.bulk_create(
        Account(
            aws_account_id=account_id,
            name=f"bench-{n:04d}",
            role_arn="" if account_id == HUB else f"arn:aws:iam::{account_id}:role/RolecallAudit",
            external_id="" if account_id == HUB else "rolecall-demo",
            regions=["us-east-1"],
        )
        for n, account_id in enumerate(account_ids(count))
    )


def make_users():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from roles import groups

    users = []
    for name, group in (("operator", groups.OPERATOR), ("approver", groups.APPROVER)):
        user = get_user_model().objects.create_user(name, password=None)
        user.groups.add(Group.objects.get(name=group))
        users.append(user)
    return users


def free_roles(accounts, needed: int) -> list:
    """Roles that can be deleted now, from accounts synced here (last accounts first)."""
    from roles.models import SyncRun
    from roles.protection import role_protection
    from roles.readiness import readiness
    from roles.sync.service import run_sync

    found = []
    for account in reversed(accounts[: min(len(accounts), SCENARIO_ACCOUNTS)]):
        run_sync(SyncRun.objects.create(account=account).pk)
        for role in account.roles.order_by("name"):
            if (
                role.is_live
                and role.is_service_linked
                and role.role_id
                and readiness(role).verdict == "ready"
                and not role_protection(role)
            ):
                found.append(role)
        if len(found) >= needed:
            return found[:needed]
    raise SystemExit(f"only {len(found)} roles can be deleted now; {needed} needed")


def queue_syncs(accounts, user) -> None:
    """A sync of every account, queued as "Refresh all" queues them."""
    from roles.sync.service import start_sync

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
    from roles.deletion.service import decide, request_deletion

    operator, approver = bench.users
    deletion = request_deletion(role, user=operator).request
    bench.control.reset_calls()
    found: list = []
    started = time.monotonic()
    watcher = threading.Thread(
        target=watch_for_delete, args=(bench.control, bench.broker, started, found)
    )
    watcher.start()
    decide(
        deletion,
        user=approver,
        approve=True,
        comment="benchmark",
        version=deletion.evidence_version,
    )
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
