"""AWS Organizations: connect one, see its accounts and what rolecall does with each,
discover now. Discovery itself is roles/organizations/discovery.py, run by the worker."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles import jobs
from roles.access import permissions, reauth
from roles.audit.models import AuditEvent, Outcome
from roles.core.inflight import in_flight
from roles.core.models import Account
from roles.organizations import connection
from roles.organizations.discovery import DISCOVER_TASK, EXCLUDED, matches
from roles.organizations.forms import OrganizationForm
from roles.organizations.models import MemberAccount, Organization, State
from roles.web import keyset
from roles.web.params import InvalidParameter

# What the organization's audit events record: the form's fields, and the lists it parses.
AUDITED = (*OrganizationForm.Meta.fields, "enroll_ous", "exclude_accounts")
# What re-points every account the organization enrolled.
MEMBER_ROLES = ("member_role_name", "member_change_role_name", "member_external_id")
# What names the organization and how it is reached: AWS confirms it (connection.py).
CONNECTION = ("management_account_id", "role_arn", "external_id")
BY_PATH = keyset.Order(("ou_path", "name", "pk"))


def _snapshot(org: Organization) -> dict:
    return {field: getattr(org, field) for field in AUDITED}


def _refused(request: HttpRequest, form: OrganizationForm, action: str, account_id: str) -> bool:
    """Ask AWS whether the typed management account manages the organization the form's
    role reaches; if not, a form error and a denied audit event, and True."""
    refusal = connection.refusal(form.instance)
    if refusal is None:
        return False
    form.add_error(refusal.field, refusal.message)
    AuditEvent.objects.record(
        action,
        request=request,
        outcome=Outcome.DENIED,
        account_id=account_id,
        aws_request_id=refusal.request_id,
        details=refusal.details,
    )
    return True


def _reconnect_refused(request, form, org: Organization, before: dict) -> HttpResponse | None:
    """An edit of the management account, role or external id is confirmed with AWS as
    connecting is; refused, the form's error (the stored row is untouched)."""
    reconnecting = any(form.cleaned_data.get(f) != before[f] for f in CONNECTION)
    if not reconnecting or not _refused(
        request, form, "organization.changed", before["management_account_id"]
    ):
        return None
    # The form's instance holds the refused values; the page shows the stored name.
    ctx = {"form": form, "org": Organization.objects.get(pk=org.pk)}
    return render(request, "organizations/form.html", ctx, status=400)


def _queue_discovery(request: HttpRequest, org: Organization, reason: str) -> None:
    AuditEvent.objects.record(
        "organization.discovery_requested",
        request=request,
        account_id=org.management_account_id,
        details={"organization": org.name, "reason": reason},
    )
    jobs.after_commit(DISCOVER_TASK, org.pk, request.user.pk)


@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.annotate(
        member_count=Count("members", distinct=True),
        enrolled_count=Count("enrolled", distinct=True),
    )
    ctx = {
        "organizations": orgs,
        "can_admin": permissions.can_admin(request.user),
        "discovery_interval": settings.ROLECALL_DISCOVERY_INTERVAL,
    }
    return render(request, "organizations/list.html", ctx)


@require_http_methods(["GET", "POST"])
def organization_add(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_admin, "organization.added")
    form = OrganizationForm(request.POST or None)
    typed = request.POST.get("management_account_id", "")[:12]
    if (
        request.method == "POST"
        and form.is_valid()
        and not _refused(request, form, "organization.added", typed)
    ):
        with transaction.atomic():
            org = form.save()
            AuditEvent.objects.record(
                "organization.added",
                request=request,
                account_id=org.management_account_id,
                details={"organization": _snapshot(org)},
            )
            _queue_discovery(request, org, "connected")
        messages.info(request, "Connected. The first discovery is under way.")
        return redirect("organization-detail", org.pk)
    status = 400 if form.errors else 200
    return render(request, "organizations/form.html", {"form": form, "org": None}, status=status)


