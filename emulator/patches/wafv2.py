"""AWS WAF (v2): moto's ListLoggingConfigurations tells the two scopes apart by the
Region in the web ACL's ARN. A CloudFront web ACL's ARN names us-east-1 as well
(``arn:aws:wafv2:us-east-1:<account>:global/webacl/...``), so in us-east-1 its logging
configuration is listed under Scope REGIONAL and never under CLOUDFRONT, where AWS
lists it. The scope is told here by the ARN's resource instead (``global/`` or
``regional/``), the Region still being the backend's; moto's pagination is kept."""

from __future__ import annotations

from moto.utilities.paginator import paginate
from moto.wafv2.models import PAGINATION_MODEL, WAFV2Backend


def _in_scope(backend: WAFV2Backend, arn: str, scope: str) -> bool:
    region, resource = arn.split(":", 5)[3], arn.split(":", 5)[5]
    if scope == "CLOUDFRONT":
        return resource.startswith("global/")
    return region == backend.region_name and resource.startswith("regional/")


@paginate(PAGINATION_MODEL)
def list_logging_configurations(self: WAFV2Backend, scope: str) -> list:
    return [
        configuration
        for arn, configuration in self.logging_configurations.items()
        if _in_scope(self, arn, scope)
    ]


def apply() -> None:
    WAFV2Backend.list_logging_configurations = list_logging_configurations
