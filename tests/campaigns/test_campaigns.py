"""Retirement campaigns (roles/campaigns/): drafting freezes the evidence and sets
apart what must be left alone; one approval by someone who neither drafted nor
edited it, typing the count; the run deletes through the ordinary deletion steps,
a few at a time, skipping a role whose evidence changed, and tells people once.

The worker steps run in this process (tests/support/drive.py); a real worker
process, killed mid-campaign, is in tests/faults/test_campaign_faults.py."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles import jobs
from roles.accounts.demo import AUDIT_ROLE, CHANGE_ROLE, EXTERNAL_ID
from roles.campaigns import run, select, service
from roles.campaigns.kind import ADVANCE, CampaignRefused, confirmation
from roles.deletion.evidence import snapshot
from roles.deletion.service import decide, request_deletion, retry_deletion
from roles.models import (
    Account,
    AuditEvent,
    Campaign,
    CampaignRole,
    DeletionRequest,
    Notification,
    ProtectedRule,
    ServiceLinkedRole,
)
from tests.support.aws import client as aws_client
from tests.support.campaigns import approved, run_to_the_end
from tests.support.drive import drive_deletion
from tests.support.sync import sync_now

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

STAGING, SANDBOX = "222222222222", "333333333333"
Row = CampaignRole.State


@pytest.fixture
def accounts(sync_demo, demo_accounts):
    """Staging and the sandbox (a member account the demo does not add by itself)."""
    demo_accounts["acme-sandbox"] = Account.objects.create(
        name="acme-sandbox",
        aws_account_id=SANDBOX,
        role_arn=AUDIT_ROLE.format(account=SANDBOX),
        change_role_arn=CHANGE_ROLE.format(account=SANDBOX),
        external_id=EXTERNAL_ID,
    )
    return sync_demo("acme-staging", "acme-sandbox")


def roles_of(*names):
    return ServiceLinkedRole.objects.filter(account__name__in=names)


def drafted(user, *names, name="Retire unused") -> Campaign:
    return select.draft(name, roles_of(*names), user=user, selection={"account": ",".join(names)})


def in_aws(account_id: str) -> set[str]:
    roles = aws_client("iam", account_id).list_roles(PathPrefix="/aws-service-role/")["Roles"]
    return {r["RoleName"] for r in roles}


# --- drafting ------------------------------------------------------------------


def test_a_draft_freezes_each_roles_evidence_and_sets_apart_what_it_must_not_touch(
    accounts, operator
):
    ProtectedRule.objects.create(kind="role", pattern="AWSServiceRoleForRDS", reason="billing")
    campaign = drafted(operator, "acme-staging", "acme-sandbox")
    assert (campaign.state, campaign.requested_by, campaign.approval_required) == (
        "draft",
        operator,
        True,
    )
    rows = {r.role_name + "@" + r.account_name: r for r in campaign.roles.all()}
    assert len(rows) == roles_of("acme-staging", "acme-sandbox").count()
    for row in rows.values():
        assert row.evidence == snapshot(row.role)
    excluded = {k: r.reason for k, r in rows.items() if r.state == Row.EXCLUDED}
    assert excluded["AWSServiceRoleForRDS@acme-staging"].startswith("Protected:")
    assert excluded["AWSServiceRoleForSupport@acme-sandbox"].startswith(
        "AWS does not allow deleting it"
    )
    assert "AWSServiceRoleForOrganizations@acme-sandbox" in excluded
    assert rows["AWSServiceRoleForECS@acme-sandbox"].state == Row.PENDING
    pending = sum(1 for r in rows.values() if r.state == Row.PENDING)
    assert campaign.role_name == f"{pending} roles"
    totals = select.totals(campaign)
    acted = [r for r in rows.values() if r.state == Row.PENDING]
    assert totals == {
        "account": sorted(Counter(r.account_name for r in acted).items()),
        "service": sorted(Counter(r.service_principal for r in acted).items()),
        "verdict": sorted(Counter(r.verdict for r in acted).items()),
        "state": sorted(Counter(r.state for r in rows.values()).items()),
    }
    assert sum(n for _, n in totals["account"]) == pending
    assert dict(totals["state"])["excluded"] == len(excluded)
    event = AuditEvent.objects.get(action="campaign.drafted")
    assert event.details["roles"] == len(rows) and event.details["excluded"] == len(excluded)


def test_drafting_reads_the_same_queries_whatever_the_number_of_roles(accounts, operator):
    with CaptureQueriesContext(connection) as one:
        drafted(operator, "acme-sandbox")
    with CaptureQueriesContext(connection) as two:
        drafted(operator, "acme-staging", "acme-sandbox")
    assert roles_of("acme-staging").count() >= 10
    # bulk_create batches rows: no query per role or per account.
    assert len(two.captured_queries) == len(one.captured_queries)


def test_an_empty_or_oversized_selection_is_refused(accounts, operator, settings):
    with pytest.raises(CampaignRefused, match="no roles"):
        select.draft("x", roles_of("nobody"), user=operator, selection={})
    settings.ROLECALL_CAMPAIGN_MAX_ROLES = 2
    with pytest.raises(CampaignRefused, match="more than 2 roles"):
        drafted(operator, "acme-staging")
    assert not Campaign.objects.exists()


# --- approval --------------------------------------------------------------------


def test_the_author_cannot_approve_and_neither_can_an_editor(accounts, operator, approver):
    campaign = drafted(approver, "acme-sandbox")  # bob drafts
    ecs = campaign.roles.get(role_name="AWSServiceRoleForECS")
    other = drafted(operator, "acme-staging")
    # alice removes a row from bob's draft: she is now one of its requesters too.
    service.remove_rows(campaign, [], user=operator)
    row = campaign.roles.filter(state=Row.PENDING).exclude(pk=ecs.pk).first()
    assert row is None  # the sandbox has one role to retire: remove from staging instead
    staging_row = other.roles.filter(state=Row.PENDING).first()
    assert service.remove_rows(other, [staging_row.pk], user=approver) == 1
    other.refresh_from_db()
    assert other.version == 2 and approver.pk in other.requester_ids()
    service.ask_approval(other, user=operator)
    other.refresh_from_db()
    for person in (operator, approver):  # the author, then the editor
        with pytest.raises(CampaignRefused, match="drafted or edited"):
            service.decide(
                other,
                user=person,
                approve=True,
                comment="",
                version=other.version,
                typed=confirmation(other),
            )
    refused = AuditEvent.objects.filter(action="campaign.approved", outcome="denied")
    assert [e.details["reason"] for e in refused] == ["self-approval", "self-approval"]
    other.refresh_from_db()
    assert other.state == "awaiting_approval"


def test_approval_needs_the_typed_count_and_the_version_shown(
    accounts, operator, approver, django_capture_on_commit_callbacks
):
    ProtectedRule.objects.filter().delete()
    campaign = drafted(operator, "acme-staging", "acme-sandbox")
    shown = campaign.version
    row = campaign.roles.filter(state=Row.PENDING).first()
    service.remove_rows(campaign, [row.pk], user=operator)  # after bob loaded the page
    service.ask_approval(campaign, user=operator)
    campaign.refresh_from_db()
    phrase = confirmation(campaign)
    assert phrase == f"retire {campaign.role_name}"
    with pytest.raises(CampaignRefused, match="Type"):
        service.decide(
            campaign, user=approver, approve=True, comment="", version=campaign.version, typed="yes"
        )
    with pytest.raises(CampaignRefused, match="changed since this page was loaded"):
        service.decide(
            campaign, user=approver, approve=True, comment="", version=shown, typed=phrase
        )
    with django_capture_on_commit_callbacks(execute=False) as published:
        service.decide(
            campaign,
            user=approver,
            approve=True,
            comment="ok",
            version=campaign.version,
            typed=phrase,
        )
    campaign.refresh_from_db()
    assert (campaign.state, campaign.approved_by) == ("queued", approver)
    assert [(p.task, p.args) for p in published] == [(ADVANCE, (campaign.pk,))]
    reasons = [
        e.details.get("reason")
        for e in AuditEvent.objects.filter(action="campaign.approved").order_by("seq")
    ]
    assert reasons == ["confirmation not typed", "stale campaign", None]


def test_production_accounts_are_named_in_the_confirmation(sync_demo, operator):
    """acme-prod's only roles a campaign could retire are "Not checked" (EC2 Spot,
    CloudTrail): included on the author's acknowledgement, both are named."""
    sync_demo("acme-prod")
    campaign = select.draft(
        "Retire unused",
        roles_of("acme-prod"),
        user=operator,
        selection={},
        include_not_checked=True,
    )
    pending = campaign.roles.filter(state=Row.PENDING)
    unchecked = pending.filter(verdict="not_checked").count()
    assert pending.exists() and unchecked >= 1
    assert confirmation(campaign) == (
        f"retire {campaign.role_name} ({unchecked} not checked) including acme-prod"
    )


