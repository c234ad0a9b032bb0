"""Sync health on an account's page (roles/accounts/charts.py sync_health): the recent
runs' durations and AWS calls as bars, the failed regions counted above them."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.accounts import charts as activity
from roles.models import Account, SyncRun
from tests.inventory.test_large_pages import page_queries

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


def run(account, *, hours_ago: int, seconds: float, calls: int, status="succeeded", **fields):
    started = timezone.now() - timedelta(hours=hours_ago)
    sync = SyncRun.objects.create(
        account=account,
        status=status,
        started=started,
        finished=started + timedelta(seconds=seconds),
        aws_calls=calls,
        **fields,
    )
    SyncRun.objects.filter(pk=sync.pk).update(created=started)
    return sync


@pytest.fixture
def account(db):
    acct = Account.objects.create(aws_account_id="111111111111", name="prod")
    run(acct, hours_ago=30, seconds=12, calls=140)
    run(
        acct,
        hours_ago=20,
        seconds=48.5,
        calls=152,
        status="partial",
        region_errors={"eu-west-1": {"code": "AccessDenied"}, "ap-south-1": {"code": "X"}},
    )
    run(acct, hours_ago=10, seconds=3, calls=2, status="failed", error={"code": "AccessDenied"})
    SyncRun.objects.create(account=acct, status="running", started=timezone.now())
    return acct


def bars(html: str, chart: str) -> list[tuple[str, list[str]]]:
    """(title, [note]) of each bar of the chart."""
    svg = html.split(f'data-testid="{chart}"')[1].split("</svg>")[0]
    found = re.findall(r'<g data-testid="bar"><title>([^<]*)</title>(.*?)</g>', svg)
    return [(unescape(t), re.findall(r'class="note">([^<]*)<', body)) for t, body in found]


def test_it_draws_the_finished_syncs_oldest_first(viewer_client, account):
    html = viewer_client.get(reverse("account-detail", args=[account.pk])).content.decode()
    runs = list(
        SyncRun.objects.filter(account=account).exclude(status="running").order_by("created")
    )
    shown = bars(html, "sync-duration")
    assert [title.split(":")[0].split(",")[0] for title, _ in shown] == [
        f"Sync #{r.pk}" for r in runs
    ]
    assert shown[1][0].endswith("partial, 48.5 s, 152 AWS calls, errors in ap-south-1, eu-west-1")
    assert [notes for _, notes in shown] == [[], ["2"], ["!"]]
    assert [t.split(": ", 1)[1] for t, _ in bars(html, "sync-calls")][0] == (
        "succeeded, 12 s, 140 AWS calls"
    )
    # The bars' heights follow the durations: 48.5 s is the tallest, on a 50 s axis.
    svg = html.split('data-testid="sync-duration"')[1].split("</svg>")[0]
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill="url', svg)]
    assert heights == [round(110 * 12 / 50, 1), round(110 * 48.5 / 50, 1), round(110 * 3 / 50, 1)]
    assert 'aria-labelledby="sync-duration-title sync-duration-desc"' in html
    assert "the slowest took 48.5 s" in html


def test_the_table_has_the_same_numbers(viewer_client, account):
    html = viewer_client.get(reverse("account-detail", args=[account.pk])).content.decode()
    body = html.split('data-testid="sync-health-table"')[1].split("</tbody>")[0]
    rows = [
        [unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", r)][2:]
        for r in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])
    ]
    assert rows == [
        ["failed", "3.0", "2", "the account: AccessDenied"],
        ["partial", "48.5", "152", "ap-south-1, eu-west-1"],
        ["succeeded", "12.0", "140", ""],
    ]


def test_a_hostile_region_name_is_escaped(viewer_client, account):
    run(
        account,
        hours_ago=1,
        seconds=1,
        calls=1,
        status="partial",
        region_errors={"<img src=x>": {}},
    )
    html = viewer_client.get(reverse("account-detail", args=[account.pk])).content.decode()
    assert "<img src=x>" not in html
    assert "errors in &lt;img src=x&gt;" in html


def test_an_account_never_synced_has_no_chart(viewer_client, db):
    fresh = Account.objects.create(aws_account_id="222222222222", name="fresh")
    html = viewer_client.get(reverse("account-detail", args=[fresh.pk])).content.decode()
    assert 'data-testid="sync-health"' not in html


def test_it_keeps_the_last_runs_and_the_same_queries(viewer_client, account):
    url = reverse("account-detail", args=[account.pk])
    viewer_client.get(url)
    before, _ = page_queries(viewer_client, url)
    for n in range(60):
        run(account, hours_ago=100 + n, seconds=5, calls=100)
    after, html = page_queries(viewer_client, url)
    assert after == before
    assert len(bars(html, "sync-duration")) == activity.RUNS
