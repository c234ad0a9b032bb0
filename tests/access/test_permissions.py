"""Every URL x every persona (and anonymous) x GET and POST, generated from the URL conf.

RULES says who may use each named URL; a URL missing from RULES fails
test_every_url_has_a_rule, so a new page cannot escape the matrix.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from roles.deletion.service import request_deletion
from roles.models import (
    AuditEvent,
    Campaign,
    EcsCluster,
    EcsRegion,
    Notification,
    Organization,
    ServiceLinkedRole,
    Webhook,
)
from tests.conftest import make_user
from tests.support.api import token_for

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

ANY, SIGNED_IN, MEMBER = "any", "signed in", "member"
WEBHOOK_VERBS = ("disable", "enable", "delete", "rotate", "test")
OPERATOR, APPROVER, ADMIN, NOBODY = "operator", "approver", "admin", "-"
# name: (who may GET, who may POST); NOBODY means the method is not allowed (405).
RULES = {
    "login": (ANY, ANY),
    "logout": (NOBODY, SIGNED_IN),
    "reauth": (SIGNED_IN, SIGNED_IN),
    "overview": (MEMBER, NOBODY),
    "refresh-all": (NOBODY, OPERATOR),
    "sync-status": (MEMBER, NOBODY),
    "accounts": (MEMBER, NOBODY),
    "account-choose": (MEMBER, NOBODY),
    "account-add": (ADMIN, ADMIN),
    "account-detail": (MEMBER, NOBODY),
    "account-edit": (ADMIN, ADMIN),
    "account-test": (NOBODY, OPERATOR),
    "account-refresh": (NOBODY, OPERATOR),
    "organizations": (MEMBER, NOBODY),
    "organization-add": (ADMIN, ADMIN),
    "organization-detail": (MEMBER, NOBODY),
    "organization-edit": (ADMIN, ADMIN),
    "organization-discover": (NOBODY, OPERATOR),
    "roles": (MEMBER, NOBODY),
    "role-export": (MEMBER, NOBODY),
    "role-create": (ADMIN, ADMIN),
    "role-detail": (MEMBER, NOBODY),
    "role-refresh": (NOBODY, OPERATOR),
    "role-clusters": (MEMBER, NOBODY),
    "role-delete": (OPERATOR, OPERATOR),
    "role-description": (OPERATOR, OPERATOR),
    "role-cleanup": (NOBODY, OPERATOR),
    "role-cleanup-steps": (MEMBER, NOBODY),
    "role-cleanup-steps-export": (MEMBER, NOBODY),
    "cleanup-detail": (MEMBER, NOBODY),
    "cleanup-steps": (MEMBER, NOBODY),
    "cluster-services": (MEMBER, NOBODY),
    "cluster-instances": (MEMBER, NOBODY),
    "cleanup-execute": (NOBODY, OPERATOR),
    "cleanup-approve": (NOBODY, APPROVER),
    "cleanup-reject": (NOBODY, APPROVER),
    "deletions": (MEMBER, NOBODY),
    "deletion-detail": (MEMBER, NOBODY),
    "deletion-retry": (NOBODY, OPERATOR),
    "deletion-approve": (NOBODY, APPROVER),
    "deletion-reject": (NOBODY, APPROVER),
    "notifications": (MEMBER, NOBODY),
    "notification-badge": (MEMBER, NOBODY),
    "notifications-read-all": (NOBODY, MEMBER),
    "notification-read": (NOBODY, MEMBER),
    "audit": (MEMBER, NOBODY),
    "audit-export": (MEMBER, NOBODY),
    "campaigns": (MEMBER, NOBODY),
    "campaign-new": (NOBODY, OPERATOR),
    "campaign-detail": (MEMBER, NOBODY),
    "campaign-export": (MEMBER, NOBODY),
    "campaign-remove": (NOBODY, OPERATOR),
    "campaign-submit": (NOBODY, OPERATOR),
    "campaign-pause": (NOBODY, OPERATOR),
    "campaign-resume": (NOBODY, OPERATOR),
    "campaign-discard": (NOBODY, OPERATOR),
    "campaign-approve": (NOBODY, APPROVER),
    "campaign-reject": (NOBODY, APPROVER),
    # Notifications by email and webhook (test_notification_settings.py, test_webhook_views.py).
    "notification-settings": (MEMBER, MEMBER),
    "webhooks": (ADMIN, NOBODY),
    "webhook-add": (ADMIN, ADMIN),
    "webhook-detail": (ADMIN, NOBODY),
    "webhook-edit": (ADMIN, ADMIN),
    **{f"webhook-{verb}": (NOBODY, ADMIN) for verb in WEBHOOK_VERBS},
    # Each member's own API tokens (test_api_tokens.py).
    "tokens": (MEMBER, MEMBER),
    "token-revoke": (NOBODY, MEMBER),
    "tokens-all": (ADMIN, NOBODY),
}
PERSONAS = {
    # persona: the levels it holds
    "anonymous": set(),
    "outsider": {SIGNED_IN},
    "viewer": {SIGNED_IN, MEMBER},
    "operator": {SIGNED_IN, MEMBER, OPERATOR},
    "approver": {SIGNED_IN, MEMBER, APPROVER},
    "admin": {SIGNED_IN, MEMBER, OPERATOR, APPROVER, ADMIN},
}


def url_names(patterns=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name != "admin":
                yield from url_names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name


# The API's operations (names "api-...") answer in JSON, 401 rather than a redirect to
# the sign-in page: tests/api/test_api_access.py holds their matrix, which fails the same
# way for an operation without a rule.
NAMES = sorted(name for name in set(url_names()) if not name.startswith("api-"))


def test_every_url_has_a_rule():
    assert sorted(set(NAMES) - set(RULES)) == []
    assert sorted(set(RULES) - set(NAMES)) == []


@pytest.fixture
def world(emulator, demo_accounts):
    """One of everything a URL can point at."""
    requester = make_user("requester", "operator")
    prod = demo_accounts["acme-prod"]
    role = ServiceLinkedRole.objects.create(
        account=prod,
        name="AWSServiceRoleForRDS",
        path="/aws-service-role/rds.amazonaws.com/",
        arn="arn:aws:iam::111111111111:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
        service_principal="rds.amazonaws.com",
        role_id="AROAPERMISSIONSMATRIX",
    )
    deletion = request_deletion(role, user=requester).request
    region = EcsRegion.objects.create(account=prod, region="us-east-1")
    cluster = EcsCluster.objects.create(region=region, arn=f"{role.arn}-cluster", name="web")
    org = Organization.objects.create(name="acme-org", management_account_id="123456789012")
    campaign = Campaign.objects.create(
        name="Unused RDS",
        state="awaiting_approval",
        approval_required=True,
        requested_by=requester,
        requested_by_name=requester.username,
        role_name="1 role",
    )
    campaign.roles.create(
        role=role,
        account=prod,
        role_arn=role.arn,
        role_name=role.name,
        account_name=prod.name,
        service_principal=role.service_principal,
        verdict="ready",
        evidence={"account": {"id": prod.aws_account_id}, "role": {"role_id": role.role_id}},
    )
    return {
        "campaign": campaign,
        "account": prod,
        "role": role,
        "deletion": deletion,
        "cluster": cluster,
        "organization": org,
    }


def url_for(name: str, world: dict, user) -> str:
    pk = {
        "account-detail": world["account"].pk,
        "account-edit": world["account"].pk,
        "account-test": world["account"].pk,
        "account-refresh": world["account"].pk,
        "role-detail": world["role"].pk,
        "role-refresh": world["role"].pk,
        "role-delete": world["role"].pk,
        "role-description": world["role"].pk,
        "deletion-detail": world["deletion"].pk,
        "deletion-retry": world["deletion"].pk,
        "deletion-approve": world["deletion"].pk,
        "deletion-reject": world["deletion"].pk,
        "role-cleanup": world["role"].pk,
        "role-cleanup-steps": world["role"].pk,
        "organization-detail": world["organization"].pk,
        "organization-edit": world["organization"].pk,
        "organization-discover": world["organization"].pk,
    }
    if name in ("cluster-services", "cluster-instances"):
        return reverse(name, args=[world["cluster"].pk])
    if name == "role-clusters":
        return reverse(name, args=[ecs_role(world).pk]) + "?region=us-east-1"
    if name == "cleanup-steps":
        plan = cleanup_plan(world)
        plan.regions.get_or_create(region="us-east-1")
        return reverse(name, args=[plan.pk]) + "?region=us-east-1"
    if name == "account-choose":
        return reverse(name) + "?account_q=acme"
    if name.startswith("cleanup-"):
        return reverse(name, args=[cleanup_plan(world).pk])
    if name == "notification-read":
        owner = user if user.is_authenticated else make_user("someone", "viewer")
        return reverse(name, args=[Notification.objects.create(user=owner, title="t").pk])
    if name.startswith("campaign-") and name != "campaign-new":
        campaign = world["campaign"].pk
        return reverse(
            name, args=[campaign, "plan", "csv"] if name.endswith("export") else [campaign]
        )
    if name.startswith("webhook-") and name != "webhook-add":
        return reverse(name, args=[webhook().pk])
    if name == "token-revoke":
        owner = user if user.is_authenticated else make_user("someone", "viewer")
        return reverse(name, args=[token_for(owner).row.pk])
    if name in ("audit-export", "role-export"):
        return reverse(name, args=["csv"])
    if name == "role-cleanup-steps-export":
        return reverse(name, args=[world["role"].pk, "csv"])
    return reverse(name, args=[pk[name]] if name in pk else [])


def webhook() -> Webhook:
    hook, _ = Webhook.objects.get_or_create(
        name="ops-chat",
        defaults={
            "url": "https://hooks.example.com/x",
            "secret": "s",
            "secret_set": "2026-01-01T00:00:00Z",
        },
    )
    return hook


def ecs_role(world: dict) -> ServiceLinkedRole:
    """The account's ECS role, whose clusters (world's "web" among them) have their own page."""
    return ServiceLinkedRole.objects.get_or_create(
        arn="arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        defaults={
            "account": world["account"],
            "name": "AWSServiceRoleForECS",
            "path": "/aws-service-role/ecs.amazonaws.com/",
            "service_principal": "ecs.amazonaws.com",
            "role_id": "AROAPERMISSIONSMATRIXECS",
        },
    )[0]


def cleanup_plan(world: dict):
    """A plan waiting for approval, requested by someone other than the persona."""
    from roles.models import CleanupPlan

    requester = world["deletion"].requested_by
    return CleanupPlan.objects.get_or_create(
        role=world["role"],
        account=world["account"],
        defaults={
            "role_arn": world["role"].arn,
            "role_name": world["role"].name,
            "state": "awaiting_approval",
            "requested_by": requester,
            "requested_by_name": requester.username,
        },
    )[0]


# What an allowed request shows, so a page that answers the wrong thing (another page, an
# error with a 200, a redirect to somewhere else) fails: ("page", its <title>, shown with
# a 200), ("form", the <title> of a page whose form was posted incomplete, shown again with
# a 400), ("go", the redirect target), ("csv", the header row's start), ("part", a marker of
# the htmx fragment). The requests here send no fields: a form built on `request.POST or
# None` is then unbound and shown afresh (page), a typed confirmation is missing (form).
PAGE, FORM, GO, CSV, PART = "page", "form", "go", "csv", "part"
ALLOWED = {
    ("login", "get"): (GO, lambda w: "/"),  # already signed in
    ("login", "post"): (GO, lambda w: "/"),
    ("logout", "post"): (GO, lambda w: reverse("login")),
    ("reauth", "get"): (PAGE, "Confirm your password"),
    ("reauth", "post"): (PAGE, "Confirm your password"),
    ("overview", "get"): (PAGE, "Overview"),
    ("refresh-all", "post"): (GO, lambda w: reverse("overview")),
    ("sync-status", "get"): (PART, 'data-testid="sync-progress"'),
    ("accounts", "get"): (PAGE, "Accounts"),
    ("account-add", "get"): (PAGE, "Add account"),
    ("account-add", "post"): (PAGE, "Add account"),
    ("account-detail", "get"): (PAGE, "acme-prod"),
    ("account-edit", "get"): (PAGE, "Edit acme-prod"),
    ("account-edit", "post"): (PAGE, "Edit acme-prod"),
    ("account-test", "post"): (PAGE, "Test connection"),
    ("account-refresh", "post"): (GO, lambda w: reverse("account-detail", args=[w["account"].pk])),
    ("organizations", "get"): (PAGE, "Organizations"),
    ("organization-add", "get"): (PAGE, "Connect an organization"),
    ("organization-add", "post"): (PAGE, "Connect an organization"),
    ("organization-detail", "get"): (PAGE, "acme-org"),
    ("organization-edit", "get"): (PAGE, "Edit acme-org"),
    ("organization-edit", "post"): (PAGE, "Edit acme-org"),
    ("organization-discover", "post"): (
        GO,
        lambda w: reverse("organization-detail", args=[w["organization"].pk]),
    ),
    ("roles", "get"): (PAGE, "Roles"),
    ("role-export", "get"): (CSV, "account_name,account_id,service_principal,name,arn"),
    ("role-create", "get"): (PAGE, "Create a service-linked role"),
    ("role-create", "post"): (PAGE, "Create a service-linked role"),
    ("role-detail", "get"): (PAGE, "AWSServiceRoleForRDS"),
    ("role-refresh", "post"): (GO, lambda w: reverse("role-detail", args=[w["role"].pk])),
    ("role-clusters", "get"): (PAGE, "AWSServiceRoleForECS: clusters in us-east-1"),
    # The role already has an active request: the confirmation sends the user to it.
    ("role-delete", "get"): (GO, lambda w: reverse("deletion-detail", args=[w["deletion"].pk])),
    ("role-delete", "post"): (GO, lambda w: reverse("deletion-detail", args=[w["deletion"].pk])),
    ("role-description", "get"): (PAGE, "Edit description"),
    ("role-description", "post"): (PAGE, "Edit description"),
    ("role-cleanup", "post"): (GO, lambda w: reverse("role-detail", args=[w["role"].pk])),
    ("role-cleanup-steps", "get"): (PAGE, "Cleanup steps for AWSServiceRoleForRDS"),
    ("role-cleanup-steps-export", "get"): (CSV, "step,region,kind,name,arn,status,call"),
    ("cleanup-detail", "get"): (PAGE, "Cleanup #{plan}"),
    ("cleanup-steps", "get"): (PAGE, "Cleanup #{plan}: steps in us-east-1"),
    ("cluster-services", "get"): (PAGE, "web: services"),
    ("cluster-instances", "get"): (PAGE, "web: container instances"),
    ("account-choose", "get"): (PART, 'data-testid="account-suggestions"'),
    ("cleanup-execute", "post"): (FORM, "Cleanup #{plan}"),  # no typed name
    ("cleanup-approve", "post"): (GO, lambda w: reverse("cleanup-detail", args=[plan_pk(w)])),
    ("cleanup-reject", "post"): (GO, lambda w: reverse("cleanup-detail", args=[plan_pk(w)])),
    ("deletions", "get"): (PAGE, "Deletions"),
    ("deletion-detail", "get"): (PAGE, "Deletion #{deletion}"),
    ("deletion-retry", "post"): (FORM, "Deletion #{deletion}"),  # no typed name
    ("deletion-approve", "post"): (
        GO,
        lambda w: reverse("deletion-detail", args=[w["deletion"].pk]),
    ),
    ("deletion-reject", "post"): (
        GO,
        lambda w: reverse("deletion-detail", args=[w["deletion"].pk]),
    ),
    ("notifications", "get"): (PAGE, "Notifications"),
    ("notification-badge", "get"): (PART, 'id="notification-badge"'),
    ("notifications-read-all", "post"): (GO, lambda w: reverse("notifications")),
    ("notification-read", "post"): (GO, lambda w: reverse("notifications")),
    ("audit", "get"): (PAGE, "Audit history"),
    ("audit-export", "get"): (CSV, "seq,time,actor_name,source_ip,action,outcome"),
    ("campaigns", "get"): (PAGE, "Campaigns"),
    ("campaign-new", "post"): (FORM, "No campaign drafted"),  # no name
    ("campaign-detail", "get"): (PAGE, "Campaign #{campaign}"),
    ("campaign-export", "get"): (CSV, "step,account_name,account_id,role_name,role_arn,calls"),
    ("notification-settings", "get"): (PAGE, "Notification settings"),
    ("notification-settings", "post"): (PAGE, "Notification settings"),
    ("tokens", "get"): (PAGE, "API tokens"),
    ("tokens", "post"): (FORM, "API tokens"),  # no name
    ("token-revoke", "post"): (GO, lambda w: reverse("tokens")),
    ("tokens-all", "get"): (PAGE, "All API tokens"),
    ("webhooks", "get"): (PAGE, "Webhooks"),
    ("webhook-add", "get"): (PAGE, "Add a webhook"),
    ("webhook-add", "post"): (PAGE, "Add a webhook"),
    ("webhook-detail", "get"): (PAGE, "Webhook ops-chat"),
    ("webhook-edit", "get"): (PAGE, "Edit ops-chat"),
    ("webhook-edit", "post"): (PAGE, "Edit ops-chat"),
    ("webhook-rotate", "post"): (PAGE, "Secret for ops-chat"),
    ("webhook-delete", "post"): (GO, lambda w: reverse("webhooks")),
    **{
        (f"webhook-{verb}", "post"): (
            GO,
            lambda w: reverse("webhook-detail", args=[webhook().pk]),
        )
        for verb in ("disable", "enable", "test")
    },
    **{
        (f"campaign-{verb}", "post"): (
            GO,
            lambda w: reverse("campaign-detail", args=[w["campaign"].pk]),
        )
        for verb in ("remove", "submit", "pause", "resume", "discard", "approve", "reject")
    },
}


def plan_pk(world: dict) -> int:
    return cleanup_plan(world).pk


def test_every_allowed_request_has_an_expectation():
    allowed = {
        (name, method)
        for name, rules in RULES.items()
        for method, rule in zip(("get", "post"), rules, strict=True)
        if rule != NOBODY
    }
    assert sorted(allowed ^ set(ALLOWED)) == []


# Not signed in, the sign-in page shows its form (posted empty: the form with an error).
ANONYMOUS = {("login", "get"): (PAGE, "Sign in"), ("login", "post"): (PAGE, "Sign in")}


def assert_its_own_answer(response, name: str, method: str, world: dict, persona: str) -> None:
    kind, expected = (ANONYMOUS if persona == "anonymous" else ALLOWED)[(name, method)]
    where = (name, method, response.status_code)
    if kind == GO:
        assert response.status_code == 302, where
        assert response["Location"] == expected(world), where
        return
    if kind == CSV:
        assert response.status_code == 200, where
        assert response["Content-Type"].startswith("text/csv"), where
        assert b"".join(response.streaming_content).decode().startswith(expected), where
        return
    assert response.status_code == (400 if kind == FORM else 200), where
    html = response.content.decode()
    if kind == PART:
        assert expected in html, where
        return
    title = expected.format(
        plan=plan_pk(world), deletion=world["deletion"].pk, campaign=world["campaign"].pk
    )
    assert f"<title>{title} · rolecall</title>" in html, where
    assert "You do not have permission" not in html, where


CASES = [
    (name, method, persona)
    for name in sorted(RULES)
    for method in ("get", "post")
    for persona in PERSONAS
]


@pytest.mark.parametrize("name, method, persona", CASES)
def test_access(request, client, world, settings, name, method, persona):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    if persona == "anonymous":
        user = AnonymousUser()
    else:
        # The suite's personas (tests/conftest.py), each with its signed-in client.
        user = request.getfixturevalue("admin_user" if persona == "admin" else persona)
        client = request.getfixturevalue(f"{persona}_client")
    rule = RULES[name][0 if method == "get" else 1]
    url = url_for(name, world, user)
    denied_before = AuditEvent.objects.filter(action="auth.denied").count()
    response = getattr(client, method)(url)

    if rule == NOBODY:
        # The method is never allowed, but signing in is checked before it, and so is
        # membership: an outsider is refused unless the URL is for anyone signed in.
        other = RULES[name][1 if method == "get" else 0]
        if persona == "anonymous":
            expected = 302
        elif persona == "outsider" and other != SIGNED_IN:
            expected = 403
        else:
            expected = 405
        assert response.status_code == expected, (url, response.status_code)
        return
    if persona == "anonymous" and rule != ANY:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    allowed = rule == ANY or rule in PERSONAS[persona]
    if allowed:
        assert_its_own_answer(response, name, method, world, persona)
    else:
        assert response.status_code == 403, (url, persona, response.status_code)
        assert b"You do not have permission" in response.content
        assert AuditEvent.objects.filter(action="auth.denied").count() == denied_before + 1
