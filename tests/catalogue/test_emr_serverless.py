"""Amazon EMR Serverless's reader (roles/aws/readers/emr_serverless.py) against the
emulator: an application blocks until deleted; a deleted (TERMINATED) one, still
listed, does not."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

PRINCIPAL = "ops.emr-serverless.amazonaws.com"


def _create(client_for, region) -> dict:
    return client_for("emr-serverless", region).create_application(
        name="nightly", releaseLabel="emr-7.0.0", type="SPARK"
    )


def _delete(client_for, region, application: str) -> None:
    """Stop, then delete: AWS deletes only a CREATED or STOPPED application."""
    client = client_for("emr-serverless", region)
    client.stop_application(applicationId=application)
    client.delete_application(applicationId=application)


def test_an_application_blocks_the_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        made.update(_create(client_for, region))
        return [made["arn"]]

    def remove(client_for, region):
        _delete(client_for, region, made["applicationId"])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_terminated_application_does_not_block(emulator):
    aws = account_aws()
    _delete(aws.client, "eu-west-1", _create(aws.client, "eu-west-1")["applicationId"])
    listed = aws.client("emr-serverless", "eu-west-1").list_applications()["applications"]
    assert [a["state"] for a in listed] == ["TERMINATED"]
    _, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