def test_a_draft_cannot_be_edited_once_sent_for_approval(accounts, operator):
    campaign = drafted(operator, "acme-staging")
    service.ask_approval(campaign, user=operator)
    row = campaign.roles.filter(state=Row.PENDING).first()
    with pytest.raises(CampaignRefused, match="cannot be edited"):
        service.remove_rows(campaign, [row.pk], user=operator)


# --- the run ---------------------------------------------------------------------


def test_the_run_retires_every_role_and_tells_the_author_and_approver_once(
    accounts, operator, approver, emulator
):
    campaign = approved(drafted(operator, "acme-staging", "acme-sandbox"), approver)
    pending = list(campaign.roles.filter(state=Row.PENDING))
    campaign = run_to_the_end(campaign)
    assert campaign.state == "finished"
    outcomes = dict(
        campaign.roles.filter(pk__in=[r.pk for r in pending]).values_list("role_name", "state")
    )
    assert set(outcomes.values()) == {"succeeded"}, outcomes
    left = in_aws(STAGING) | in_aws(SANDBOX)
    assert not left & {r.role_name for r in pending}
    # One DeletionRequest per role, approved by bob, asked by alice, in the campaign.
    deletions = DeletionRequest.objects.filter(campaign=campaign)
    assert deletions.count() == len(pending)
    assert {(d.requested_by_id, d.approved_by_id) for d in deletions} == {
        (operator.pk, approver.pk)
    }
    # One notification each, with the totals; none per role.
    for person in (operator, approver):
        (note,) = Notification.objects.filter(user=person, title__contains="finished")
        assert note.title.endswith(f"finished: {len(pending)} succeeded, 0 failed, 0 skipped")
    assert not Notification.objects.filter(title__startswith="Deletion of").exists()
    requested = AuditEvent.objects.filter(action="deletion.requested")
    assert {e.details["campaign"] for e in requested} == {campaign.pk}
    submitted = AuditEvent.objects.filter(action="deletion.submitted")
    assert {e.details["campaign"] for e in submitted} == {campaign.pk}
    assert submitted.count() == len(pending)


