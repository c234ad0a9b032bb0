"""Throughput of the dashboard under gunicorn, on a small and a large organization.

    .venv/bin/python -m bench.load [--database-url postgres://postgres@127.0.0.1:5432/rolecall_load]
                                   [--seconds 20] [--clients 10] [--accounts 2000 ...]

Loopback only, and it stops by itself. The organization is built SMALL, then grown to
LARGE, in one database (a SQLite file under var/ by default), by the same builder as
bench/pages.py (bench/orgdata.py: the product's sync writes every row). At each size it
starts gunicorn as the Procfile does (`dashboard.wsgi`, 2 workers x 4 threads, no
control socket) on a free 127.0.0.1 port, with production settings (DEBUG off; a
throwaway SECRET_KEY; plain HTTP, so ROLECALL_SECURE off; static files collected into a
temporary ROLECALL_VAR_DIR), signs 10 viewers in through /login/ (CSRF token and all),
then for --seconds each of --clients threads, one per user over a kept-alive
connection, browses a fixed random mix: role list pages (sorts, filters, search, the
second and the last page as the pager links them), role pages and the audit history.
It prints requests/s, p50 and p95 per size (then per kind of page and per page, with
the host's load average, since other processes share the CPUs), and last their ratio,
large over small.
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin

from bench import orgdata

HOST = "127.0.0.1"
PASSWORD = secrets.token_urlsafe(16)
LISTS = (
    "/roles/",
    "/roles/?sort=-last_used",
    "/roles/?sort=service",
    "/roles/?sort=-blockers",
    "/roles/?verdict=blocked",
    "/roles/?verdict=ready",
    "/roles/?unused_days=400",
    f"/roles/?q={orgdata.SEARCH_WORD}",
    "/roles/?state=present&sort=name",
)  # and the pages the first page's rel="next" and rel="last" links lead to (pager_links)
# The mix: (kind, share of requests).
MIX = (("role list", 0.5), ("role page", 0.35), ("audit", 0.15))
ROLE_PAGES = 50  # distinct role pages in the mix


def production_environment(var_dir: str) -> None:
    """What gunicorn needs to run with the production settings over loopback HTTP."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost",
        DEBUG="false",
        ROLECALL_SECURE="false",
        ROLECALL_ENV_FILE="",
        ROLECALL_VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("ROLECALL_DEMO", None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _signin_page(port: int) -> bool:
    """Does our gunicorn answer with the sign-in form?"""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/login/")
        response = conn.getresponse()
        return response.status == 200 and b"csrfmiddlewaretoken" in response.read()
    finally:
        conn.close()


class Gunicorn:
    """gunicorn on a free loopback port for a `with` block, its output in a temporary file."""

    def __init__(self, workers: int, threads: int) -> None:
        self.port = free_port()
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "dashboard.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--no-control-socket",
        ]

    def __enter__(self) -> Gunicorn:
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.command,
            cwd=orgdata.ROOT,
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.output()}")
            try:
                if _signin_page(self.port):
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"gunicorn did not answer: {self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-3000:]

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(20)
        self.log.close()


def _cookies(response, jar: SimpleCookie) -> None:
    for header in response.msg.get_all("Set-Cookie") or []:
        jar.load(header)


def sign_in(port: int, username: str) -> str:
    """Sign in through /login/ as a browser does; the Cookie header of the session."""
    jar: SimpleCookie = SimpleCookie()
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/login/")
        response = conn.getresponse()
        page = response.read().decode()
        _cookies(response, jar)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if found is None:
            raise RuntimeError(f"no sign-in form: HTTP {response.status} {page[:500]}")
        token = found.group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/"}
        )
        conn.request(
            "POST",
            "/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken'].value}",
            },
        )
        response = conn.getresponse()
        response.read()
        _cookies(response, jar)
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"{username} could not sign in: HTTP {response.status}")
    return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items())


