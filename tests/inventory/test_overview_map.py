"""The overview's dormancy map: services by accounts, or by OU or the top accounts at
organization size, each cell a way into the roles behind it (roles/inventory/charts/dormancy.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.inventory import summary
from roles.inventory.charts import dormancy
from roles.models import Account, MemberAccount, Organization, ServiceLinkedRole
from tests.inventory.test_large_pages import page_queries

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

ECS, RDS, ASG = "ecs.amazonaws.com", "rds.amazonaws.com", "autoscaling.amazonaws.com"


def account(n: int, name: str | None = None) -> Account:
    return Account.objects.create(aws_account_id=f"{n:012d}", name=name or f"acct-{n:03d}")


def role(acct: Account, principal: str, *, days: int | None, verdict: str, suffix: str = ""):
    """A live role last used `days` ago (None: never)."""
    name = f"AWSServiceRoleFor{principal.split('.')[0].upper()}{suffix}"
    used = timezone.now() - timedelta(days=days) if days is not None else None
    return ServiceLinkedRole.objects.create(
        account=acct,
        account_name=acct.name,
        arn=f"arn:aws:iam::{acct.aws_account_id}:role/aws-service-role/{principal}/{name}",
        name=name,
        path=f"/aws-service-role/{principal}/",
        service_principal=principal,
        last_used_at=used,
        verdict=verdict,
    )


def in_ou(acct: Account, path: str) -> None:
    org, _ = Organization.objects.get_or_create(name="acme", management_account_id="999999999999")
    MemberAccount.objects.create(
        organization=org,
        aws_account_id=acct.aws_account_id,
        name=acct.name,
        state="ACTIVE",
        ou_path=path,
        first_seen=timezone.now(),
        account=acct,
    )


@pytest.fixture
def small(db):
    """Two accounts: prod has ECS used last week (blocked), RDS unused for 200 days
    (deletable) and two Auto Scaling roles; staging has ECS never used (deletable)."""
    prod, staging = account(1, "prod"), account(2, "staging")
    ecs = role(prod, ECS, days=7, verdict="blocked")
    rds = role(prod, RDS, days=200, verdict="ready")
    role(prod, ASG, days=500, verdict="ready")
    role(prod, ASG, days=10, verdict="not_deletable", suffix="_batch")
    never = role(staging, ECS, days=None, verdict="ready")
    summary.summarise([prod, staging])
    return {"prod": prod, "staging": staging, "ecs": ecs, "rds": rds, "never": never}


def cells(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" tabindex="-1" data-testid="map-cell">', html)


def table(html: str) -> list[list[str]]:
    """The map's text alternative, as rows of cell texts (tags dropped)."""
    body = html.split('data-testid="map-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)
        ]
        for r in rows
    ]


def test_it_draws_a_cell_per_service_and_account_with_band_and_verdict(viewer_client, small):
    response = viewer_client.get(reverse("overview"))
    assert response.status_code == 200
    chart = response.context["map"]
    assert chart.mode == "accounts"
    assert [c.label for c in chart.columns] == ["prod", "staging"]
    assert [r.service for r in chart.rows] == [ASG, ECS, RDS]
    asg, ecs, rds = chart.rows
    assert ecs.cells[0].bands == {"recent": 1} and ecs.cells[0].verdicts == {"blocked": 1}
    assert [m for m, _ in ecs.cells[0].marks] == ["blocked"]
    assert ecs.cells[1].bands == {"stale": 1} and [m for m, _ in ecs.cells[1].marks] == ["ready"]
    assert rds.cells[0].bands == {"dormant": 1}
    assert rds.cells[1].roles == 0 and rds.cells[1].bands == {"none": 1}
    assert asg.cells[0].bands == {"stale": 1, "recent": 1}
    assert [m for m, _ in asg.cells[0].marks] == ["ready", "not_deletable"]
    # Two roles share the cell: the cell is split in two halves.
    assert [(k, w) for k, _, w, _ in asg.cells[0].segments] == [("recent", 17.0), ("stale", 17.0)]


