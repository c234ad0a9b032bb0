"""The forms of the changes made directly: a role's description, a new service-linked role."""

from __future__ import annotations

import re

from django import forms

from roles.core.models import Account

# What IAM accepts in a role description, less tab, CR and LF: one printable line.
DESCRIPTION = re.compile(r"^[\u0020-\u007E\u00A1-\u00FF]*$")


def printable(value: str) -> None:
    if not DESCRIPTION.match(value):
        raise forms.ValidationError(
            "Use printable characters only: no control characters (tabs, line breaks, escapes)."
        )


def description_field() -> forms.CharField:
    return forms.CharField(
        max_length=1000,
        required=False,
        strip=False,
        validators=[printable],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DescriptionForm(forms.Form):
    description = description_field()


class CreateRoleForm(forms.Form):
    account = forms.ModelChoiceField(Account.objects.filter(enabled=True, paused=""))
    service_principal = forms.RegexField(
        regex=r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$",
        max_length=255,
        widget=forms.TextInput(attrs={"list": "principals"}),
        error_messages={"invalid": "Enter a service principal such as ecs.amazonaws.com."},
    )
    description = description_field()
    custom_suffix = forms.RegexField(
        regex=r"^[\w+=,.@-]{1,64}$",
        required=False,
        error_messages={"invalid": "Letters, digits and +=,.@_- only, at most 64."},
    )
