"""AWS WAF's reader (roles/aws/readers/wafv2.py) against the emulator: a web ACL with
logging enabled blocks AWSServiceRoleForWAFV2Logging, regional ones in their Region
and CloudFront ones in us-east-1; a web ACL without logging does not."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

PRINCIPAL = "wafv2.amazonaws.com"
STREAM = "arn:aws:firehose:{region}:222222222222:deliverystream/aws-waf-logs-web"


def _web_acl(client_for, region: str, scope: str) -> str:
    return client_for("wafv2", region).create_web_acl(
        Name="web",
        Scope=scope,
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "web",
        },
    )["Summary"]["ARN"]


def _logged(scope: str):
    """make and remove for a web ACL of the scope with logging to a Firehose stream."""
    made: list[str] = []

    def make(client_for, region):
        acl = _web_acl(client_for, region, scope)
        client_for("wafv2", region).put_logging_configuration(
            LoggingConfiguration={
                "ResourceArn": acl,
                "LogDestinationConfigs": [STREAM.format(region=region)],
            }
        )
        made.append(acl)
        return [acl]

    def remove(client_for, region):
        client_for("wafv2", region).delete_logging_configuration(ResourceArn=made[0])

    return make, remove


def test_logging_on_a_regional_web_acl_blocks_the_role_until_it_is_deleted(emulator):
    holds_to_the_contract(PRINCIPAL, *_logged("REGIONAL"))


def test_logging_on_a_cloudfront_web_acl_blocks_the_role_in_us_east_1(emulator):
    predicted = holds_to_the_contract(PRINCIPAL, *_logged("CLOUDFRONT"), region="us-east-1")
    assert ":global/webacl/" in predicted[0]["Resources"][0]


def test_a_web_acl_without_logging_does_not_block(emulator):
    aws = account_aws()
    _web_acl(aws.client, "eu-west-1", "REGIONAL")
    _web_acl(aws.client, "us-east-1", "CLOUDFRONT")
    _, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []


def test_a_cloudfront_web_acl_is_listed_under_its_own_scope_only(emulator):
    aws = account_aws()
    make, _ = _logged("CLOUDFRONT")
    [acl] = make(aws.client, "us-east-1")
    wafv2 = aws.client("wafv2", "us-east-1")

    def listed(scope):
        answer = wafv2.list_logging_configurations(Scope=scope, Limit=100)
        return [c["ResourceArn"] for c in answer["LoggingConfigurations"]]

    assert (listed("CLOUDFRONT"), listed("REGIONAL")) == ([acl], [])
