"""Benchmark a retirement campaign against the sequential sum of single deletions.

    .venv/bin/python -m bench.campaign [--accounts 40] [--roles-per-account 20]
        [--latency-ms 50] [--singles 5] [--timeout 1800]
        [--database-url postgres://postgres@127.0.0.1:5432/rolecall_bench_campaign]
        [--redis-url redis://127.0.0.1:6379/6]

Starts the emulator's `large` scenario (1 region, no ECS cluster, `--roles-per-account`
service-linked roles in each account) with `--accounts` accounts for the campaign and
SPARE_ACCOUNTS more for the single deletions, syncs them all (before the latency is
set: the sync is not what is measured), sets `--latency-ms` on every AWS call and
starts the `celery ... worker` lines of `Procfile` as real processes, each exactly as
its line says (beat is not started: nothing else is queued meanwhile). Then:

1. sequential sum: `--singles` roles of the spare accounts that can be deleted now are
   deleted one after the other through the ordinary path (one user confirms,
   roles.deletion.service.request_deletion; another approves, decide; the workers
   submit and poll). Each is timed from its approval to its end (approved_at to
   finished, both stored by rolecall), and the sequential sum is their mean x the
   number of roles the campaign retires: what deleting them one at a time would take;
2. the campaign: one user drafts a campaign of every role of the `--accounts` accounts
   (roles.campaigns.select.draft sets apart those it must not touch), asks for
   approval, and another approves it (the approval core, typing the confirmation).
   It is timed from the approval to the campaign finished (approved_at to finished).
   While it runs, its page /campaigns/<id>/ and the fragment the page polls (htmx,
   every 2 s) are fetched in turns, one a second, each every 2 s as a watching
   browser polls, as the approver (Django's test client in this process), each
   request's SQL queries counted (CaptureQueriesContext) and timed; after it
   finished, the same again ("idle", the median of IDLE_FETCHES). Before the
   approval, its draft's page is measured against a draft of one account's roles:
   the page's queries should not grow with its roles;
3. the AWS calls of the campaign, from the emulator's counter: DeleteServiceLinkedRole
   against one per role, and GetServiceLinkedRoleDeletionStatus against one per role
   (the outcome is only known from a status call, and one made once the emulator's
   task has ended is enough) and against the number rolecall's poll schedule makes
   when every poll comes on time (scheduled_polls: 2 per role for the emulator's 3 s
   task, polls 1 s and 3 s after the submit); a poll a busy worker takes late may
   find the task ended already, so the count can fall below the latter.

The default (40 accounts x 20 roles, 800 roles drafted) runs in about 5 minutes on 2
cores; `--accounts 100` is the 2,000-role, 100-account campaign. The database
(PostgreSQL, its name must contain "bench") is created afresh and dropped after the
run; the Redis database must be empty and is flushed after it; every process it
started is stopped, on Ctrl-C or a failure too. The last line is the summary.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.workers import (
    BIN,
    SCENARIO_ACCOUNTS,
    Worker,
    approve,
    bench_environment,
    describe,
    free_roles,
    make_accounts,
    make_users,
    worker_bench,
)

# No ECS cluster: the ECS role is free too, so more of each account's roles can go.
SCENARIO = ["--regions", "1", "--clusters", "0", "--services", "0", "--instances", "0"]
SPARE_ACCOUNTS = 5  # after the campaign's accounts: the single deletions' roles
SYNC_THREADS = 8
SINGLE_TIMEOUT = 60.0  # seconds a single deletion may take before the run fails
PAGE_EVERY = 1.0  # seconds between fetches while the campaign runs (page, fragment, ...)
IDLE_FETCHES = 9
DELETE = "iam:DeleteServiceLinkedRole"
STATUS = "iam:GetServiceLinkedRoleDeletionStatus"


# --- what the emulator allows ----------------------------------------------------


def scheduled_polls(deletion: dict) -> int:
    """Status calls one deletion makes when every poll comes on time, given the
    emulator's deletion task (emulator/deletion.py: in `seconds` mode NOT_STARTED,
    IN_PROGRESS from a fifth of its time, its outcome once `seconds` have passed since
    DeleteServiceLinkedRole; in `polls` mode the outcome on status call polls + 1) and
    rolecall's schedule (roles/deletion/worker.py: poll n comes backoff(1) + ... +
    backoff(n) after the submit; roles/jobs/__init__.py backoff: ROLECALL_POLL_BACKOFF_START
    doubling, capped at ROLECALL_POLL_BACKOFF_CAP)."""
    from roles.jobs import backoff

    if deletion["mode"] == "polls":
        return deletion["polls"] + 1
    n, waited = 0, 0.0
    while waited < deletion["seconds"]:
        n += 1
        waited += backoff(n)
    return max(n, 1)


def poll_times(count: int) -> str:
    from roles.jobs import backoff

    return ", ".join(f"{sum(backoff(i) for i in range(1, n + 1)):g} s" for n in range(1, count + 1))


# --- setup ------------------------------------------------------------------------


def sync_all(accounts) -> None:
    """Every account synced as its worker would, SYNC_THREADS at a time."""
    from django.db import connection

    from roles.inventory.sync.service import run_sync
    from roles.models import SyncRun

    def one(account):
        try:
            run = run_sync(SyncRun.objects.create(account=account).pk)
            if run is None or run.status != SyncRun.Status.SUCCEEDED:
                raise SystemExit(f"the sync of {account.name} did not succeed: {run}")
        finally:
            connection.close()

    with ThreadPoolExecutor(SYNC_THREADS) as pool:
        list(pool.map(one, accounts))


def elapsed(change) -> float:
    """approved_at to finished, both stored by rolecall."""
    return (change.finished - change.approved_at).total_seconds()


# --- 1. single deletions ----------------------------------------------------------


def single_deletion(role, operator, approver) -> float:
    """One user confirms the role's deletion, another approves it: seconds to its end."""
    from roles.deletion.service import request_deletion
    from roles.models import DeletionRequest

    deletion = request_deletion(role, user=operator).request
    approve(deletion, approver)
    deadline = time.monotonic() + SINGLE_TIMEOUT
    while time.monotonic() < deadline:
        deletion.refresh_from_db()
        if deletion.state not in DeletionRequest.ACTIVE:
            break
        time.sleep(0.05)
    else:
        raise SystemExit(
            f"deletion #{deletion.pk} of {role.name} not done in {SINGLE_TIMEOUT:.0f} s"
        )
    if deletion.state != DeletionRequest.State.SUCCEEDED:
        raise SystemExit(f"deletion #{deletion.pk} of {role.name} ended {deletion.state}")
    return elapsed(deletion)


