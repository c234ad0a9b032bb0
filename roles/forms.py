"""Forms whose validation errors users see; nothing here talks to AWS."""

from __future__ import annotations

import re

from django import forms

from roles.models import Account, Organization
from roles.models.accounts import ROLE_ARN

# Regions rolecall accepts in an account's scan list: the partition's region
# naming scheme (us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, ...).
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
KNOWN_REGIONS = {
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
}


class AccountForm(forms.ModelForm):
    regions_text = forms.CharField(
        label="Regions to scan",
        required=False,
        help_text="Comma-separated, e.g. us-east-1, eu-west-1. Blank: every enabled region.",
    )

    class Meta:
        model = Account
        fields = [
            "aws_account_id",
            "name",
            "role_arn",
            "change_role_arn",
            "external_id",
            "production",
            "enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["regions_text"].initial = ", ".join(self.instance.regions)

    def clean_regions_text(self) -> list[str]:
        raw = self.cleaned_data.get("regions_text", "")
        regions = [r.strip() for r in raw.replace("\n", ",").split(",") if r.strip()]
        unknown = [r for r in regions if r not in KNOWN_REGIONS]
        if unknown:
            raise forms.ValidationError(f"Unknown region: {', '.join(unknown)}.")
        return sorted(set(regions))

    def clean(self):
        data = super().clean()
        arn = data.get("role_arn")
        account_id = data.get("aws_account_id")
        # Only a well-formed ARN is compared; the model's validator reports the rest.
        for field in ("role_arn", "change_role_arn"):
            value = data.get(field)
            # Only a well-formed ARN is compared; the model's validator reports the rest.
            if value and account_id and ROLE_ARN.regex.match(value):
                if f":{account_id}:" not in value:
                    self.add_error(field, "The role must be in the account itself.")
        change = data.get("change_role_arn")
        if change and change == arn:
            self.add_error(
                "change_role_arn",
                "This is the role for reading. Give the change role, or leave this blank.",
            )
        if data.get("external_id") and not (arn or change):
            self.add_error("external_id", "An external id needs a role to assume.")
        return data

    def save(self, commit: bool = True) -> Account:
        self.instance.regions = self.cleaned_data["regions_text"]
        return super().save(commit)


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


class TypedConfirmation(forms.Form):
    """The one typed-confirmation form: each field must repeat a name exactly.

    `expected` maps a field name to (label, the exact name, what it names); the
    deletion confirmation and its retry ask for the role name (and, in a production
    account, the account name), a cleanup's execution for the account name.
    """

    def __init__(self, *args, expected: dict[str, tuple[str, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        for name, (label, _value, what) in expected.items():
            self.fields[name] = forms.CharField(
                label=label, max_length=512 if what == "role" else 100, strip=False
            )

    def clean(self):
        cleaned = super().clean()
        for name, (_label, value, what) in self.expected.items():
            if name in cleaned and cleaned[name] != value:
                self.add_error(name, f"The name does not match the {what} name exactly.")
        return cleaned


def role_confirmation(data=None, *, role) -> TypedConfirmation:
    """Deleting `role`: its name, plus the account name in a production account
    (as aws-nuke asks for the account alias)."""
    expected = {"confirm_name": ("Type the role name to confirm", role.name, "role")}
    if role.account.production:
        expected["confirm_account"] = (
            "Production account: type the account name",
            role.account.name,
            "account",
        )
    return TypedConfirmation(data, expected=expected)


def account_confirmation(data=None, *, account) -> TypedConfirmation:
    """Changing resources in `account` (a cleanup plan's execution): its name."""
    return TypedConfirmation(
        data,
        expected={"confirm_account": ("Type the account name to confirm", account.name, "account")},
    )
