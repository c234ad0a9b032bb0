"""Changes to roles besides deletion: edit the description, create an SLR."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from roles import permissions
from roles.aws import iam
from roles.aws.errors import AwsError
from roles.aws.session import AccountSession
from roles.forms import CreateRoleForm, DescriptionForm
from roles.models import AuditEvent, Notification, Outcome, ServiceLinkedRole
from roles.notify import notify
from roles.services import COMMON_PRINCIPALS
from roles.sync.service import start_sync


@require_http_methods(["GET", "POST"])
def edit_description(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(ServiceLinkedRole.objects.select_related("account"), pk=pk)
    if not permissions.can_operate(request.user):
        permissions.deny(
            request,
            "role.description_edited",
            target_arn=role.arn,
            account_id=role.account.aws_account_id,
        )
    form = DescriptionForm(request.POST or None, initial={"description": role.description})
    error = None
    if request.method == "POST" and form.is_valid():
        new, old = form.cleaned_data["description"], role.description
        audit = {
            "request": request,
            "target_arn": role.arn,
            "account_id": role.account.aws_account_id,
        }
        try:
            client = AccountSession(role.account.target()).client("iam")
            request_id = iam.update_role_description(client, role.name, new)
        except AwsError as exc:
            error = exc
            AuditEvent.objects.record(
                "role.description_edited",
                outcome=Outcome.FAILURE,
                aws_request_id=exc.request_id,
                details={"old": old, "new": new, "error": exc.as_dict()},
                **audit,
            )
        else:
            role.description = new
            role.save(update_fields=["description"])
            AuditEvent.objects.record(
                "role.description_edited",
                aws_request_id=request_id,
                details={"old": old, "new": new},
                **audit,
            )
            notify(
                [request.user],
                f"Description of {role.name} in {role.account.name} updated",
                level=Notification.Level.SUCCESS,
                link=reverse("role-detail", args=[role.pk]),
            )
            return redirect("role-detail", role.pk)
    ctx = {"role": role, "form": form, "error": error}
    return render(
        request, "roles/description.html", ctx, status=400 if form.errors or error else 200
    )


@require_http_methods(["GET", "POST"])
def create_role(request: HttpRequest) -> HttpResponse:
    if not permissions.can_admin(request.user):
        permissions.deny(request, "role.created")
    form = CreateRoleForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = data["account"]
        details = {k: data[k] for k in ("service_principal", "description", "custom_suffix")}
        try:
            client = AccountSession(account.target()).client("iam")
            summary, request_id = iam.create_service_linked_role(
                client, data["service_principal"], data["description"], data["custom_suffix"]
            )
        except AwsError as exc:
            error = exc
            AuditEvent.objects.record(
                "role.created",
                request=request,
                outcome=Outcome.FAILURE,
                account_id=account.aws_account_id,
                aws_request_id=exc.request_id,
                details={**details, "error": exc.as_dict()},
            )
        else:
            AuditEvent.objects.record(
                "role.created",
                request=request,
                target_arn=summary.arn,
                account_id=account.aws_account_id,
                aws_request_id=request_id,
                details=details,
            )
            notify(
                [request.user],
                f"{summary.name} created in {account.name}",
                level=Notification.Level.SUCCESS,
                body="It appears in the role list after the sync.",
                link=reverse("account-detail", args=[account.pk]),
            )
            # The new role shows up through the normal path: a sync of its account.
            start_sync(account, user=request.user, request=request, reason="role created")
            return redirect("account-detail", account.pk)
    ctx = {"form": form, "error": error, "principals": COMMON_PRINCIPALS}
    return render(request, "roles/create.html", ctx, status=400 if form.errors or error else 200)
