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
    # The evidence version the approver was shown (deletions): a stale page
    # cannot approve evidence that has since been replaced.
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )


def decision(
    request: HttpRequest,
    obj,
    *,
    approve: bool,
    detail: str,
    decide: Callable,
    refused: type[Exception],
    deny: Callable[[], None],
    versioned: bool = False,
) -> HttpResponse:
    """An approver's decision on obj, shown back on its `detail` page.

    deny() must raise (permissions.deny records the refusal); decide() is the
    service call, raising `refused` with a message for the user. With
    `versioned`, decide() also gets the evidence version the form was shown.
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
    extra = {"version": form.cleaned_data.get("version")} if versioned else {}
    try:
        decide(
            obj,
            user=request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
            request=request,
            **extra,
        )
    except refused as exc:
        messages.error(request, str(exc))
    return redirect(detail, obj.pk)
