"""The account form: where to reach an AWS account, and what to scan in it."""

from __future__ import annotations

import re

from django import forms

from roles.aws.blocker_types import partition
from roles.core.models import ROLE_ARN, Account

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
        # An account lives in one partition (aws, aws-cn, aws-us-gov), and its
        # DescribeRegions lists that partition's regions only (docs/readiness.md).
        partitions = sorted({partition(r) for r in regions})
        if len(partitions) > 1:
            raise forms.ValidationError(
                f"These regions are in different AWS partitions ({', '.join(partitions)}); "
                "an account has the regions of one."
            )
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
        self._same_partition(data)
        change = data.get("change_role_arn")
        if change and change == arn:
            self.add_error(
                "change_role_arn",
                "This is the role for reading. Give the change role, or leave this blank.",
            )
        if data.get("external_id") and not (arn or change):
            self.add_error("external_id", "An external id needs a role to assume.")
        return data

    def _same_partition(self, data) -> None:
        """The roles' ARNs name the partition the regions to scan must be in."""
        regions = data.get("regions_text") or []
        if not regions:
            return
        wanted = partition(regions[0])
        for field in ("role_arn", "change_role_arn"):
            value = data.get(field) or ""
            if ROLE_ARN.regex.match(value) and value.split(":")[1] != wanted:
                self.add_error(
                    "regions_text",
                    f"The regions are in the {wanted} partition, but the role is in "
                    f"{value.split(':')[1]}.",
                )
                return

    def save(self, commit: bool = True) -> Account:
        self.instance.regions = self.cleaned_data["regions_text"]
        return super().save(commit)
