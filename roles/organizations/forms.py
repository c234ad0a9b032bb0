"""The organization form: where to read an AWS Organization, and which accounts to enroll."""

from __future__ import annotations

import re

from django import forms

from roles.core.models import ROLE_ARN
from roles.organizations.models import Organization

OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")
ACCOUNT_ID = re.compile(r"^\d{12}$")


def _items(raw: str) -> list[str]:
    return sorted({r.strip() for r in raw.replace("\n", ",").split(",") if r.strip()})


class OrganizationForm(forms.ModelForm):
    """Connect an AWS Organization: where to read it, and which accounts to enroll."""

    ous_text = forms.CharField(
        label="OUs to enroll",
        required=False,
        help_text="With \u201cActive accounts under the chosen OUs\u201d: OU or root ids, "
        "comma-separated (ou-ab12-cdef3456, r-ab12). An account anywhere below one is enrolled.",
    )
    exclude_text = forms.CharField(
        label="Accounts never to enroll",
        required=False,
        help_text="Account ids, comma-separated. The management account is usually one: "
        "StackSets do not deploy the member roles to it.",
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "management_account_id",
            "role_arn",
            "external_id",
            "member_role_name",
            "member_change_role_name",
            "member_external_id",
            "enroll",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ous_text"].initial = ", ".join(self.instance.enroll_ous)
        self.fields["exclude_text"].initial = ", ".join(self.instance.exclude_accounts)

    def clean_ous_text(self) -> list[str]:
        ous = _items(self.cleaned_data.get("ous_text", ""))
        bad = [o for o in ous if not OU_ID.match(o)]
        if bad:
            raise forms.ValidationError(
                f"Not an OU or root id: {', '.join(bad)} (ou-xxxx-xxxxxxxx or r-xxxx)."
            )
        return ous

    def clean_exclude_text(self) -> list[str]:
        ids = _items(self.cleaned_data.get("exclude_text", ""))
        bad = [i for i in ids if not ACCOUNT_ID.match(i)]
        if bad:
            raise forms.ValidationError(f"Not a 12-digit account id: {', '.join(bad)}.")
        return ids

    def clean(self):
        data = super().clean()
        arn, account_id = data.get("role_arn"), data.get("management_account_id")
        if arn and account_id and ROLE_ARN.regex.match(arn) and f":{account_id}:" not in arn:
            self.add_error("role_arn", "The role must be in the management account itself.")
        if data.get("external_id") and not arn:
            self.add_error("external_id", "An external id needs a role to assume.")
        if data.get("enroll") == "ous" and not data.get("ous_text"):
            self.add_error("ous_text", "Name at least one OU, or choose another rule.")
        name, change = data.get("member_role_name"), data.get("member_change_role_name")
        if name and change and name == change:
            self.add_error(
                "member_change_role_name",
                "This is the read role. Give the change role, or leave this blank.",
            )
        return data

    def save(self, commit: bool = True) -> Organization:
        self.instance.enroll_ous = self.cleaned_data["ous_text"]
        self.instance.exclude_accounts = self.cleaned_data["exclude_text"]
        return super().save(commit)