# --- 2. the campaign and its page ----------------------------------------------------


@dataclass
class Page:
    """One URL's fetches: SQL queries and seconds of each."""

    queries: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    session_writes: int = 0  # fetches that also wrote the session (3 queries, not counted)

    def counts(self) -> str:
        found = sorted(set(self.queries))
        return str(found[0]) if len(found) == 1 else f"{found[0]}-{found[-1]}"

    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


def fetch(client, url: str, page: Page, **headers) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # its log keeps the last 9,000: an index into a full one counts none
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, secure=True, headers=headers)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    # The session middleware writes the session at most every 30 s (BEGIN, UPDATE,
    # COMMIT): the signed-in user's queries, not the page's.
    sql = [query["sql"] for query in queries.captured_queries]
    writes = sum(1 for statement in sql if statement.startswith('UPDATE "django_session"'))
    page.queries.append(len(sql) - 3 * writes)
    page.session_writes += writes
    page.seconds.append(seconds)


HTMX = {"HX-Request": "true"}


def draft(name: str, accounts, operator):
    """A draft of every role of `accounts`: those it must not touch are set apart."""
    from roles.campaigns import select
    from roles.models import ServiceLinkedRole

    roles = ServiceLinkedRole.objects.filter(account__in=accounts)
    return select.draft(name, roles, user=operator, selection={"accounts": str(len(accounts))})


