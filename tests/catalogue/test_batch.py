"""AWS Batch's reader (roles/aws/readers/batch.py) against the emulator: a compute
environment holds AWSServiceRoleForBatch when it uses it, and only then."""

from roles.aws.service_reads import read_role
from tests.support.aws import admin
from tests.support.catalogue import (
    ACCOUNT,
    account_aws,
    deletion,
    holds_to_the_contract,
    the_role,
)

PRINCIPAL = "batch.amazonaws.com"


def _remove(name: str):
    def remove(client_for, region):
        batch = client_for("batch", region)  # AWS deletes only a disabled environment
        batch.update_compute_environment(computeEnvironment=name, state="DISABLED")
        batch.delete_compute_environment(computeEnvironment=name)

    return remove


def test_an_environment_made_without_a_service_role_blocks_the_role(emulator):
    def make(client_for, region):
        made = client_for("batch", region).create_compute_environment(
            computeEnvironmentName="nightly", type="UNMANAGED", state="ENABLED"
        )
        return [made["computeEnvironmentArn"]]

    predicted = holds_to_the_contract(PRINCIPAL, make, _remove("nightly"))
    assert predicted[0]["Resources"] == [
        "arn:aws:batch:eu-west-1:222222222222:compute-environment/nightly"
    ]


def test_an_environment_that_names_the_role_blocks_it(emulator):
    def make(client_for, region):
        _, arn = the_role(PRINCIPAL)
        made = client_for("batch", region).create_compute_environment(
            computeEnvironmentName="weekly", type="UNMANAGED", serviceRole=arn
        )
        return [made["computeEnvironmentArn"]]

    holds_to_the_contract(PRINCIPAL, make, _remove("weekly"))


def test_an_environment_with_its_own_service_role_does_not_block(emulator):
    own = admin("iam", ACCOUNT).create_role(
        RoleName="batch-own-service-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"batch.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    aws = account_aws()
    aws.client("batch", "eu-west-1").create_compute_environment(
        computeEnvironmentName="custom", type="UNMANAGED", serviceRole=own
    )
    name, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
    assert deletion(name)["Status"] == "SUCCEEDED"  # nor does AWS (the emulator) count it
