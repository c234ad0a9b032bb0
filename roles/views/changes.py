"""Changes to roles besides deletion: edit the description, create an SLR."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from roles import changes, permissions
from roles.aws.errors import AwsError
from roles.forms import CreateRoleForm, DescriptionForm
from roles.services import COMMON_PRINCIPALS


@require_http_methods(["GET", "POST"])
def edit_description(request: HttpRequest, pk: int) -> HttpResponse:
    role = permissions.role_for(request, pk, permissions.can_operate, "role.description_edited")
    form = DescriptionForm(request.POST or None, initial={"description": role.description})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            changes.update_description(role, form.cleaned_data["description"], request=request)
        except AwsError as exc:
            error = exc
        else:
            return redirect("role-detail", role.pk)
    ctx = {"role": role, "form": form, "error": error}
    return render(
        request, "roles/description.html", ctx, status=400 if form.errors or error else 200
    )


@require_http_methods(["GET", "POST"])
def create_role(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_admin, "role.created")
    form = CreateRoleForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = data["account"]
        try:
            changes.create_role(
                account,
                data["service_principal"],
                data["description"],
                data["custom_suffix"],
                request=request,
            )
        except AwsError as exc:
            error = exc
        else:
            return redirect("account-detail", account.pk)
    ctx = {"form": form, "error": error, "principals": COMMON_PRINCIPALS}
    return render(request, "roles/create.html", ctx, status=400 if form.errors or error else 200)