def test_deletions_run_a_few_at_a_time_per_account(accounts, operator, approver, settings):
    settings.ROLECALL_CAMPAIGN_PER_ACCOUNT = 1
    settings.ROLECALL_CAMPAIGN_CONCURRENCY = 5
    campaign = approved(drafted(operator, "acme-staging", "acme-sandbox"), approver)
    run.advance(campaign.pk)
    busy = DeletionRequest.objects.filter(campaign=campaign)
    assert sorted(busy.values_list("account__name", flat=True)) == [
        "acme-sandbox",
        "acme-staging",
    ]
    # A second advance (a message delivered twice) starts nothing more.
    run.advance(campaign.pk)
    assert busy.count() == 2


def test_a_role_whose_evidence_changed_is_skipped_and_the_rest_go_on(
    accounts, operator, approver, emulator
):
    campaign = approved(drafted(operator, "acme-staging", "acme-sandbox"), approver)
    # Someone used sandbox's ECS role after the evidence was frozen.
    now = timezone.now().replace(microsecond=0).isoformat()
    emulator.control.set_role_last_used(SANDBOX, "AWSServiceRoleForECS", now, "eu-west-1")
    campaign = run_to_the_end(campaign)
    row = campaign.roles.get(role_name="AWSServiceRoleForECS", account_name="acme-sandbox")
    assert row.state == "skipped"
    assert {d["field"] for d in row.differences} >= {"last_used_at", "last_used_region"}
    assert "AWSServiceRoleForECS" in in_aws(SANDBOX)
    others = campaign.roles.filter(state__in=CampaignRole.DONE).exclude(pk=row.pk)
    assert set(others.values_list("state", flat=True)) == {"succeeded"}
    assert row.deletion.state == "failed" and row.deletion.last_error["code"] == "EvidenceChanged"
    (note,) = Notification.objects.filter(user=approver, title__contains="finished")
    assert "1 skipped" in note.title
    # No request for a new approval of that one role: only the campaign's own.
    (asked,) = Notification.objects.filter(title__startswith="Approval needed")
    assert "campaign" in asked.title


def test_a_role_protected_after_approval_is_skipped(accounts, operator, approver):
    campaign = approved(drafted(operator, "acme-sandbox"), approver)
    ProtectedRule.objects.create(kind="account", pattern=SANDBOX, reason="frozen")
    campaign = run_to_the_end(campaign)
    (row,) = campaign.roles.filter(state__in=CampaignRole.DONE)
    assert row.state == "skipped" and "Protected" in row.reason
    assert "AWSServiceRoleForECS" in in_aws(SANDBOX)


