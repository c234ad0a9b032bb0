"""Benchmark the dashboard's pages on a small and a large organization, in one run.

    .venv/bin/python -m bench.pages [--database-url postgres://postgres@127.0.0.1:5432/rolecall_pages]
                                    [--accounts 2000] [--roles-per-account 30]
                                    [--services 5100] [--instances 2000] [--repeat 9]

One database (created afresh: a SQLite file under var/ by default), one process: the
organization is built SMALL (20 accounts, 60 roles, an ECS role whose account has 10
services), measured, then grown in place to LARGE (by default 2,000 accounts, 60,000
roles, an ECS role whose account has 5,100 services and 2,000 container instances) and
measured again. Every row is written by the sync (bench/orgdata.py: the product's
run_sync and store(), the ECS account read from the project's emulator, the others
from synthetic snapshots), and the ECS role's cleanup plan is built by
roles/cleanup/plan.py from the emulator.

Each page is fetched with Django's test client as a superuser: one warm-up, one
request whose queries are counted, then the median of --repeat, the pages timed in
turns (the exports, seconds each at the large size: the median of at most 3). The
exports stream: their body is consumed chunk by chunk, and one more run under
tracemalloc gives the peak growth of Python memory while exporting (it should stay
flat: the rows are never all held).
Exports take time linear in the rows, so they are reported per 1,000 rows and left out
of the worst ratio, which the last line gives over the pages; so is the overview's map
by OU, which counts every live role (LINEAR).
"""

from __future__ import annotations

import argparse
import gc
import html
import re
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from urllib.parse import urljoin

from bench import orgdata

EXPORTS = ("/roles/export.csv", "/roles/export.json")
# The overview's map by OU is asked for, never the default: it counts every live role
# in one GROUP BY (roles/inventory/charts/dormancy.py), so it is shown, marked, and left out of
# the worst ratio like the exports. The default map (the top accounts) is in "overview /".
LINEAR = ("overview, map by OU",)


@dataclass
class Measure:
    seconds: float
    queries: int
    size: int  # bytes of the body
    rows: int = 0  # exports: roles written
    peak: int = 0  # exports: tracemalloc peak growth, bytes


def fetch(client, url: str) -> tuple[int, int]:
    """(status, body bytes), consuming a streamed body chunk by chunk, keeping nothing."""
    response = client.get(url)
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return response.status_code, size


def counted(client, url: str) -> tuple[int, int]:
    """(queries, body bytes) of one request after a warm-up (a process's first request
    fills its caches)."""
    from django.db import connection

    # Counted as they run (a streamed body's queries run while it is read);
    # CaptureQueriesContext would miss them: request_started empties connection.queries.
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    fetch(client, url)
    with connection.execute_wrapper(count):
        status, size = fetch(client, url)
    assert status == 200, (url, status)
    return len(queries), size


def timed(client, url: str) -> float:
    started = time.perf_counter()
    status, _ = fetch(client, url)
    assert status == 200, (url, status)
    return time.perf_counter() - started


def measure(client, url: str, repeat: int) -> Measure:
    queries, size = counted(client, url)
    return Measure(statistics.median(timed(client, url) for _ in range(repeat)), queries, size)


def measure_pages(client, urls: dict[str, str], repeat: int) -> dict[str, Measure]:
    """Every page, its `repeat` timings taken in turns (page 1, 2, ... n, then again),
    so that a burst of other work on the machine falls on every page a little rather
    than on a few pages wholly."""
    sizes = {name: counted(client, url) for name, url in urls.items()}
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(repeat):
        for name, url in urls.items():
            timings[name].append(timed(client, url))
    return {name: Measure(statistics.median(timings[name]), *sizes[name]) for name in urls}


def measure_export(client, url: str, repeat: int) -> Measure:
    result = measure(client, url, repeat)
    response = client.get(url)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        rows = 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\n")
        result.peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    # CSV: a header line; JSON: "[" and "]" lines around one line per role.
    result.rows = rows - (1 if url.endswith(".csv") else 2)
    return result


LAST_REL = re.compile(r"<a\b[^>]*\brel=\"last\"[^>]*>")
HREF = re.compile(r"\bhref=\"([^\"]*)\"")
PAGE_LINK = re.compile(r"href=\"([^\"]*[?&](?:amp;)?page=(\d+)[^\"]*)\"")
PAGE_OF = re.compile(r"Page\s+\d+\s+of\s+(\d+)")


def last_page(client, url: str = "/roles/") -> str:
    """The role list's last page: the rel="last" link of the first page, else the highest
    ?page= link (or, if the pager names more pages than it links, "Page 1 of N")."""
    text = client.get(url).content.decode()
    tag = LAST_REL.search(text)
    if tag:
        return urljoin(url, html.unescape(HREF.search(tag.group(0)).group(1)))
    links = {int(n): href for href, n in PAGE_LINK.findall(text)}
    named = PAGE_OF.search(text)
    highest = max(links, default=1)
    if named and int(named.group(1)) > highest:
        return f"{url}?page={named.group(1)}"
    return urljoin(url, html.unescape(links[highest])) if links else url


