"""Approve or reject: one view for every registered kind of approved change
(roles/approval/__init__.py), and what every change's page shares."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from roles import approval
from roles.access import permissions, reauth


class DecisionForm(forms.Form):
    comment = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    # The evidence version the approver was shown (deletions): a stale page
    # cannot approve evidence that has since been replaced.
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )
    # The confirmation a kind asks an approver to type (campaigns).
    typed = forms.CharField(max_length=500, required=False, label="Type the confirmation")


@require_POST
def decide(request: HttpRequest, pk: int, *, kind: str, approve: bool) -> HttpResponse:
    """An approver's decision on a change, shown back on the change's page.

    The page shows the form only once the password is fresh (roles/access/reauth.py);
    this check is the server's, for a form that outlived the window.
    """
    change = approval.kinds().get(kind)
    if change is None:
        raise Http404("No such kind of change.")
    obj = permissions.get_or_deny(
        request,
        change.rows(),
        pk,
        permissions.can_approve,
        f"{change.prefix}.{'approved' if approve else 'rejected'}",
    )
    stale = reauth.require_fresh(request, change.link(obj))
    if stale:
        return stale
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A comment is required (at most 1000 characters).")
        return redirect(change.detail, obj.pk)
    try:
        approval.decide(
            change,
            obj,
            user=request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data.get("version"),
            typed=form.cleaned_data.get("typed") or "",
            request=request,
        )
    except approval.Refused as exc:
        messages.error(request, str(exc))
    return redirect(change.detail, obj.pk)


def watched(request: HttpRequest, state: str) -> HttpResponse | None:
    """The answer to a page's state watcher (templates/partials/_watch.html), or None
    for any other request: 204 while the change is still in the state the page
    shows, a client refresh once it has moved on (decided, voided, running)."""
    seen = request.GET.get("watch")
    if not request.htmx or seen is None:
        return None
    return HttpResponseClientRefresh() if seen != state else HttpResponse(status=204)


def decision_context(request: HttpRequest, obj) -> dict:
    """What a change's page needs for its decision form (templates/partials/_decision.html)."""
    user = request.user
    is_requester = user.pk in obj.requester_ids()
    return {
        # The evidence version shown (deletions), so a stale page cannot approve.
        "decision_form": DecisionForm(
            initial={"version": getattr(obj, "evidence_version", getattr(obj, "version", None))}
        ),
        "is_requester": is_requester,
        "can_decide": obj.awaits_approval and permissions.can_approve(user) and not is_requester,
        "reauth_fresh": reauth.is_fresh(request),
        "reauth_minutes": settings.ROLECALL_REAUTH_MINUTES,
    }


def change_page(request: HttpRequest, obj, folder: str, context) -> HttpResponse:
    """A change's page: the watcher's answer, the polled fragment (htmx) or the whole
    page. context(request, obj) is only built when something is rendered."""
    answer = watched(request, obj.state)
    if answer is not None:
        return answer
    template = f"{folder}/_detail.html" if request.htmx else f"{folder}/detail.html"
    return render(request, template, context(request, obj))
