"""The OpenAPI document: valid, and every operation it documents answers as documented."""

import pytest
from django.test import Client
from openapi_spec_validator import validate

from roles.campaigns import select, service
from roles.cleanup.service import request_execution
from roles.models import Campaign, CleanupPlan, DeletionRequest, ServiceLinkedRole
from tests.support.api import token_for
from tests.support.drive import drive_deletion

METHODS = ("get", "post", "put", "patch", "delete")


def schema(api) -> dict:
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict) -> dict[str, tuple[str, str, set[str]]]:
    """operationId -> (method, path template, documented status codes)."""
    return {
        op["operationId"]: (method, path, set(op["responses"]))
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


@pytest.mark.django_db
def test_the_schema_is_valid_openapi_3_and_needs_a_login(viewer):
    assert Client().get("/api/v1/schema/").status_code == 401
    spec = schema(token_for(viewer, scope="read"))
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_reference_page_is_served_from_our_own_static_files(viewer_client):
    response = viewer_client.get("/api/v1/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "<script>" not in html  # the start-up script is a file of its own (CSP)
    script = viewer_client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and b"/api/v1/schema/" in script.content


@pytest.fixture
def scene(sync_demo, settings, operator, approver, operator_client):
    """A deletion to reject and one to approve (then fail, then retry), a cleanup plan
    to reject and one to approve, a campaign to reject and one to approve and pause."""
    settings.ROLECALL_REQUIRE_APPROVAL = True
    accounts = sync_demo("acme-prod", "acme-staging")
    ecs = {
        name: ServiceLinkedRole.objects.get(account__name=name, name="AWSServiceRoleForECS")
        for name in ("acme-prod", "acme-staging")
    }

    def plan():
        operator_client.post(f"/roles/{ecs['acme-prod'].pk}/cleanup/")
        found = CleanupPlan.objects.filter(state="planned").latest("pk")
        return request_execution(found, user=operator)

    def campaign(name):
        drafted = select.draft(
            name,
            ServiceLinkedRole.objects.filter(account__name="acme-staging", verdict="ready"),
            user=operator,
            selection={},
        )
        return service.ask_approval(drafted, user=operator)

    return {"ecs": ecs, "accounts": accounts, "plan": plan, "campaign": campaign}


def test_every_documented_operation_answers_as_documented(scene, operator, approver, viewer):
    ops = operations(schema(token_for(viewer, scope="read")))
    asker, decider = token_for(operator, name="asker"), token_for(approver, name="decider")
    prod, staging = scene["ecs"]["acme-prod"], scene["ecs"]["acme-staging"]
    account = scene["accounts"]["acme-staging"]
    called: dict[str, int] = {}

    def call(op_id, api, path, body=None, *, expect):
        method, template, documented = ops[op_id]
        assert path.split("?")[0].count("/") == template.count("/"), (op_id, path)
        response = api.post(path, body) if method == "post" else api.get(path)
        assert response.status_code == expect, (op_id, response.json())
        assert str(expect) in documented, (op_id, expect, documented)
        called[op_id] = expect
        return response.json()

    v1 = "/api/v1"
    call("list_accounts", asker, f"{v1}/accounts/", expect=200)
    call("get_account", asker, f"{v1}/accounts/{account.pk}/", expect=200)
    call("refresh_account", asker, f"{v1}/accounts/{account.pk}/refresh/", expect=202)
    call("get_overview", asker, f"{v1}/overview/", expect=200)
    call("list_roles", asker, f"{v1}/roles/?service=ecs", expect=200)
    call("get_role", asker, f"{v1}/roles/{prod.pk}/", expect=200)
    # Deletions: one rejected, one approved, failed in AWS (clusters), then retried.
    rejected = call(
        "request_deletion",
        asker,
        f"{v1}/roles/{staging.pk}/deletion/",
        {"confirm": staging.name},
        expect=201,
    )
    call(
        "deletions_reject_create",
        decider,
        f"{v1}/deletions/{rejected['id']}/reject/",
        {"comment": "not now"},
        expect=200,
    )
    blocked = asker.post(
        f"{v1}/roles/{prod.pk}/deletion/", {"confirm": prod.name, "confirm_account": "acme-prod"}
    ).json()
    call(
        "deletions_approve_create",
        decider,
        f"{v1}/deletions/{blocked['id']}/approve/",
        {"comment": "ok", "version": blocked["evidence_version"]},
        expect=200,
    )
    assert drive_deletion(DeletionRequest.objects.get(pk=blocked["id"])).state == "failed"
    call(
        "retry_deletion",
        asker,
        f"{v1}/deletions/{blocked['id']}/retry/",
        {"confirm": prod.name, "confirm_account": "acme-prod"},
        expect=200,
    )
    call("list_deletions", asker, f"{v1}/deletions/?state=awaiting_approval", expect=200)
    detail = call("get_deletion", asker, f"{v1}/deletions/{blocked['id']}/", expect=200)
    assert [a["status"] for a in detail["attempts"]] == ["FAILED", "pending"]
    # Cleanup plans.
    first = scene["plan"]()
    call(
        "cleanups_reject_create",
        decider,
        f"{v1}/cleanups/{first.pk}/reject/",
        {"comment": "not yet"},
        expect=200,
    )
    second = scene["plan"]()
    call(
        "cleanups_approve_create",
        decider,
        f"{v1}/cleanups/{second.pk}/approve/",
        {"comment": "go"},
        expect=200,
    )
    call("list_cleanups", asker, f"{v1}/cleanups/", expect=200)
    call("get_cleanup", asker, f"{v1}/cleanups/{second.pk}/", expect=200)
    # Campaigns.
    dropped = scene["campaign"]("dropped")
    call(
        "campaigns_reject_create",
        decider,
        f"{v1}/campaigns/{dropped.pk}/reject/",
        {"comment": "no"},
        expect=200,
    )
    kept = scene["campaign"]("kept")
    shown = call("get_campaign", decider, f"{v1}/campaigns/{kept.pk}/", expect=200)
    call(
        "campaigns_approve_create",
        decider,
        f"{v1}/campaigns/{kept.pk}/approve/",
        {"comment": "go", "version": shown["version"], "typed": shown["confirmation"]},
        expect=200,
    )
    call("campaigns_pause_create", asker, f"{v1}/campaigns/{kept.pk}/pause/", expect=200)
    call("campaigns_resume_create", asker, f"{v1}/campaigns/{kept.pk}/resume/", expect=200)
    assert Campaign.objects.get(pk=kept.pk).state in Campaign.RUNNING_STATES
    call("list_campaigns", asker, f"{v1}/campaigns/", expect=200)
    call("list_notifications", decider, f"{v1}/notifications/", expect=200)
    events = call("list_audit_events", asker, f"{v1}/audit/?q=api", expect=200)
    assert events["results"]
    assert set(called) == set(ops), set(ops) - set(called)