def test_a_role_with_its_own_deletion_under_way_is_not_deleted_twice(accounts, operator, approver):
    campaign = approved(drafted(operator, "acme-sandbox"), approver)
    role = ServiceLinkedRole.objects.get(account__name="acme-sandbox", name="AWSServiceRoleForECS")
    own = request_deletion(role, user=approver).request
    run.advance(campaign.pk)
    row = campaign.roles.get(role=role)
    assert row.state == "skipped" and f"#{own.pk}" in row.reason
    assert DeletionRequest.objects.filter(role=role).count() == 1


def test_pause_stops_new_deletions_and_resume_goes_on(
    accounts, operator, approver, settings, django_capture_on_commit_callbacks
):
    settings.ROLECALL_CAMPAIGN_PER_ACCOUNT = 1
    campaign = approved(drafted(operator, "acme-staging"), approver)
    run.advance(campaign.pk)
    service.pause(campaign, user=operator)
    (first,) = DeletionRequest.objects.filter(campaign=campaign)
    drive_deletion(first)  # what was already sent finishes
    run.advance(campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == "paused"
    assert DeletionRequest.objects.filter(campaign=campaign).count() == 1
    assert campaign.roles.get(deletion=first).state == "succeeded"
    with django_capture_on_commit_callbacks(execute=False) as published:
        service.resume(campaign, user=operator)
    assert [p.task for p in published] == [ADVANCE]
    campaign = run_to_the_end(campaign)
    assert campaign.state == "finished"
    actions = list(
        AuditEvent.objects.filter(action__startswith="campaign.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "campaign.drafted",
        "campaign.submitted",
        "campaign.approved",
        "campaign.started",
        "campaign.paused",
        "campaign.resumed",
        "campaign.finished",
    ]


def test_a_message_lost_is_sent_again_by_the_sweeper(accounts, operator, approver, monkeypatch):
    from roles.jobs.sweeper import sweep

    campaign = approved(drafted(operator, "acme-sandbox"), approver)
    Campaign.objects.filter(pk=campaign.pk).update(updated=timezone.now() - timedelta(minutes=5))
    sent = []
    monkeypatch.setattr(jobs, "publish", lambda name, *a, **k: sent.append((name, a)) or True)
    result = sweep(grace=30)
    assert result.sent == {"campaign": [campaign.pk]}
    assert sent == [(ADVANCE, (campaign.pk,))]
    assert AuditEvent.objects.filter(action="campaign.redispatched").count() == 1


def test_an_account_re_pointed_after_approval_skips_its_roles(
    accounts, operator, approver, emulator
):
    campaign = approved(drafted(operator, "acme-sandbox"), approver)
    Account.objects.filter(name="acme-sandbox").update(aws_account_id="444444444444")
    campaign = run_to_the_end(campaign)
    (row,) = campaign.roles.filter(state__in=CampaignRole.DONE)
    assert row.state == "skipped"
    assert row.deletion.last_error["code"] == "BindingChanged"
    assert {d["field"] for d in row.differences} >= {"account id"}
    assert emulator.control.calls()["operations"].get("iam:DeleteServiceLinkedRole", 0) == 0


def test_retrying_a_skipped_role_is_its_own_request_approved_and_told_as_any(
    accounts, operator, approver, emulator
):
    campaign = approved(drafted(operator, "acme-sandbox"), approver)
    now = timezone.now().replace(microsecond=0).isoformat()
    emulator.control.set_role_last_used(SANDBOX, "AWSServiceRoleForECS", now, "eu-west-1")
    campaign = run_to_the_end(campaign)
    (row,) = campaign.roles.filter(state__in=CampaignRole.DONE)
    assert row.state == "skipped"
    sync_now(Account.objects.get(name="acme-sandbox"))  # the evidence as AWS has it now
    retried = retry_deletion(row.deletion, user=operator)
    assert retried.state == "awaiting_approval"  # the campaign's approval covered attempt 1
    (asked,) = Notification.objects.filter(title__startswith="Approval needed: delete")
    assert asked.user == approver
    decide(retried, user=approver, approve=True, comment="seen", version=retried.evidence_version)
    assert drive_deletion(retried).state == "succeeded"
    told = Notification.objects.filter(user=operator, title__startswith="Deletion of")
    headline = "Deletion of AWSServiceRoleForECS in acme-sandbox"
    assert [n.title for n in told.order_by("pk")] == [
        f"{headline} approved by bob",
        f"{headline} succeeded",
    ]