def rows(campaign) -> tuple[int, int, Counter]:
    """(roles drafted, roles to retire, the roles set apart by verdict)."""
    from roles.models import CampaignRole

    found = list(campaign.roles.values_list("state", "verdict"))
    pending = sum(1 for state, _ in found if state == CampaignRole.State.PENDING)
    apart = Counter(v for state, v in found if state == CampaignRole.State.EXCLUDED)
    return len(found), pending, apart


def busiest(campaign) -> int:
    from roles.models import CampaignRole

    pending = campaign.roles.filter(state=CampaignRole.State.PENDING)
    return max(Counter(pending.values_list("account_id", flat=True)).values(), default=0)


def idle_pages(campaign, client) -> dict[str, Page]:
    url = f"/campaigns/{campaign.pk}/"
    idle = {"page": Page(), "fragment": Page()}
    for _ in range(IDLE_FETCHES):
        fetch(client, url, idle["page"])
        fetch(client, url, idle["fragment"], **HTMX)
    return idle


def draft_pages(small, large, client) -> dict[str, dict[str, Page]]:
    """Both drafts' pages, after one uncounted fetch of each (the session's first
    request writes it; a process's first request fills its caches)."""
    for campaign in (small, large):
        fetch(client, f"/campaigns/{campaign.pk}/", Page())
        fetch(client, f"/campaigns/{campaign.pk}/", Page(), **HTMX)
    return {"small": idle_pages(small, client), "large": idle_pages(large, client)}


def run_campaign(campaign, approver, client, timeout: float) -> dict[str, Page]:
    """Approve, then fetch its page and fragment once a second until it finished."""
    from roles.campaigns import service
    from roles.campaigns.kind import confirmation
    from roles.models import Campaign

    url = f"/campaigns/{campaign.pk}/"
    running = {"page": Page(), "fragment": Page()}
    service.decide(
        campaign,
        user=approver,
        approve=True,
        comment="benchmark",
        version=campaign.version,
        typed=confirmation(campaign),
    )
    deadline = time.monotonic() + timeout
    next_fetch, turn = time.monotonic() + PAGE_EVERY, 0
    while True:
        state = Campaign.objects.filter(pk=campaign.pk).values_list("state", flat=True).get()
        if state not in Campaign.RUNNING_STATES:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"campaign #{campaign.pk} still {state} after {timeout:.0f} s")
        if time.monotonic() >= next_fetch:
            next_fetch, turn = time.monotonic() + PAGE_EVERY, turn + 1
            if turn % 2:
                fetch(client, url, running["page"])
            else:
                fetch(client, url, running["fragment"], **HTMX)
        time.sleep(0.05)
    campaign.refresh_from_db()
    if campaign.state != Campaign.State.FINISHED:
        raise SystemExit(f"campaign #{campaign.pk} ended {campaign.state}")
    return running


# --- the run -----------------------------------------------------------------------


@dataclass
class Result:
    drafted: int = 0
    retired: int = 0
    excluded: Counter = field(default_factory=Counter)
    singles: list[float] = field(default_factory=list)
    seconds: float = 0.0
    states: Counter = field(default_factory=Counter)
    calls: dict = field(default_factory=dict)
    deletion: dict = field(default_factory=dict)
    running: dict[str, Page] = field(default_factory=dict)
    idle: dict[str, Page] = field(default_factory=dict)
    url: str = ""
    busiest: int = 0  # roles to retire in the account that has the most
    small: tuple[int, int, Counter] = (0, 0, Counter())  # the one-account draft's rows
    drafts: dict[str, dict[str, Page]] = field(default_factory=dict)


