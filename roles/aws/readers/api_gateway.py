"""Amazon API Gateway: "Repeat the procedure to delete all APIs, custom domain names, or
VPC links that use the service-linked role" (docs/catalogue.md). The page does not say
which use it, so every one counts. Read here through the REST API (v1) calls, each 500 a
page (``limit``, ``position``): GetRestApis, GetDomainNames, GetVpcLinks, all allowed by
``apigateway:GET``. HTTP and WebSocket APIs (apigatewayv2's GetApis, GetDomainNames,
GetVpcLinks) are not read yet, so a read that finds nothing says "Not checked", never
"Can be deleted now" (Reader.unseen). Items carry no ARN: each is built in the form the Service
Authorization Reference gives (no account: API Gateway's ARNs have none)."""

from dataclasses import replace

from roles.aws.listing import Listing, reader


def _list(method: str, kind: str, name: str, path: str) -> Listing:
    return Listing(
        "apigateway",
        method,
        "apigateway:GET",
        "items",
        kind,
        name=name,
        arn=f"arn:{{partition}}:apigateway:{{region}}::/{path}/{{{name}}}",
        token_in="position",
        token_out="position",
        page_param="limit",
        page_size=500,
    )


READERS = {
    "ops.apigateway.amazonaws.com": replace(
        reader(
            _list("get_rest_apis", "REST API", "id", "restapis"),
            _list("get_domain_names", "Custom domain name", "domainName", "domainnames"),
            _list("get_vpc_links", "VPC link", "id", "vpclinks"),
            found="no REST API, custom domain name or VPC link",
        ),
        unseen="HTTP and WebSocket APIs (API Gateway V2) are not read",
    ),
}