def pages(client, org, plan) -> dict[str, str]:
    from roles.models import EcsCluster

    role = org.ecs_role()
    busiest = (
        EcsCluster.objects.filter(region__account=role.account)
        .blocking()
        .order_by("region__region")
        .values_list("region__region", flat=True)
        .first()
    )
    return {
        "overview /": "/",
        "overview, map by OU": "/?map=ou",
        "accounts": "/accounts/",
        "roles, first page": "/roles/",
        "roles, last page": last_page(client),
        "roles ?sort=-last_used": "/roles/?sort=-last_used",
        "roles ?sort=service": "/roles/?sort=service",
        "roles ?verdict=blocked": "/roles/?verdict=blocked",
        "roles ?unused_days=400": "/roles/?unused_days=400",
        f"roles ?q={orgdata.SEARCH_WORD}": f"/roles/?q={orgdata.SEARCH_WORD}",
        "roles ?service=ecs": "/roles/?service=ecs",
        "big ECS role page": f"/roles/{role.pk}/",
        "its clusters, one region": f"/roles/{role.pk}/clusters/?region={busiest}",
        "its cleanup plan": f"/cleanups/{plan.pk}/",
        "deletions": "/deletions/",
        "audit": "/audit/",
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(small: dict[str, Measure], large: dict[str, Measure], urls: dict[str, str]) -> str:
    head = ("page", "url (large)", "small ms", "large ms", "ratio", "queries s/l", "bytes large")
    rows = []
    for name, big in large.items():
        little = small[name]
        ratio = big.seconds / little.seconds
        rows.append(
            (
                name,
                urls.get(name, name),
                _ms(little.seconds),
                _ms(big.seconds),
                f"{ratio:.2f}" + ("*" if name in EXPORTS or name in LINEAR else ""),
                f"{little.queries} / {big.queries}",
                f"{big.size:,}",
            )
        )
    return orgdata.aligned(head, rows, right=(2, 3, 4, 5, 6))


def _per_1000(m: Measure) -> float:
    """Milliseconds per 1,000 rows."""
    return m.seconds * 1e6 / max(m.rows, 1)


def export_table(small: dict[str, Measure], large: dict[str, Measure]) -> str:
    head = ("export", "rows s/l", "ms per 1,000 rows s/l", "MB large", "peak growth s/l")
    rows = []
    for name in EXPORTS:
        s, big = small[name], large[name]
        rows.append(
            (
                name,
                f"{s.rows:,} / {big.rows:,}",
                f"{_per_1000(s):.1f} / {_per_1000(big):.1f}",
                f"{big.size / 1e6:.1f}",
                f"{s.peak / 2**20:.2f} / {big.peak / 2**20:.2f} MiB",
            )
        )
    return orgdata.aligned(head, rows, right=(1, 2, 3, 4))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=orgdata.sqlite_url("bench-pages.sqlite3"))
    parser.add_argument("--repeat", type=int, default=9)
    orgdata.add_size_arguments(parser)
    args = parser.parse_args(argv)
    small_size, large_size = orgdata.sizes(args)
    orgdata.setup_django(args.database_url)

    from django.contrib.auth.models import User
    from django.test import Client

    print(f"database: {orgdata.database_label()} ({args.database_url})", flush=True)
    user = User.objects.create_superuser("bench", password=None)
    client = Client()
    client.force_login(user)
    results: dict[str, dict[str, Measure]] = {}
    urls: dict[str, str] = {}
    with orgdata.emulator() as emulator:
        org = orgdata.Organization(emulator, batch=args.batch)
        for label, size in (("small", small_size), ("large", large_size)):
            build = org.grow(size)
            plan = org.plan(user, build)
            print(f"{label}: {build.describe()}", flush=True)
            # What the build left in this process (a server holds none of it) out of
            # the garbage collector's way: else every full collection walks it, and
            # the large size's pages pay for the build, unchanged pages included.
            gc.collect()
            gc.freeze()
            urls = pages(client, org, plan)
            row = measure_pages(client, urls, args.repeat)
            for url in EXPORTS:
                row[url] = measure_export(client, url, min(args.repeat, 3))
                print(
                    f"  {url}: {row[url].rows:,} rows, {row[url].size:,} bytes in "
                    f"{_ms(row[url].seconds)} ms; peak Python memory growth while "
                    f"exporting {row[url].peak / 2**20:.2f} MiB (tracemalloc)",
                    flush=True,
                )
            gc.unfreeze()  # the next build collects as usual
            results[label] = row
    small, large = results["small"], results["large"]
    print()
    print(table(small, large, urls))
    print("* linear in the rows by design: the exports (per 1,000 rows below), the map by OU")
    print()
    print(export_table(small, large))
    worst = max(
        (name for name in large if name not in EXPORTS and name not in LINEAR),
        key=lambda n: large[n].seconds / small[n].seconds,
    )
    print(f"worst ratio: {large[worst].seconds / small[worst].seconds:.2f} ({worst})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
