"""A catalogue service's role on its page: the verdict's words with the reason, AWS's
own sentence quoted (escaped like any AWS-sourced text), and the guide linked."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from roles.inventory import catalogue
from roles.models import ServiceLinkedRole


def _role(account, principal: str, name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.create(
        account=account,
        name=name,
        path=f"/aws-service-role/{principal}/",
        arn=f"arn:aws:iam::{account.aws_account_id}:role/aws-service-role/{principal}/{name}",
        service_principal=principal,
        role_id=f"AROA{abs(hash(name)) % 10**12:012d}",
    )


@pytest.mark.parametrize(
    "principal, name, words",
    [
        (
            "mrk.kms.amazonaws.com",
            "AWSServiceRoleForKeyManagementServiceMultiRegionKeys",
            "AWS does not allow deleting this role: AWS says you cannot delete this role.",
        ),
        (
            "kafka.amazonaws.com",
            "AWSServiceRoleForKafka",
            "Not checked: The 2023 MSK page has no deletion section",
        ),
    ],
)
def test_the_page_gives_the_verdict_its_reason_and_aws_words(
    viewer_client, demo_accounts, principal, name, words
):
    role = _role(demo_accounts["acme-staging"], principal, name)
    page = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert html.escape(words, quote=True) in page
    entry = catalogue.by_principal()[principal]
    quote = page.split('data-testid="rule-quote"')[1].split("</blockquote>")[0]
    assert html.escape(entry.quote, quote=True) in quote
    assert f'href="{entry.page}"' in page
