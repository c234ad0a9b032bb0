"""Benchmark Organizations discovery at a small and a large organization.

    .venv/bin/python -m bench.discovery [--accounts 2000] [--latency-ms 20]
        [--database-url URL]

Against the emulator's `large` scenario, whose organization holds every account
under OUs of 50 (emulator/scenarios/large.py), with the same latency injected per
AWS call, rolecall discovers the organization twice at each size (20 accounts, then
--accounts): a first discovery that stores every account, and a second that finds
nothing new. Enrollment is "none", so the figures are the listing and storing alone
(an enrolled account's first sync is the sync benchmark's subject).

It prints, for each: the time, the AWS calls made (the emulator's counter) against
the fewest the APIs allow (AssumeRole, then lists of at most 20 items a page:
ListRoots, per parent one ListOrganizationalUnitsForParent and one
ListAccountsForParent page per 20 children, and one ListAccounts page per 20
accounts), and the database queries; then the large run's time per account as a
ratio of the small one's.
"""

from __future__ import annotations

import argparse
import math
import os
import time

from bench.sync import setup_django

HUB = "123456789012"
SMALL = 20
SHAPE = {"regions": 1, "clusters": 0, "services": 0, "instances": 0, "roles": 1}


def fewest_calls() -> int:
    from roles.models import MemberAccount

    rows = list(MemberAccount.objects.values_list("parent_id", "ou_ids"))
    children: dict[str, int] = {}
    ous: set[str] = set()
    for parent, ids in rows:
        children[parent] = children.get(parent, 0) + 1
        ous.update(ids)
    under: dict[str, set[str]] = {}
    for _, ids in rows:
        for up, down in zip(ids, ids[1:], strict=False):
            under.setdefault(up, set()).add(down)
    pages = sum(
        max(1, math.ceil(len(under.get(p, ())) / 20)) + max(1, math.ceil(children.get(p, 0) / 20))
        for p in ous  # the root and every OU above an account
    )
    # + AssumeRole of the Organizations read role, and ListRoots.
    return 2 + pages + max(1, math.ceil(len(rows) / 20))


def discover_twice(control, accounts: int, latency_ms: float) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roles.models import Account, MemberAccount, Organization
    from roles.organizations import discovery

    control.reset("large", accounts=accounts, **SHAPE)
    control.set_latency(latency_ms)  # after the reset, which restores none
    MemberAccount.objects.all().delete()
    Organization.objects.all().delete()
    Account.objects.all().delete()
    org = Organization.objects.create(
        name="bench",
        management_account_id=HUB,
        role_arn=f"arn:aws:iam::{HUB}:role/RolecallOrganizations",
        external_id="rolecall-demo",
        enroll="none",
    )
    found = []
    for label in ("first", "again"):
        control.reset_calls()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            org = discovery.discover(org.pk)
            seconds = time.perf_counter() - start
        if org.discovery_error:
            raise SystemExit(f"discovery failed: {org.discovery_error}")
        found.append(
            {
                "label": label,
                "accounts": MemberAccount.objects.count(),
                "seconds": seconds,
                "calls": control.calls()["total"],
                "fewest": fewest_calls(),
                "queries": len(queries.captured_queries),
            }
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    args = parser.parse_args(argv)
    if args.accounts <= SMALL:
        parser.error(f"--accounts must be more than {SMALL}")

    from emulator.testing import EmulatorProcess

    params = [f"--{k}={v}" for k, v in {"accounts": SMALL, **SHAPE}.items()]
    with EmulatorProcess("large", *params) as emulator:
        os.environ.update(
            AWS_ENDPOINT_URL=emulator.url,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
        )
        setup_django(args.database_url)
        from django.conf import settings

        settings.DEBUG = True  # query capture
        control, ms = emulator.control, args.latency_ms
        results = discover_twice(control, SMALL, ms) + discover_twice(control, args.accounts, ms)
    print(f"Organizations discovery, {args.latency_ms:g} ms per AWS call")
    for r in results:
        print(
            f"{r['accounts']:>6} accounts, {r['label']:<5}: {r['seconds']:7.2f} s, "
            f"{r['calls']:>5} calls (fewest {r['fewest']}), {r['queries']:>3} queries"
        )
    small, large = results[0], results[2]
    ratio = (large["seconds"] / large["accounts"]) / (small["seconds"] / small["accounts"])
    print(f"time per account, {large['accounts']} against {small['accounts']}: ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
