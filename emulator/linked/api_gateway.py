"""Amazon API Gateway: its role is held by any REST API, custom domain name or VPC link
in the account, in each Region (moto's REST API backend; apigatewayv2's are not read by
roles/aws/readers/api_gateway.py yet, so not counted here either). Its management calls'
IAM actions are their HTTP methods (``apigateway:GET``): ``BY_METHOD``."""

from moto.apigateway.models import apigateway_backends

from ..regions import partition
from . import per_region

ROLES = [("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway")]
BY_METHOD = {"apigateway"}


def _arns(backend) -> list[str]:
    base = f"arn:{partition(backend.region_name)}:apigateway:{backend.region_name}::"
    return (
        [f"{base}/restapis/{api_id}" for api_id in backend.apis]
        + [f"{base}/domainnames/{name}" for name in backend.domain_names]
        + [f"{base}/vpclinks/{link_id}" for link_id in backend.vpc_links]
    )


CHECKS = {
    "ops.apigateway.amazonaws.com": lambda task: per_region(
        apigateway_backends, task.account, _arns
    )
}
