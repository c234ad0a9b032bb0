"""Amazon Lex V2's reader (roles/aws/readers/lexv2.py) against the emulator: a bot holds
the role it runs as, and no other."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, deletion, holds_to_the_contract, the_role

PRINCIPAL = "lexv2.amazonaws.com"


def _bot(client_for, region: str, name: str, role_arn: str) -> str:
    bot = client_for("lexv2-models", region).create_bot(
        botName=name,
        roleArn=role_arn,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )
    return bot["botId"]


def test_a_bot_blocks_its_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        made["id"] = _bot(client_for, region, "OrderFlowers", the_role(PRINCIPAL)[1])
        return [f"arn:aws:lex:{region}:222222222222:bot/{made['id']}"]

    def remove(client_for, region):
        client_for("lexv2-models", region).delete_bot(botId=made["id"])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_bot_that_runs_as_another_role_does_not_block(emulator):
    aws = account_aws()
    _bot(aws.client, "eu-west-1", "BookHotel", "arn:aws:iam::222222222222:role/LexRuntime")
    name, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
    assert deletion(name)["Status"] == "SUCCEEDED"


# DescribeBot is asked once per bot: tests/aws/test_least_privilege.py makes one first.
STAGE = {
    "lex:DescribeBot": lambda admin_for: admin_for("lexv2-models").create_bot(
        botName="Staged",
        roleArn="arn:aws:iam::111111111111:role/LexRuntime",
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )
}