def test_a_cell_links_to_its_role_and_headers_to_the_filtered_list(viewer_client, small):
    html = viewer_client.get(reverse("overview")).content.decode()
    prod, staging = small["prod"], small["staging"]
    assert cells(html) == [
        f"/roles/?account={prod.pk}&amp;service=autoscaling.amazonaws.com",
        f"/roles/{small['ecs'].pk}/",
        f"/roles/{small['never'].pk}/",
        f"/roles/{small['rds'].pk}/",
    ]
    assert f'<a href="/roles/?account={prod.pk}" tabindex="-1">' in html
    assert f'<a href="/roles/?account={staging.pk}" tabindex="-1">' in html
    assert '<a href="/roles/?service=ecs.amazonaws.com" tabindex="-1">' in html
    # The filtered list the header leads to shows the account's roles.
    listed = viewer_client.get(f"/roles/?account={prod.pk}&service=autoscaling.amazonaws.com")
    assert sorted(r.name for r in listed.context["page"]) == [
        "AWSServiceRoleForAUTOSCALING",
        "AWSServiceRoleForAUTOSCALING_batch",
    ]


def test_the_table_says_what_the_picture_shows(viewer_client, small):
    response = viewer_client.get(reverse("overview"))
    html = response.content.decode()
    rows = table(html)
    assert rows[0] == ["Service", "prod", "staging"]
    assert rows[2] == [
        ECS,
        "AWSServiceRoleForECS: used in the last 90 days; blocked",
        "AWSServiceRoleForECS: never used, or over 400 days ago; can be deleted now",
    ]
    assert rows[3][2] == "no such role"
    assert rows[1][1] == (
        "1 used in the last 90 days; 1 never used, or over 400 days ago; 1 deletable; "
        "1 not deletable"
    )
    # The picture's tooltips are the same words, and it has an accessible name.
    assert 'role="img" aria-labelledby="dormancy-title dormancy-desc"' in html
    titles = [unescape(t) for t in re.findall(r"<g><title>([^<]*)</title>", html)]
    assert "ecs in staging: " + rows[2][2] in titles
    assert len(titles) == 3 * 2  # every cell, empty ones too


def test_a_hostile_account_name_is_escaped(viewer_client, small):
    hostile = Account.objects.create(aws_account_id="000000000666", name='<script>x</script>"')
    role(hostile, ECS, days=1, verdict="ready", suffix="<b>")
    html = viewer_client.get(reverse("overview")).content.decode()
    assert "<script>x" not in html and "<b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;&quot;" in html
    assert "AWSServiceRoleForECS&lt;b&gt;" in html


def test_it_aggregates_by_top_accounts_over_the_threshold(viewer_client, small, settings):
    more = [account(100 + n) for n in range(dormancy.THRESHOLD)]
    for n, acct in enumerate(more):
        for k in range(n % 4):  # 0 to 3 unused roles each
            role(acct, f"s{k}.amazonaws.com", days=300, verdict="unknown")
    summary.summarise(more)
    chart = viewer_client.get(reverse("overview")).context["map"]
    assert chart.mode == "top" and chart.account_total == dormancy.THRESHOLD + 2
    assert len(chart.columns) == dormancy.TOP
    # Ten accounts have 3 unused roles, then ten have 2 (prod has one: the 500-day role).
    assert [c.label for c in chart.columns[:10]] == [f"acct-{100 + n:03d}" for n in range(3, 40, 4)]
    assert {c.label for c in chart.columns[10:]} == {f"acct-{100 + n:03d}" for n in range(2, 40, 4)}
    # Every account is never drawn, even when asked for (a bookmark from a smaller day).
    assert viewer_client.get(reverse("overview"), {"map": "accounts"}).context["map"].mode == "top"


