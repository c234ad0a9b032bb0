"""Amazon Lex V2: "you must clean up the resources for your service-linked role before you
can manually delete it ... From the list of bots, choose the radio button next to the bot
to delete" (docs/catalogue.md). Each AWSServiceRoleForLexV2Bots_<suffix> role is held by
the bots whose runtime role (roleArn) it is. ListBots, 1000 a page, does not name the
role, so DescribeBot is asked once per bot; neither carries the bot's ARN, so it is built
in the form the Lex V2 reference gives (arn:aws:lex:<region>:<account>:bot/<botId>)."""

from dataclasses import replace

from roles.aws.blocker_types import EACH, Reader, Resource, _call
from roles.aws.errors import AwsError
from roles.aws.listing import Listing

KIND = "Lex V2 bot"
BOTS = Listing(
    "lexv2-models",
    "list_bots",
    "lex:ListBots",
    "botSummaries",
    KIND,
    name="botId",
    arn="arn:{partition}:lex:{region}:{account}:bot/{botId}",
    status="botStatus",
    token_in="nextToken",
    token_out="nextToken",
    page_param="maxResults",
    page_size=1000,
    some_regions=True,  # Lex V2 is offered in some Regions only (roles/aws/listing.py)
)


def read(client_for, region: str, account: str) -> list[Resource]:
    client = client_for("lexv2-models", region)
    found = []
    for bot in BOTS.read(client_for, region, account):
        try:
            described = _call(client, "describe_bot", botId=bot.name)
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                continue  # deleted since it was listed: it holds nothing
            raise
        found.append(replace(bot, role_arn=described.get("roleArn") or ""))
    return found


READERS = {
    "lexv2.amazonaws.com": Reader(
        read,
        ("lex:ListBots", "lex:DescribeBot"),
        (((KIND,), 1000), ((KIND,), EACH)),
        per_role=True,
        found="no Lex V2 bot using this role",
        some_regions="lexv2-models",
    ),
}
