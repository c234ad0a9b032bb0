"""The campaign pages: drafted from the roles list's filter, reviewed with its dry run,
approved by a second person typing the count, exported, and watched while it runs."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.campaigns import run, select
from roles.campaigns import views as campaign_views
from roles.campaigns.kind import confirmation
from roles.models import AuditEvent, Campaign, CampaignRole, ServiceLinkedRole
from tests.support.campaigns import approved
from tests.support.drive import drive_deletion

Row = CampaignRole.State


@pytest.fixture
def staging(sync_demo):
    return sync_demo("acme-staging")["acme-staging"]


def draft(client, staging, **filters) -> Campaign:
    response = client.post(
        reverse("campaign-new"), {"name": "Staging clean-up", "account": staging.pk, **filters}
    )
    campaign = Campaign.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign-detail", args=[campaign.pk])
    return campaign


def test_the_roles_list_offers_operators_a_draft_of_what_it_shows(
    operator_client, viewer_client, staging
):
    url = reverse("roles") + f"?account={staging.pk}&verdict=ready"
    page = operator_client.get(url).content.decode()
    assert 'data-testid="draft-campaign"' in page
    assert f'name="account" value="{staging.pk}"' in page
    assert 'name="verdict" value="ready"' in page
    assert 'data-testid="draft-campaign"' not in viewer_client.get(url).content.decode()


def test_a_draft_holds_exactly_the_filtered_roles_and_shows_its_dry_run(operator_client, staging):
    campaign = draft(operator_client, staging, verdict="ready")
    expected = set(
        ServiceLinkedRole.objects.filter(account=staging, verdict="ready").values_list(
            "name", flat=True
        )
    )
    assert set(campaign.roles.values_list("role_name", flat=True)) == expected
    assert campaign.selection == {"account": str(staging.pk), "verdict": "ready"}
    page = operator_client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="dry-run"' in page
    assert page.count('data-testid="campaign-role"') == len(expected)
    plan = operator_client.get(reverse("campaign-export", args=[campaign.pk, "plan", "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(plan.streaming_content).decode())))
    assert [r["step"] for r in rows] == [str(n) for n in range(1, len(expected) + 1)]
    assert {r["role_name"] for r in rows} == expected
    calls = rows[0]["calls"].split("; ")
    assert calls[0] == "sts:AssumeRole (read role)"
    assert calls.index("iam:GetRole") < calls.index("iam:DeleteServiceLinkedRole")
    assert calls[-1].startswith("iam:GetServiceLinkedRoleDeletionStatus")


def test_bad_drafts_get_a_clear_error(operator_client, staging):
    response = operator_client.post(reverse("campaign-new"), {"account": staging.pk})
    assert response.status_code == 400 and "name" in response.content.decode()
    response = operator_client.post(
        reverse("campaign-new"), {"name": "x", "account": staging.pk, "q": "no-such-role-at-all"}
    )
    assert response.status_code == 409 and "no roles" in response.content.decode()
    response = operator_client.post(reverse("campaign-new"), {"name": "x", "picked": "1,two"})
    assert response.status_code == 400 and "not a whole number" in response.content.decode()
    assert not Campaign.objects.exists()


def test_picked_rows_narrow_the_filter(operator_client, staging):
    picked = list(
        ServiceLinkedRole.objects.filter(account=staging)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:2]
    campaign = draft(operator_client, staging, picked=",".join(map(str, picked)))
    assert sorted(campaign.roles.values_list("role_id", flat=True)) == picked
    assert campaign.selection["picked"] == picked


def test_rows_ticked_in_the_roles_list_are_the_draft(operator_client, viewer_client, staging):
    url = reverse("roles") + f"?account={staging.pk}"
    page = operator_client.get(url).content.decode()
    rows = ServiceLinkedRole.objects.filter(account=staging).order_by("pk")
    for role in rows:
        assert f'form="draft-campaign-form" name="pick" value="{role.pk}"' in page
    assert 'id="draft-campaign-form"' in page
    assert 'name="pick"' not in viewer_client.get(url).content.decode()
    ticked = [rows[0].pk, rows[2].pk]
    campaign = draft(operator_client, staging, pick=[str(pk) for pk in ticked])
    assert sorted(campaign.roles.values_list("role_id", flat=True)) == ticked
    assert campaign.selection["picked"] == ticked
    # A forged tick is a clear 400, and nothing is drafted from it.
    before = Campaign.objects.count()
    response = operator_client.post(
        reverse("campaign-new"), {"name": "x", "account": staging.pk, "pick": ["1", "x"]}
    )
    assert response.status_code == 400 and "not a whole number" in response.content.decode()
    assert Campaign.objects.count() == before


def test_removing_rows_then_approving_through_the_pages(
    operator_client, approver_client, operator, approver, staging
):
    campaign = draft(operator_client, staging, verdict="ready")
    first = campaign.roles.filter(state=Row.PENDING).first()
    detail = reverse("campaign-detail", args=[campaign.pk])
    forged = operator_client.post(
        reverse("campaign-remove", args=[campaign.pk]), {"row": [first.pk, "all"]}
    )
    assert forged.status_code == 400 and "not a whole number" in forged.content.decode()
    assert campaign.roles.filter(state=Row.REMOVED).count() == 0
    response = operator_client.post(
        reverse("campaign-remove", args=[campaign.pk]), {"row": [first.pk]}
    )
    assert response["Location"] == detail
    first.refresh_from_db()
    assert first.state == Row.REMOVED
    operator_client.post(reverse("campaign-submit", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.state == "awaiting_approval" and campaign.version == 2
    # alice cannot approve her own campaign, whatever she types.
    phrase = confirmation(campaign)
    form = {"comment": "ok", "version": campaign.version, "typed": phrase}
    operator_client.post(reverse("campaign-approve", args=[campaign.pk]), form)
    campaign.refresh_from_db()
    assert campaign.state == "awaiting_approval"
    page = approver_client.get(detail).content.decode()
    assert f'data-testid="confirmation">{phrase}<' in page
    assert 'name="version" value="2"' in page
    wrong = approver_client.post(
        reverse("campaign-approve", args=[campaign.pk]),
        {**form, "typed": "retire them"},
        follow=True,
    )
    assert "Type “retire" in wrong.content.decode()
    approver_client.post(reverse("campaign-approve", args=[campaign.pk]), form)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.approved_by) == ("queued", approver)
    approved = AuditEvent.objects.get(action="campaign.approved", outcome="success")
    assert approved.actor_name == "bob" and approved.details["roles"] == campaign.role_name


def test_the_running_page_polls_its_progress_and_the_report_exports(
    operator_client, approver, operator, staging, settings
):
    settings.ROLECALL_CAMPAIGN_PER_ACCOUNT = 1
    ready = ServiceLinkedRole.objects.filter(account=staging, verdict="ready").order_by("pk")
    two = ServiceLinkedRole.objects.filter(pk__in=list(ready.values_list("pk", flat=True)[:2]))
    campaign = approved(select.draft("two", two, user=operator, selection={}), approver)
    run.advance(campaign.pk)
    detail = reverse("campaign-detail", args=[campaign.pk])
    fragment = operator_client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.strip().startswith('<div id="campaign"')
    assert 'hx-trigger="every 2s"' in fragment
    assert 'data-state="deleting"' in fragment
    assert 'max="2" value="0" data-testid="progress-bar"' in fragment
    for _ in range(4):
        for deletion in campaign.deletions.active():
            drive_deletion(deletion)
        run.advance(campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == "finished"
    fragment = operator_client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in fragment and 'max="2" value="2" data-testid="progress-bar"' in fragment
    report = operator_client.get(reverse("campaign-export", args=[campaign.pk, "report", "json"]))
    rows = json.loads(b"".join(report.streaming_content))
    assert [r["outcome"] for r in rows] == ["succeeded", "succeeded"]
    for row in rows:
        assert row["deletion_task_id"] and row["aws_request_ids"]
        assert (row["requested_by"], row["approved_by"]) == ("alice", "bob")
        assert row["approved_at"] and row["finished_at"]


def test_a_draft_can_be_one_ou_and_everything_under_it(operator_client, sync_demo):
    from django.utils import timezone

    from roles.models import MemberAccount, Organization

    accounts = sync_demo("acme-staging", "acme-prod", regions=["us-east-1"])
    org = Organization.objects.create(name="acme", management_account_id="123456789012")
    for name, path in (
        ("acme-staging", "Workloads / Staging"),
        ("acme-prod", "Workloads / Production"),
    ):
        account = accounts[name]
        MemberAccount.objects.create(
            organization=org,
            aws_account_id=account.aws_account_id,
            name=name,
            state="ACTIVE",
            ou_path=path,
            first_seen=timezone.now(),
            account=account,
        )

    def names(ou: str) -> set[str]:
        page = operator_client.get(reverse("roles"), {"ou": ou})
        assert page.status_code == 200
        return {
            name
            for name in ("acme-staging", "acme-prod")
            if f"<td>{name} <code" in page.content.decode()
        }

    assert names("Workloads") == {"acme-staging", "acme-prod"}
    assert names("Workloads/Staging") == names(" Workloads / Staging/ ") == {"acme-staging"}
    assert names("Work") == set()  # a path, not a prefix of a name
    operator_client.post(reverse("campaign-new"), {"name": "staging OU", "ou": "Workloads/Staging"})
    campaign = Campaign.objects.get()
    assert set(campaign.roles.values_list("account_name", flat=True)) == {"acme-staging"}
    assert campaign.selection == {"ou": "Workloads/Staging"}


def test_a_typed_account_drafts_exactly_the_roles_the_list_shows(operator_client, sync_demo):
    accounts = sync_demo("acme-staging", "acme-prod", regions=["us-east-1"])
    staging, prod = accounts["acme-staging"], accounts["acme-prod"]
    # The account box typed, not picked; then another account picked, then typed over.
    for query, expected in (
        ({"account_q": "acme-staging"}, staging),
        ({"account": prod.pk, "account_q": "acme-staging"}, staging),
    ):
        page = operator_client.get(reverse("roles"), query).content.decode()
        shown = ServiceLinkedRole.objects.filter(account=expected).count()
        assert f">{shown} roles<" in page
        assert f'<input type="hidden" name="account" value="{expected.pk}">' in page
        assert (
            f'name="account" value="{prod.pk if expected == staging else staging.pk}"' not in page
        )


def test_the_page_reads_the_same_queries_whatever_the_number_of_roles(operator_client, sync_demo):
    accounts = sync_demo("acme-staging", "acme-prod")
    counts = []
    for filters in ({"account": accounts["acme-staging"].pk}, {}):
        operator_client.post(reverse("campaign-new"), {"name": "Clean-up", **filters})
        campaign = Campaign.objects.latest("pk")
        url = reverse("campaign-detail", args=[campaign.pk])
        operator_client.get(url)  # the first fetch may write the session
        with CaptureQueriesContext(connection) as queries:
            page = operator_client.get(url).content.decode()
        left_alone = campaign.roles.exclude(state__in=CampaignRole.ACTED_ON).count()
        assert page.count('data-testid="excluded-role"') == left_alone
        counts.append((campaign.roles.count(), left_alone, len(queries.captured_queries)))
    (few, few_apart, small), (many, many_apart, large) = counts
    assert many > few and many_apart > few_apart  # more rows, and more set apart
    assert small == large, counts  # no query per role, acted on or left alone


def test_both_lists_page_and_polling_keeps_the_pages_shown(
    operator_client, approver, operator, sync_demo, monkeypatch
):
    monkeypatch.setattr(campaign_views, "ROWS_PER_PAGE", 2)
    sync_demo("acme-staging", "acme-prod")
    operator_client.post(reverse("campaign-new"), {"name": "Everything"})
    campaign = Campaign.objects.latest("pk")
    apart = list(
        campaign.roles.exclude(state__in=CampaignRole.ACTED_ON).values_list("role_name", flat=True)
    )
    assert len(apart) > 4
    detail = reverse("campaign-detail", args=[campaign.pk])
    seen, url = [], f"{detail}?page=2&apart=1"
    while url:
        page = operator_client.get(url).content.decode()
        assert f"<h2>Left alone ({len(apart)})</h2>" in page
        assert page.count('data-testid="excluded-role"') <= 2
        assert page.count('data-testid="campaign-role"') == 2  # the roles page 2 stays
        seen += re.findall(r'data-testid="excluded-role" data-state="\w+"><a [^>]+>([^<]+)<', page)
        following = re.search(r'href="\?page=2&amp;apart=(\d+)">Next</a></p>\s*</section>', page)
        url = following and f"{detail}?page=2&apart={following.group(1)}"
    assert sorted(seen) == sorted(apart)  # every one, each once
    assert operator_client.get(f"{detail}?apart=x").status_code == 400

    approved(campaign, approver)
    fragment = operator_client.get(f"{detail}?page=2&apart=3", HTTP_HX_REQUEST="true")
    # The poll asks for the pages on screen, not for the first ones.
    assert f'hx-get="{detail}?page=2&amp;apart=3"' in fragment.content.decode()