def test_it_aggregates_by_ou_over_the_threshold(viewer_client, small):
    in_ou(small["prod"], "Workloads / Prod")
    in_ou(small["staging"], "Workloads / Staging")
    sandbox = account(3, "sandbox")
    in_ou(sandbox, "Sandbox")
    role(sandbox, RDS, days=None, verdict="blocked")
    response = viewer_client.get(reverse("overview"), {"map": "ou"})
    chart = response.context["map"]
    assert chart.mode == "ou"
    assert [(c.label, c.accounts) for c in chart.columns] == [("Sandbox", 1), ("Workloads", 2)]
    by_service = {r.service: r.cells for r in chart.rows}
    sandbox_rds, workloads_rds = by_service[RDS]
    assert sandbox_rds.bands == {"recent": 0, "dormant": 0, "stale": 1, "none": 0}
    assert workloads_rds.bands == {"recent": 0, "dormant": 1, "stale": 0, "none": 1}
    workloads_ecs = by_service[ECS][1]
    assert workloads_ecs.bands == {"recent": 1, "dormant": 0, "stale": 1, "none": 0}
    assert workloads_ecs.verdicts == {"ready": 1, "blocked": 1, "not_deletable": 0}
    assert by_service[ECS][0].bands == {"none": 1}
    html = response.content.decode()
    assert '<a href="/roles/?ou=Workloads" tabindex="-1">' in html
    assert "/roles/?ou=Workloads&amp;service=ecs.amazonaws.com" in cells(html)
    assert table(html)[2] == [
        ECS,
        "1 no such role",
        "1 used in the last 90 days; 1 never used, or over 400 days ago; 1 deletable; 1 blocked",
    ]
    # The OU link lists what the column counts.
    listed = viewer_client.get("/roles/?ou=Workloads&service=ecs.amazonaws.com")
    assert len(listed.context["page"]) == 2


def test_a_bad_mode_is_a_400(viewer_client, small):
    response = viewer_client.get(reverse("overview"), {"map": "everything"})
    assert response.status_code == 400
    assert b"map: &#x27;everything&#x27; is not one of accounts, top, ou." in response.content


def overview_queries(client, mode: str) -> int:
    return page_queries(client, f"{reverse('overview')}?map={mode}")[0]


@pytest.mark.parametrize("mode", ["", "ou"])
def test_the_query_count_is_the_same_for_two_accounts_or_two_hundred(viewer_client, small, mode):
    viewer_client.get(reverse("overview"))  # the first request after sign-in saves the session
    # By default every account at the small size, the top ones at the large one.
    before = overview_queries(viewer_client, mode)
    if mode == "ou":
        in_ou(small["prod"], "Workloads")
    many = [account(1000 + n) for n in range(200)]
    for n, acct in enumerate(many):
        role(acct, ECS, days=n * 3, verdict="ready")
        role(acct, f"s{n % 7}.amazonaws.com", days=n, verdict="blocked")
        if mode == "ou":
            in_ou(acct, f"OU{n % 9} / team{n % 3}")
    summary.summarise(many)
    assert overview_queries(viewer_client, mode) == before


def test_the_top_accounts_say_so_when_none_has_an_unused_role(viewer_client, db):
    many = [account(500 + n) for n in range(dormancy.THRESHOLD + 1)]
    for acct in many:
        role(acct, ECS, days=3, verdict="blocked")
    summary.summarise(many)
    response = viewer_client.get(reverse("overview"))
    assert response.context["map"].mode == "top" and response.context["map"].columns == []
    assert "No account has a role unused for 90 days." in response.content.decode()


def test_a_role_deleted_or_gone_is_no_such_role(viewer_client, small):
    ServiceLinkedRole.objects.filter(pk=small["rds"].pk).update(state="deleted")
    chart = viewer_client.get(reverse("overview")).context["map"]
    assert RDS not in [r.service for r in chart.rows]  # no account has a live RDS role
    ecs = next(r for r in chart.rows if r.service == ECS)
    assert [c.roles for c in ecs.cells] == [1, 1]