def measure(args, workers: dict[str, str], var: str) -> Result:
    from emulator.testing import EmulatorProcess

    total = args.accounts + SPARE_ACCOUNTS
    params = [f"--accounts={total}", f"--roles={args.roles_per_account}", *SCENARIO]
    with EmulatorProcess("large", *params, startup_timeout=600) as emulator:
        os.environ.update(bench_environment(args, emulator.url, var))
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from roles.campaigns import service

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)  # the pages, as deployed
        accounts = make_accounts(total)
        operator, approver = make_users()
        started = time.monotonic()
        sync_all(accounts[: args.accounts])
        singles = free_roles(accounts[args.accounts :], args.singles)
        print(
            f"{args.accounts} accounts of the emulator's large scenario "
            f"({args.roles_per_account} service-linked roles, 1 region, no ECS cluster each) "
            f"and {SPARE_ACCOUNTS} for the single deletions, synced in "
            f"{time.monotonic() - started:.1f} s; {args.latency_ms:g} ms per AWS call from now",
            flush=True,
        )
        emulator.control.set_latency(args.latency_ms)
        result = Result(deletion=emulator.control.set_deletion())  # no change: the settings
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        print(f"Procfile: {describe(workers)}", flush=True)
        started_workers = []
        try:
            for name, command in workers.items():
                started_workers.append(Worker(name, command, env))
            for worker in started_workers:
                worker.wait_ready()

            for n, role in enumerate(singles, start=1):
                result.singles.append(single_deletion(role, operator, approver))
                print(
                    f"  single deletion {n}: {result.singles[-1]:.2f} s from approval to "
                    f"succeeded ({role.name} in {role.account.name})",
                    flush=True,
                )

            small = draft("Benchmark, one account", accounts[:1], operator)
            campaign = draft("Benchmark", accounts[: args.accounts], operator)
            result.small = rows(small)
            result.drafted, result.retired, result.excluded = rows(campaign)
            result.url = f"/campaigns/{campaign.pk}/"
            result.busiest = busiest(campaign)
            print(
                f"campaign #{campaign.pk}: {result.drafted} roles drafted, {result.retired} to "
                f"retire, {sum(result.excluded.values())} set apart ("
                + ", ".join(f"{n} {v}" for v, n in sorted(result.excluded.items()))
                + ")",
                flush=True,
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(approver)
            result.drafts = draft_pages(small, campaign, client)
            service.discard(small, user=operator)
            service.ask_approval(campaign, user=operator)
            campaign.refresh_from_db()
            emulator.control.reset_calls()
            result.running = run_campaign(campaign, approver, client, args.timeout)
            result.calls = emulator.control.calls()["operations"]
            campaign.refresh_from_db()
            result.seconds = elapsed(campaign)
            result.states = Counter(campaign.roles.values_list("state", flat=True))
            result.idle = idle_pages(campaign, client)
        finally:
            for worker in started_workers:
                worker.stop()
    return result


def report(args, r: Result) -> list[str]:
    from django.conf import settings

    concurrency = settings.ROLECALL_CAMPAIGN_CONCURRENCY
    per_account = settings.ROLECALL_CAMPAIGN_PER_ACCOUNT
    mean = statistics.mean(r.singles)
    sequential = mean * r.retired
    ratio = r.seconds / sequential
    polls = scheduled_polls(r.deletion)
    fewest = 1 if r.deletion["mode"] == "seconds" else polls
    deletes, statuses = r.calls.get(DELETE, 0), r.calls.get(STATUS, 0)
    calls = sum(r.calls.values())
    rounds = max(math.ceil(r.retired / concurrency), math.ceil(r.busiest / per_account))
    task = (
        f"{r.deletion['seconds']:g} s"
        if r.deletion["mode"] == "seconds"
        else f"{r.deletion['polls'] + 1} status calls"
    )
    lines = [
        f"single deletions: {', '.join(f'{s:.2f}' for s in r.singles)} s; mean {mean:.2f} s",
        f"sequential sum: {mean:.2f} s (mean of {len(r.singles)} single deletions, approval "
        f"to end) x {r.retired} roles = {sequential:.1f} s",
        f"campaign: {r.retired} roles in {r.seconds:.1f} s from approval to finished ("
        + ", ".join(f"{r.states.get(s, 0)} {s}" for s in ("succeeded", "failed", "skipped"))
        + f"); at most {concurrency} deletions at once, {per_account} per account",
        f"  {r.seconds / max(r.retired, 1):.3f} s per role; at least {rounds} rounds of "
        f"the emulator's {task} task (ceil({r.retired} / {concurrency}), ceil({r.busiest} "
        f"roles of the busiest account / {per_account}))"
        + (f" = {rounds * r.deletion['seconds']:.1f} s" if r.deletion["mode"] == "seconds" else ""),
        f"campaign / sequential sum: {ratio:.3f}",
        f"DeleteServiceLinkedRole: {deletes} (minimum {r.retired}, one per role)",
        f"GetServiceLinkedRoleDeletionStatus: {statuses} (minimum {fewest * r.retired}: "
        f"{fewest} per role, the emulator's task answering its outcome {task} after the "
        f"submit; {polls * r.retired} on schedule: {polls} per role, the polls coming "
        f"{poll_times(polls)} after the submit, fewer when a busy worker polls late)",
        f"AWS calls in all: {calls} ({calls / max(r.retired, 1):.1f} per role)",
    ]
    small_drafted, small_retired, _ = r.small
    for name, label in (("page", r.url), ("fragment", f"{r.url} (htmx)")):
        run, idle = r.running[name], r.idle[name]
        little, large = r.drafts["small"][name], r.drafts["large"][name]
        writes = run.session_writes + idle.session_writes
        lines += [
            f"{label}: queries running {run.counts()}, idle {idle.counts()}; median "
            f"{run.median_ms():.1f} ms running ({len(run.seconds)} fetches), "
            f"{idle.median_ms():.1f} ms idle ({len(idle.seconds)})"
            + (f"; {writes} also wrote the session (3 queries, not counted)" if writes else ""),
            f"  as a draft: queries {little.counts()} for {small_drafted} roles (1 account), "
            f"{large.counts()} for {r.drafted} roles ({args.accounts} accounts); median "
            f"{little.median_ms():.1f} / {large.median_ms():.1f} ms",
        ]
    page, drafts = r.running["page"], r.drafts
    lines.append(
        f"summary: {r.retired} roles in {r.seconds:.1f} s, {ratio:.3f} of the sequential sum "
        f"({sequential:.1f} s); DeleteServiceLinkedRole {deletes} / {r.retired}, "
        f"GetServiceLinkedRoleDeletionStatus {statuses} / {fewest * r.retired} "
        f"({polls * r.retired} on schedule); "
        f"page queries {page.counts()} running / {r.idle['page'].counts()} idle "
        f"({drafts['small']['page'].counts()} / {drafts['large']['page'].counts()} as drafts "
        f"of {small_drafted} / {r.drafted} roles), {page.median_ms():.1f} ms running / "
        f"{r.idle['page'].median_ms():.1f} ms idle"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=40)
    parser.add_argument("--roles-per-account", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--singles", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds the campaign may take")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rolecall_bench_campaign"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args(argv)
    if not 1 <= args.accounts <= SCENARIO_ACCOUNTS - SPARE_ACCOUNTS:
        parser.error(f"--accounts must be from 1 to {SCENARIO_ACCOUNTS - SPARE_ACCOUNTS}")
    if args.roles_per_account < 1 or args.singles < 1:
        parser.error("--roles-per-account and --singles must be at least 1")
    with worker_bench(parser, args, "campaign") as (workers, _broker, var):
        result = measure(args, workers, var)
        lines = report(args, result)
    for line in lines:
        print(line)
    done = result.states.get("succeeded", 0) == result.retired
    return 0 if done and result.calls.get(DELETE, 0) == result.retired else 1


if __name__ == "__main__":
    sys.exit(main())
