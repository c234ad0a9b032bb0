"""Keyset pages (roles/web/keyset.py) on the role and account lists, and the account
chooser (roles/web/choosers.py) that replaced the <select> of every account.

A walk over every page, forwards with rel="next" and backwards from rel="last"
with rel="prev", must give each row exactly once in the database's own order,
for every sort, with ties and "never used" NULLs in the sorted column.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.inventory import listing
from roles.inventory.listing import SORTS, order_for
from roles.inventory.summary import summarise
from roles.inventory.views import roles as role_views
from roles.models import Account, ServiceLinkedRole
from roles.web import keyset

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

LINK = re.compile(r'<a class="button" rel="(first|prev|next|last)" href="([^"]+)"')


def links(response) -> dict[str, str]:
    return {rel: unescape(href) for rel, href in LINK.findall(response.content.decode())}


def walk(client, url: str, params: dict, start: str, step: str) -> list[int]:
    seen, response = [], client.get(url, params)
    assert response.status_code == 200
    if start == "last":
        response = client.get(url + links(response)["last"])
    for _ in range(200):
        pks = [row.pk for row in response.context["page"]]
        seen = seen + pks if step == "next" else pks + seen
        following = links(response).get(step)
        if following is None:
            return seen
        response = client.get(url + following)
        assert response.status_code == 200
    raise AssertionError("the pages never ended")


@pytest.fixture
def ties(synced):
    """Equal last-used times, equal blocker counts and several roles never used."""
    when = timezone.now() - timedelta(days=200)
    roles = list(ServiceLinkedRole.objects.order_by("pk"))
    for index, role in enumerate(roles):
        if index % 4 == 0:
            role.last_used_at = None
        elif index % 4 == 1:
            role.last_used_at = when
    ServiceLinkedRole.objects.bulk_update(roles, ["last_used_at"])
    return roles


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{s}" for s in SORTS)])
def test_every_sort_walks_each_role_once_forwards_and_backwards(
    viewer_client, ties, monkeypatch, sort
):
    monkeypatch.setattr(role_views, "PAGE_SIZE", 4)
    expected = list(
        ServiceLinkedRole.objects.order_by(*order_for(sort).order_by()).values_list("pk", flat=True)
    )
    assert len(expected) == 33
    url = reverse("roles")
    assert walk(viewer_client, url, {"sort": sort}, "first", "next") == expected
    assert walk(viewer_client, url, {"sort": sort}, "last", "prev") == expected


@pytest.mark.parametrize("descending", [False, True])
def test_pages_of_two_walk_nulls_and_ties_once_in_sql(ties, descending):
    """keyset.page itself, on the nullable sort: each engine orders NULLs its own way
    unless told, and the row-value comparisons must agree with that order."""
    order = keyset.Order(
        ("last_used_at", "name", "pk"), descending=descending, nullable=frozenset({"last_used_at"})
    )
    rows = ServiceLinkedRole.objects.all()
    expected = list(rows.order_by(*order.order_by()).values_list("pk", flat=True))
    seen, query = [], {}
    while True:
        page = keyset.page(rows, order, query, 2)
        seen += [row.pk for row in page]
        if page.next_cursor is None:
            break
        query = {"after": page.next_cursor}
    assert seen == expected and len(seen) == 33


def test_never_used_roles_come_first_oldest_first_and_last_newest_first(viewer_client, ties):
    oldest = viewer_client.get(reverse("roles"), {"sort": "last_used"}).context["page"]
    newest = viewer_client.get(reverse("roles"), {"sort": "-last_used"}).context["page"]
    assert oldest.rows[0].last_used_at is None
    assert newest.rows[0].last_used_at is not None
    last = viewer_client.get(reverse("roles"), {"sort": "-last_used", "last": "1"})
    assert last.context["page"].rows[-1].last_used_at is None


def test_a_filtered_walk_keeps_the_filter_on_every_page(viewer_client, synced, monkeypatch):
    monkeypatch.setattr(role_views, "PAGE_SIZE", 3)
    blocked = set(ServiceLinkedRole.objects.filter(verdict="blocked").values_list("pk", flat=True))
    seen = walk(viewer_client, reverse("roles"), {"verdict": "blocked"}, "first", "next")
    assert sorted(seen) == sorted(blocked) and len(blocked) > 3


def test_the_count_comes_from_the_summary_and_is_capped_elsewhere(
    viewer_client, synced, monkeypatch
):
    response = viewer_client.get(reverse("roles"))
    assert response.context["total"] == 33 and response.context["exact"]
    assert b'data-testid="role-count">33 roles<' in response.content
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    capped = viewer_client.get(reverse("roles"), {"service": "amazonaws"})
    assert (capped.context["total"], capped.context["exact"]) == (5, False)
    assert b"More than 5 roles" in capped.content
    few = viewer_client.get(reverse("roles"), {"q": "ecs"})
    exact = ServiceLinkedRole.objects.filter(search__contains="ecs").count()
    assert (few.context["total"], few.context["exact"]) == (exact, True)


def test_the_summary_follows_a_rename_and_the_role_list_sorts_by_the_new_name(admin_client, synced):
    account = synced["acme-staging"]
    account.name = "aaa-first"
    account.save(update_fields=["name"])
    from roles.inventory.summary import rename

    rename(account)
    first = admin_client.get(reverse("roles")).context["page"].rows[0]
    assert first.account_id == account.pk and first.account_name == "aaa-first"
    found = admin_client.get(reverse("roles"), {"q": "AAA-FIRST"}).context["page"].rows
    assert {r.account_id for r in found} == {account.pk}


def test_the_accounts_page_pages_by_name_and_searches(admin_client, db):
    Account.objects.bulk_create(
        Account(aws_account_id=f"{100000000000 + n}", name=f"acct-{n:03d}") for n in range(120)
    )
    summarise(Account.objects.all())
    url = reverse("accounts")
    expected = list(Account.objects.order_by("name", "pk").values_list("pk", flat=True))
    assert walk(admin_client, url, {}, "first", "next") == expected
    assert walk(admin_client, url, {}, "last", "prev") == expected
    found = admin_client.get(url, {"q": "100000000007"}).context["page"].rows
    assert [a.name for a in found] == ["acct-007"]


class TestAccountChooser:
    def test_the_role_list_renders_no_account_options(self, viewer_client, synced):
        html = viewer_client.get(reverse("roles")).content.decode()
        assert "<option" not in html.split('id="id_account_q"')[0].rsplit("<form", 1)[-1]
        assert 'name="account_q"' in html and "acme-prod</option>" not in html

    def test_suggestions_link_back_with_the_other_filters_and_no_cursor(
        self, viewer_client, synced
    ):
        response = viewer_client.get(
            reverse("account-choose"),
            {"account_q": "acme", "for": "roles", "verdict": "blocked", "after": "xyz"},
        )
        assert response.status_code == 200
        hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', response.content.decode())]
        prod = synced["acme-prod"]
        assert f"/roles/?verdict=blocked&account={prod.pk}&account_q=acme-prod" in hrefs
        assert not any("after=" in h for h in hrefs) and len(hrefs) == 2

    def test_a_suggestion_filters_the_list(self, viewer_client, synced):
        prod = synced["acme-prod"]
        response = viewer_client.get(
            reverse("roles"), {"account": prod.pk, "account_q": "acme-prod"}
        )
        assert {r.account_id for r in response.context["page"]} == {prod.pk}
        assert 'value="acme-prod"' in response.content.decode()

    def test_an_exact_name_or_id_typed_and_submitted_filters(self, viewer_client, synced):
        staging = synced["acme-staging"]
        for text in ("ACME-staging", staging.aws_account_id):
            rows = viewer_client.get(reverse("roles"), {"account_q": text}).context["page"]
            assert {r.account_id for r in rows} == {staging.pk}

    def test_the_box_wins_over_a_stale_hidden_id(self, viewer_client, synced):
        prod, staging = synced["acme-prod"], synced["acme-staging"]
        changed = {"account": prod.pk, "account_q": "acme-staging"}
        rows = viewer_client.get(reverse("roles"), changed).context["page"]
        assert {r.account_id for r in rows} == {staging.pk}
        cleared = viewer_client.get(reverse("roles"), {"account": prod.pk, "account_q": ""})
        assert len({r.account_id for r in cleared.context["page"]}) > 1

    def test_an_unknown_account_is_a_form_error(self, viewer_client, synced):
        response = viewer_client.get(reverse("roles"), {"account_q": "nope"})
        assert response.status_code == 400
        assert "No account is named or numbered" in response.content.decode()

    def test_suggestions_escape_names_and_stay_on_known_pages(self, admin_client, db):
        Account.objects.create(aws_account_id="999999999999", name="<b>x</b>")
        response = admin_client.get(
            reverse("account-choose"), {"account_q": "<b>", "for": "//evil.example"}
        )
        html = response.content.decode()
        assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
        assert 'href="/roles/?' in html

    def test_the_deletions_list_uses_the_chooser_too(self, viewer_client, synced):
        html = viewer_client.get(reverse("deletions")).content.decode()
        assert 'name="account_q"' in html and '<option value="">any account' not in html
