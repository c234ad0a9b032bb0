"""Amazon API Gateway's reader (roles/aws/readers/api_gateway.py) against the emulator:
REST APIs, custom domain names and VPC links hold the role."""

from tests.support.catalogue import holds_to_the_contract

PRINCIPAL = "ops.apigateway.amazonaws.com"


def test_a_rest_api_blocks_the_role_until_it_is_deleted(emulator):
    made: list[str] = []

    def make(client_for, region):
        api = client_for("apigateway", region).create_rest_api(name="orders")["id"]
        made.append(api)
        return [f"arn:aws:apigateway:{region}::/restapis/{api}"]

    def remove(client_for, region):
        client_for("apigateway", region).delete_rest_api(restApiId=made[0])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_custom_domain_name_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        client_for("apigateway", region).create_domain_name(
            domainName="api.example.com",
            regionalCertificateArn=f"arn:aws:acm:{region}:222222222222:certificate/abc",
            endpointConfiguration={"types": ["REGIONAL"]},
        )
        return [f"arn:aws:apigateway:{region}::/domainnames/api.example.com"]

    def remove(client_for, region):
        client_for("apigateway", region).delete_domain_name(domainName="api.example.com")

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_vpc_link_blocks_the_role_until_it_is_deleted(emulator):
    made: list[str] = []

    def make(client_for, region):
        link = client_for("apigateway", region).create_vpc_link(
            name="private",
            targetArns=[
                f"arn:aws:elasticloadbalancing:{region}:222222222222:loadbalancer/net/private/1"
            ],
        )["id"]
        made.append(link)
        return [f"arn:aws:apigateway:{region}::/vpclinks/{link}"]

    def remove(client_for, region):
        client_for("apigateway", region).delete_vpc_link(vpcLinkId=made[0])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_nothing_found_is_never_called_free_while_http_apis_are_not_read():
    from roles.inventory.rules import RULES

    rule = RULES["ops.apigateway.amazonaws.com"]
    assert rule.checked and "HTTP and WebSocket APIs" in rule.unseen
