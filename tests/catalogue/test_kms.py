"""AWS KMS's two roles cannot be deleted (docs/catalogue.md): rolecall says so, with AWS's
sentence, and never asks; the emulator refuses as AWS documents."""

import pytest
from botocore.exceptions import ClientError

from roles.inventory.rules import RULES, forbidden
from tests.support.aws import admin
from tests.support.catalogue import the_role

PRINCIPALS = ["cks.kms.amazonaws.com", "mrk.kms.amazonaws.com"]


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_rolecall_says_aws_does_not_allow_it_with_aws_words(principal):
    refusal = forbidden(principal)
    assert refusal.startswith("AWS does not allow deleting this role: ")
    assert "AWS KMS does not delete" in RULES[principal].quote


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_the_emulator_refuses_the_deletion(emulator, principal):
    name, _ = the_role(principal)
    with pytest.raises(ClientError) as raised:
        admin("iam", "222222222222").delete_service_linked_role(RoleName=name)
    assert raised.value.response["Error"]["Code"] == "UnmodifiableEntity"
