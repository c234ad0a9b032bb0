"""The account chooser: a search box with suggestions as you type, never a
<select> of every account (2,000 options made the role list 100 ms slower).

A filter form that inherits AccountChoiceForm takes `account` (an id, from a
link or a suggestion) and `account_q` (what the box says). When the box was
submitted it is the truth: empty means any account, and text is matched to
one account by exact name or 12-digit id, or refused with a form error.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from roles.core.models import Account

SUGGESTIONS = 10
# The lists a suggestion may lead back to (the parameter names a URL, never a path).
CHOOSER_PAGES = {"roles": "roles", "deletions": "deletions"}
# Page positions that belong to the old filter, dropped from a suggestion's link.
PAGE_PARAMS = ("after", "before", "last", "page", "plans_page", "account", "account_q", "for")


class AccountChoiceForm(forms.Form):
    account_q = forms.CharField(required=False, max_length=100, label="Account")
    account = forms.ModelChoiceField(
        Account.objects.all(), required=False, widget=forms.HiddenInput
    )

    def clean(self):
        data = super().clean()
        chosen, text = data.get("account"), (data.get("account_q") or "").strip()
        if "account_q" not in self.data or (chosen and text == chosen.name):
            return data
        if not text:
            data["account"] = None
            return data
        match = Account.objects.filter(Q(name__iexact=text) | Q(aws_account_id=text)).first()
        if match is None:
            self.add_error(
                "account_q",
                f"No account is named or numbered {text!r}: pick one of the suggestions.",
            )
        data["account"] = match
        return data

    @property
    def chosen_name(self) -> str:
        """What the box shows: the chosen account's name, or what was typed."""
        account = getattr(self, "cleaned_data", {}).get("account")
        return account.name if account else self.data.get("account_q", "")


@require_GET
def account_choose(request: HttpRequest) -> HttpResponse:
    """Up to ten accounts whose name or id contains the text, each a link to the
    list it was asked from with the other filters kept."""
    text = request.GET.get("account_q", "").strip()[:100]
    target = CHOOSER_PAGES.get(request.GET.get("for", ""), "roles")
    accounts = []
    if text:
        accounts = list(
            Account.objects.filter(Q(name__icontains=text) | Q(aws_account_id__startswith=text))
            .order_by("name")
            .only("pk", "name", "aws_account_id", "production")[:SUGGESTIONS]
        )
    kept = request.GET.copy()
    for key in PAGE_PARAMS:
        kept.pop(key, None)
    links = []
    for account in accounts:
        query = kept.copy()
        query["account"], query["account_q"] = account.pk, account.name
        links.append((account, f"{reverse(target)}?{query.urlencode()}"))
    return render(request, "partials/_account_suggestions.html", {"links": links, "text": text})
