"""Patch to moto's EC2 customer gateways: a gateway keeps the ACM private certificate it
was created with. moto drops CreateCustomerGateway's CertificateArn, so no gateway could
hold the Site-to-Site VPN role, which AWS lets go "only after you delete all customer
gateways that have an associated ACM private certificate" (docs/catalogue.md).
DescribeCustomerGateways answers it as CertificateArn (the EC2 API's CustomerGateway)."""

from __future__ import annotations

from functools import wraps

from moto.core.responses import ActionResult
from moto.ec2.responses.customer_gateways import CustomerGateways

_ORIGINALS: dict[str, object] = {}


def _create(original):
    @wraps(original)
    def create(self: CustomerGateways) -> ActionResult:
        answer = original(self)
        gateway = answer.result["CustomerGateway"]
        gateway.certificate_arn = self._get_param("CertificateArn")
        return answer

    return create


def apply() -> None:
    if _ORIGINALS:
        return
    _ORIGINALS["create_customer_gateway"] = CustomerGateways.create_customer_gateway
    CustomerGateways.create_customer_gateway = _create(CustomerGateways.create_customer_gateway)
