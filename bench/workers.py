"""What the worker benchmarks (bench/queues.py, bench/campaign.py) share: the
Procfile's `celery ... worker` lines run as real processes, the settings they and the
benchmark run with, a PostgreSQL database made for the run and dropped after it, and
the accounts, users and deletable roles of the emulator's `large` scenario."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCENARIO_ACCOUNTS = 1000  # the most the emulator's `large` scenario builds
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


def approve(deletion, approver) -> None:
    """The second person approves a deletion request as shown (its evidence version)."""
    from roles.deletion.service import decide

    decide(
        deletion,
        user=approver,
        approve=True,
        comment="benchmark",
        version=deletion.evidence_version,
    )


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

    from roles.access import groups

    users = []
    for name, group in (("operator", groups.OPERATOR), ("approver", groups.APPROVER)):
        user = get_user_model().objects.create_user(name, password=None)
        user.groups.add(Group.objects.get(name=group))
        users.append(user)
    return users


def free_roles(accounts, needed: int) -> list:
    """Roles that can be deleted now, from accounts synced here (last accounts first)."""
    from roles.inventory.protection import role_protection
    from roles.inventory.readiness import readiness
    from roles.inventory.sync.service import run_sync
    from roles.models import SyncRun

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
