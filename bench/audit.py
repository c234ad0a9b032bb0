"""Benchmark the audit history at 1,000 and 1,000,000 events.

    .venv/bin/python -m bench.audit [--database-url postgres://postgres@127.0.0.1:5432/rolecall_bench]
                                    [--events 1000000] [--repeat 5]

Creates (or empties) the benchmark database, fills it through the same chain
code the application uses (bulk inserts, hashes computed in order), then times
the audit page (first page, a deep page, a filtered page, a free-text search)
and a full CSV export, with their query counts, at both sizes in the same run.
Pages use keyset pagination, so their ratio should stay near 1.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

ACTORS = [f"user{n:02d}" for n in range(50)] + ["system"] * 50
ACCOUNTS = [f"{n:012d}" for n in range(100000000001, 100000000021)]


def setup_django(database_url: str) -> None:
    parts = urlsplit(database_url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        admin = urlunsplit(parts._replace(path="/postgres"))
        name = parts.path.lstrip("/")
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_audit_table() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL rolecall.audit_truncate = 'on'")
            cursor.execute("TRUNCATE roles_auditevent")
        else:
            cursor.execute("DELETE FROM roles_auditevent")


def fill(target: int, roles: list[str], rng: random.Random) -> float:
    """Append events up to `target` rows through the chain code; returns seconds."""
    from roles.audit import chain
    from roles.audit.actions import ACTIONS
    from roles.models import AuditEvent

    actions = list(ACTIONS)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash", "time").first()
    seq, prev, when = last if last else (0, chain.GENESIS, datetime(2024, 1, 1, tzinfo=UTC))
    started = time.perf_counter()
    batch: list[AuditEvent] = []
    while seq < target:
        seq += 1
        when += timedelta(seconds=rng.randint(1, 60))
        role = rng.choice(roles)
        event = AuditEvent(
            seq=seq,
            time=when,
            actor_name=rng.choice(ACTORS),
            action=rng.choice(actions),
            outcome=rng.choice(["success"] * 8 + ["failure", "denied"]),
            source_ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            target_arn=role,
            account_id=role.split(":")[4],
            region=rng.choice(["us-east-1", "eu-west-1"]),
            aws_request_id=f"{rng.getrandbits(64):016x}",
            details={"attempt": rng.randint(1, 3), "note": "benchmark"},
            prev_hash=prev,
        )
        event.hash = chain.event_hash(event)
        prev = event.hash
        batch.append(event)
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    return time.perf_counter() - started


def measure(client, url: str, repeat: int, *, stream: bool = False) -> tuple[float, int, int]:
    """Median seconds, query count, and rows shown (a page) or bytes (a stream)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries, size = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            # Consume a stream chunk by chunk, as a client would, keeping nothing.
            size = (
                sum(len(chunk) for chunk in response.streaming_content)
                if stream
                else response.content.count(b"<tr data-seq=")
            )
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(timings), queries, size


def scenarios(total: int, roles: list[str]) -> dict[str, str]:
    from roles.models import AuditEvent

    deep = max(total // 10, 2)
    # A request id that occurs once, in the oldest tenth: the worst case for a scan.
    rare = AuditEvent.objects.get(seq=deep).aws_request_id
    return {
        "first page": "/audit/",
        f"deep page (before #{deep})": f"/audit/?before={deep}",
        "filtered (account+action)": f"/audit/?account={ACCOUNTS[3]}&action=deletion.failed",
        "filtered (role)": f"/audit/?role={roles[7]}",
        "free-text search (common)": "/audit/?q=user07",
        "free-text search (rare)": f"/audit/?q={rare}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rolecall_bench"
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    setup_django(args.database_url)

    from django.contrib.auth.models import User
    from django.test import Client

    rng = random.Random(7)
    roles = [
        f"arn:aws:iam::{rng.choice(ACCOUNTS)}:role/aws-service-role/svc{n}.amazonaws.com/AWSServiceRoleForSvc{n}"
        for n in range(500)
    ]
    empty_audit_table()
    user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    client = Client()

    results: dict[int, dict[str, tuple[float, int, int]]] = {}
    for size in (args.baseline, args.events):
        fill_seconds = fill(size, roles, rng)
        client.force_login(user)
        print(f"filled to {size:,} events in {fill_seconds:.1f}s", flush=True)
        row = {
            name: measure(client, url, args.repeat) for name, url in scenarios(size, roles).items()
        }
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        row["full CSV export"] = measure(client, "/audit/export.csv", 1, stream=True)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(f"  CSV export: peak RSS grew by {grown / 1024:.1f} MiB", flush=True)
        results[size] = row

    small, large = results[args.baseline], results[args.events]
    print()
    print(
        f"{'measure':32} {args.baseline:>10,} ev {args.events:>12,} ev {'ratio':>8} "
        f"{'queries':>9} {'rows':>9}"
    )
    for name in large:
        name_small = next(k for k in small if k.split(" (before")[0] == name.split(" (before")[0])
        t_small, q_small, n_small = small[name_small]
        t_large, q_large, n_large = large[name]
        shown = (
            f"{n_small / 1e6:.1f}/{n_large / 1e6:.0f} MB"
            if name == "full CSV export"
            else f"{n_small}/{n_large}"
        )
        print(
            f"{name.split(' (before')[0]:32} {t_small * 1000:10.1f} ms {t_large * 1000:12.1f} ms "
            f"{t_large / t_small:8.2f} {q_small:>4}/{q_large:<4} {shown:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