def pager_links(port: int, cookie: str) -> list[tuple[str, str]]:
    """The role list's second and last pages, as its first page links them."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", "/roles/", headers={"Cookie": cookie})
        page = conn.getresponse().read().decode()
    finally:
        conn.close()
    links = []
    for rel in ("next", "last"):
        tag = re.search(rf'<a\b[^>]*\brel="{rel}"[^>]*>', page)
        href = re.search(r'\bhref="([^"]*)"', tag.group(0)) if tag else None
        if href:
            links.append((f"/roles/ {rel} page", urljoin("/roles/", html.unescape(href.group(1)))))
    return links


def make_users(count: int) -> list[str]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from roles.access import groups

    viewers = Group.objects.get_or_create(name=groups.VIEWER)[0]
    password = make_password(PASSWORD)  # hashed once (Argon2), shared by the users
    names = [f"load{n:02d}" for n in range(count)]
    for name in names:
        user, _ = User.objects.get_or_create(username=name)
        user.password = password
        user.save(update_fields=["password"])
        user.groups.add(viewers)
    return names


def role_pages(org, rng: random.Random) -> list[tuple[str, str]]:
    """Role pages of the mix: a fixed sample, the big ECS role left to bench/pages.py."""
    from roles.models import ServiceLinkedRole

    ids = list(
        ServiceLinkedRole.objects.exclude(pk=org.ecs_role().pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = rng.sample(ids, min(ROLE_PAGES, len(ids)))
    return [("/roles/<id>/", f"/roles/{pk}/") for pk in sample]


@dataclass
class Result:
    seconds: float = 0.0
    # (kind, page, seconds, status) of every request sent before the deadline.
    requests: list[tuple[str, str, float, int]] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # the host's 1-minute load average, before/after

    @property
    def ok(self) -> list[tuple[str, str, float, int]]:
        return [r for r in self.requests if r[3] == 200]

    @property
    def rate(self) -> float:
        return len(self.ok) / self.seconds

    def count(self, page: str) -> int:
        return sum(1 for r in self.ok if r[1] == page)

    def percentile(self, q: int, kind: str | None = None, page: str | None = None) -> float:
        times = sorted(t for k, p, t, _ in self.ok if kind in (None, k) and page in (None, p))
        if len(times) < 2:
            return times[0] if times else float("nan")
        return statistics.quantiles(times, n=100, method="inclusive")[q - 1]

    @property
    def errors(self) -> int:
        return len(self.requests) - len(self.ok)


def browse(port: int, cookie: str, urls: dict[str, list[str]], seed: int, deadline, out) -> None:
    """One client: a fixed random mix of pages until the deadline, one connection kept."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        page, url = rng.choice(urls[kind])
        started = time.perf_counter()
        try:
            conn.request("GET", url, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            status = 0
        out.append((kind, page, time.perf_counter() - started, status))
    conn.close()


def run_load(port: int, cookies: list[str], urls, seconds: float) -> Result:
    result = Result()
    before = os.getloadavg()[0]
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=browse, args=(port, cookie, urls, 1000 + n, deadline, result.requests)
        )
        for n, cookie in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    result.load = (before, os.getloadavg()[0])
    return result


def _row(label: str, result: Result, roles: int) -> tuple:
    return (
        label,
        f"{roles:,}",
        f"{len(result.requests):,}",
        f"{result.rate:.1f}",
        f"{result.percentile(50) * 1000:.1f}",
        f"{result.percentile(95) * 1000:.1f}",
        str(result.errors),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=orgdata.sqlite_url("bench-load.sqlite3"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    orgdata.add_size_arguments(parser)
    args = parser.parse_args(argv)
    small_size, large_size = orgdata.sizes(args)

    with tempfile.TemporaryDirectory(prefix="rolecall-load-") as var_dir:
        production_environment(var_dir)
        orgdata.setup_django(args.database_url, settings_module="dashboard.settings")
        from django.core.management import call_command
        from django.db import connections

        from roles.models import ServiceLinkedRole

        call_command("collectstatic", interactive=False, verbosity=0)
        users = make_users(args.clients)
        print(f"database: {orgdata.database_label()} ({args.database_url})", flush=True)
        results: dict[str, tuple[Result, int]] = {}
        with orgdata.emulator() as emulator:
            org = orgdata.Organization(emulator, batch=args.batch)
            for label, size in (("small", small_size), ("large", large_size)):
                build = org.grow(size)
                print(f"{label}: {build.describe()}", flush=True)
                rng = random.Random(label)
                urls = {"role list": [(url, url) for url in LISTS]}
                urls["role page"] = role_pages(org, rng)
                urls["audit"] = [("/audit/", "/audit/")]
                roles = ServiceLinkedRole.objects.count()
                connections.close_all()
                with Gunicorn(args.workers, args.threads) as server:
                    cookies = [sign_in(server.port, user) for user in users]
                    urls["role list"] += pager_links(server.port, cookies[0])
                    result = run_load(server.port, cookies, urls, args.seconds)
                    if result.errors:
                        print(f"  gunicorn output:\n{server.output()}", flush=True)
                print(
                    f"  {label}: {len(result.requests):,} requests in {result.seconds:.1f}s, "
                    f"{result.rate:.1f} requests/s, {result.errors} errors; host load average "
                    f"{result.load[0]:.1f} before, {result.load[1]:.1f} after",
                    flush=True,
                )
                results[label] = (result, roles)

    small, large = results["small"][0], results["large"][0]
    print()
    head = ("size", "roles", "requests", "requests/s", "p50 ms", "p95 ms", "errors")
    rows = [_row(label, result, roles) for label, (result, roles) in results.items()]
    print(orgdata.aligned(head, rows, right=tuple(range(1, len(head)))))
    print()
    head = ("kind", "share", "p50 ms small/large", "p95 ms small/large")
    rows = [
        (
            kind,
            f"{share:.0%}",
            f"{small.percentile(50, kind) * 1000:.1f} / {large.percentile(50, kind) * 1000:.1f}",
            f"{small.percentile(95, kind) * 1000:.1f} / {large.percentile(95, kind) * 1000:.1f}",
        )
        for kind, share in MIX
    ]
    print(orgdata.aligned(head, rows, right=tuple(range(1, len(head)))))
    print()
    head = ("page", "requests s/l", "p50 ms small/large", "p95 ms small/large")
    pages = list(dict.fromkeys(page for _, page, _, _ in small.requests + large.requests))
    rows = [
        (
            page,
            f"{small.count(page)} / {large.count(page)}",
            f"{small.percentile(50, page=page) * 1000:.1f} / "
            f"{large.percentile(50, page=page) * 1000:.1f}",
            f"{small.percentile(95, page=page) * 1000:.1f} / "
            f"{large.percentile(95, page=page) * 1000:.1f}",
        )
        for page in sorted(pages)
    ]
    print(orgdata.aligned(head, rows, right=tuple(range(1, len(head)))))
    print(f"throughput ratio: {large.rate / small.rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