def _repoint(org: Organization) -> list[str]:
    """Give every account the organization enrolled its current member roles."""
    accounts = list(Account.objects.filter(organization=org))
    for account in accounts:
        account.role_arn = org.member_arn(account.aws_account_id, org.member_role_name)
        account.change_role_arn = org.member_arn(
            account.aws_account_id, org.member_change_role_name
        )
        account.external_id = org.member_external_id
    Account.objects.bulk_update(accounts, ["role_arn", "change_role_arn", "external_id"])
    return [a.aws_account_id for a in accounts]


@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the connection and the rule. Changing the member roles re-points every
    enrolled account, so it needs a fresh password and is refused while requests or
    plans in those accounts are under way (they are bound to the roles as they are)."""
    org = get_object_or_404(Organization, pk=pk)
    permissions.require(request, permissions.can_admin, "organization.changed")
    stale = reauth.require_fresh(request, reverse("organization-edit", args=[org.pk]))
    if stale:
        return stale
    before = _snapshot(org)
    form = OrganizationForm(request.POST or None, instance=org)
    status = 200
    if request.method == "POST" and form.is_valid():
        refused = _reconnect_refused(request, form, org, before)
        if refused:
            return refused
        repointing = any(form.cleaned_data.get(f) != before[f] for f in MEMBER_ROLES)
        busy = in_flight(account__organization=org) if repointing else None
        if busy:
            form.add_error(
                None,
                f"The member roles cannot change while {busy.words} in enrolled accounts are "
                "under way: they are bound to the accounts' roles as they are. Let them "
                "finish, or reject them, first.",
            )
            AuditEvent.objects.record(
                "organization.changed",
                request=request,
                outcome=Outcome.DENIED,
                account_id=before["management_account_id"],
                details={"reason": "active requests or plans", **busy.counts},
            )
            status = 409
            org = Organization.objects.get(pk=org.pk)
        else:
            with transaction.atomic():
                org = form.save()
                after = _snapshot(org)
                changes = {
                    k: {"old": before[k], "new": after[k]} for k in AUDITED if before[k] != after[k]
                }
                repointed = _repoint(org) if repointing else []
                AuditEvent.objects.record(
                    "organization.changed",
                    request=request,
                    account_id=org.management_account_id,
                    details={"changes": changes, "repointed": repointed, "reauthenticated": True},
                )
                _queue_discovery(request, org, "changed")
            return redirect("organization-detail", org.pk)
    if form.errors and status == 200:
        status = 400
    return render(request, "organizations/form.html", {"form": form, "org": org}, status=status)


def _what_rolecall_does(org: Organization, member: MemberAccount) -> tuple[str, str]:
    """(pill class, words) for one member row."""
    account = member.account
    if account is not None:
        if account.paused == EXCLUDED:
            return "warn", "not synced: outside the rule"
        if account.paused:
            return "warn", "not synced"
        if not account.enabled:
            return "", "disabled"
        return "ok", "enrolled" if account.organization_id == org.pk else "added by hand"
    if member.aws_account_id in org.exclude_accounts:
        return "", "excluded"
    if member.state == State.ACTIVE and matches(org, member):
        return "", "enrolled at the next discovery"
    return "", "not enrolled"


@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    state = request.GET.get("state", "")
    if state and state not in State.values:
        raise InvalidParameter(f"state: {state[:40]!r} is not an account state.")
    members = org.members.select_related("account")
    if state:
        members = members.filter(state=state)
    page = keyset.page(members, BY_PATH, request.GET, 100)
    for member in page.rows:
        member.pill, member.doing = _what_rolecall_does(org, member)
    counts = dict(org.members.values_list("state").annotate(n=Count("id")).order_by())
    ctx = {
        "org": org,
        "page": page,
        "state": state,
        "states": [(value, label, counts.get(value, 0)) for value, label in State.choices],
        "total": sum(counts.values()),
        "enrolled": org.enrolled.count(),
        "can_admin": permissions.can_admin(request.user),
        "can_operate": permissions.can_operate(request.user),
    }
    return render(request, "organizations/detail.html", ctx)


@require_POST
def organization_discover(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    permissions.require(request, permissions.can_operate, "organization.discovery_requested")
    with transaction.atomic():
        _queue_discovery(request, org, "requested")
    messages.info(request, "Discovery queued: the page shows its result once it is done.")
    return redirect("organization-detail", org.pk)
