"""Approve or reject: one flow for deletion requests and cleanup plans."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from roles import permissions, reauth


class DecisionForm(forms.Form):
    comment = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


def decision(
    request: HttpRequest,
    obj,
    *,
    approve: bool,
    detail: str,
    decide: Callable,
    refused: type[Exception],
    deny: Callable[[], None],
) -> HttpResponse:
    """An approver's decision on obj, shown back on its `detail` page.

    deny() must raise (permissions.deny records the refusal); decide() is the
    service call, raising `refused` with a message for the user.
    """
    if not permissions.can_approve(request.user):
        deny()
    stale = reauth.require_fresh(request, reverse(detail, args=[obj.pk]))
    if stale:
        return stale
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A comment is required (at most 1000 characters).")
        return redirect(detail, obj.pk)
    try:
        decide(
            obj,
            user=request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
            request=request,
        )
    except refused as exc:
        messages.error(request, str(exc))
    return redirect(detail, obj.pk)
