"""The cleanup pages: planning from the role page, confirmation, approval, who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import AuditEvent, CleanupPlan, CleanupRegion, Notification
from tests.cleanup.test_cleanup import MUTATING, REGIONS, calls, ecs_role


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod", regions=REGIONS)["acme-prod"]


def plan_for(client, account) -> CleanupPlan:
    response = client.post(reverse("role-cleanup", args=[ecs_role(account).pk]))
    plan = CleanupPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cleanups/{plan.pk}/"
    return plan


def test_the_blocked_role_page_offers_plan_cleanup(operator_client, prod):
    html = operator_client.get(reverse("role-detail", args=[ecs_role(prod).pk])).content.decode()
    assert 'data-testid="plan-cleanup"' in html
    assert f'action="/roles/{ecs_role(prod).pk}/cleanup/"' in html


def test_the_plan_page_shows_the_steps_per_region_and_changes_nothing(
    operator_client, prod, emulator
):
    plan = plan_for(operator_client, prod)
    html = operator_client.get(reverse("cleanup-detail", args=[plan.pk])).content.decode()
    assert "Dry run: this plan is stored and shown; nothing has changed in AWS." in html
    assert "Steps: 0 / 36" in html
    assert html.count('data-testid="cleanup-region"') == 3
    assert html.count('data-testid="step"') == 36
    assert "UpdateService (desiredCount=0)" in html and "force=true" in html
    assert [op for op in MUTATING if calls(emulator).get(op)] == []


def test_a_viewer_may_not_plan_or_execute(viewer_client, viewer, operator_client, prod):
    response = viewer_client.post(reverse("role-cleanup", args=[ecs_role(prod).pk]))
    assert response.status_code == 403
    assert not CleanupPlan.objects.exists()
    denied = AuditEvent.objects.get(action="auth.denied")
    assert denied.details["attempted"] == "cleanup.planned" and denied.actor == viewer
    plan = plan_for(operator_client, prod)
    response = viewer_client.post(
        reverse("cleanup-execute", args=[plan.pk]), {"confirm_account": "x"}
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.state == "planned"
    assert AuditEvent.objects.filter(action="auth.denied").count() == 2


def test_it_refuses_execution_without_the_exact_account_name(operator_client, prod):
    plan = plan_for(operator_client, prod)
    for typed in ["", "acme-prod ", "ACME-PROD", "acme-staging"]:
        response = operator_client.post(
            reverse("cleanup-execute", args=[plan.pk]), {"confirm_account": typed}
        )
        assert response.status_code == 400
    assert "does not match the account name exactly" in response.content.decode()
    plan.refresh_from_db()
    assert plan.state == "planned"
    assert not AuditEvent.objects.filter(action="cleanup.confirmed").exists()


def test_the_account_name_queues_it_after_commit(
    operator_client, prod, operator, django_capture_on_commit_callbacks
):
    plan = plan_for(operator_client, prod)
    with django_capture_on_commit_callbacks() as published:
        response = operator_client.post(
            reverse("cleanup-execute", args=[plan.pk]), {"confirm_account": "acme-prod"}
        )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.state, plan.confirmed_by, plan.approval_required) == ("queued", operator, False)
    regions = plan.regions.exclude(state__in=CleanupRegion.TERMINAL).values_list(
        "region", flat=True
    )
    assert sorted(regions) == REGIONS
    assert [(c.task, c.args) for c in published] == [
        ("rolecall.cleanup.region", (plan.pk, region)) for region in regions
    ]
    event = AuditEvent.objects.get(action="cleanup.confirmed")
    assert event.actor == operator and event.details["pending_steps"] == 36


def test_with_approval_on_bob_approves_and_alice_cannot(
    approver_client,
    operator_client,
    prod,
    operator,
    approver,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    plan = plan_for(operator_client, prod)
    with django_capture_on_commit_callbacks() as published:
        operator_client.post(
            reverse("cleanup-execute", args=[plan.pk]), {"confirm_account": "acme-prod"}
        )
    assert published == []
    plan.refresh_from_db()
    assert plan.state == "awaiting_approval" and plan.approval_required
    note = Notification.objects.get(user=approver)
    assert note.title.startswith("Approval needed: clean up what keeps AWSServiceRoleForECS")

    # alice holds the approver group too, but she asked for it.
    from django.contrib.auth.models import Group

    operator.groups.add(Group.objects.get_or_create(name="approver")[0])
    operator_client.force_login(operator)
    operator_client.post(reverse("cleanup-approve", args=[plan.pk]), {"comment": "mine"})
    plan.refresh_from_db()
    assert plan.state == "awaiting_approval"
    refused = AuditEvent.objects.get(action="cleanup.approved")
    assert refused.outcome == "denied" and refused.details["reason"] == "self-approval"

    html = approver_client.get(reverse("cleanup-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="approve"' in html
    with django_capture_on_commit_callbacks() as published:
        approver_client.post(
            reverse("cleanup-approve", args=[plan.pk]), {"comment": "Old clusters."}
        )
    plan.refresh_from_db()
    assert (plan.state, plan.approved_by) == ("queued", approver)
    regions = plan.regions.exclude(state__in=CleanupRegion.TERMINAL).values_list(
        "region", flat=True
    )
    assert [c.args for c in published] == [(plan.pk, region) for region in regions]
    assert AuditEvent.objects.filter(action="cleanup.approved", outcome="success").count() == 1
    assert Notification.objects.filter(user=operator, title__contains="approved by bob").exists()


def test_an_approver_can_reject(approver_client, operator_client, prod, approver, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    plan = plan_for(operator_client, prod)
    operator_client.post(
        reverse("cleanup-execute", args=[plan.pk]), {"confirm_account": "acme-prod"}
    )
    approver_client.post(reverse("cleanup-reject", args=[plan.pk]), {"comment": "Not this week."})
    plan.refresh_from_db()
    assert (plan.state, plan.rejected_by, plan.decision_comment) == (
        "rejected",
        approver,
        "Not this week.",
    )
