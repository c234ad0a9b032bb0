"""Changes to roles besides deletion: edit the description, create an SLR.

The page only asks (roles/role_changes/service.py); the worker makes the AWS call and tells
the user through a notification (roles/role_changes/worker.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from roles.access import permissions
from roles.aws.errors import AwsError
from roles.inventory.permissions import role_for
from roles.role_changes import service as changes
from roles.role_changes.forms import CreateRoleForm, DescriptionForm
from roles.role_changes.principals import COMMON_PRINCIPALS

QUEUED = "{what} is queued: the worker makes the change in AWS and you are notified of the outcome."


def _ask(request, form, ask, *, template: str, ctx: dict):
    """Run `ask` for a valid POST; the page for what stopped it, or None when queued."""
    try:
        change = ask()
    except changes.AlreadyQueued as exc:
        form.add_error(None, f"{exc} It was asked for by {exc.change.requested_by_name}.")
        return render(request, template, {**ctx, "form": form}, status=409)
    except AwsError as exc:
        return render(request, template, {**ctx, "form": form, "error": exc}, status=400)
    messages.info(request, QUEUED.format(what=change.label))
    return None


@require_http_methods(["GET", "POST"])
def edit_description(request: HttpRequest, pk: int) -> HttpResponse:
    role = role_for(request, pk, permissions.can_operate, "role.description_edit_requested")
    form = DescriptionForm(request.POST or None, initial={"description": role.description})
    ctx = {"role": role, "form": form}
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["description"]
        page = _ask(
            request,
            form,
            lambda: changes.request_description(role, new, request=request),
            template="role_changes/description.html",
            ctx=ctx,
        )
        return page or redirect("role-detail", role.pk)
    return render(request, "role_changes/description.html", ctx, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def create_role(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_admin, "role.create_requested")
    form = CreateRoleForm(request.POST or None)
    ctx = {"form": form, "principals": COMMON_PRINCIPALS}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        page = _ask(
            request,
            form,
            lambda: changes.request_creation(
                data["account"],
                data["service_principal"],
                data["description"],
                data["custom_suffix"],
                request=request,
            ),
            template="role_changes/create.html",
            ctx=ctx,
        )
        return page or redirect("account-detail", data["account"].pk)
    return render(request, "role_changes/create.html", ctx, status=400 if form.errors else 200)
