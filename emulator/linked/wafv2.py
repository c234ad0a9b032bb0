"""AWS WAF (v2): AWSServiceRoleForWAFV2Logging is held by every web ACL with logging
enabled, named by the web ACL's ARN, in the Region its logging configuration was put
in (us-east-1 for CloudFront web ACLs)."""

from moto.wafv2.models import wafv2_backends

from . import per_region

ROLES = [("wafv2.amazonaws.com", "AWSServiceRoleForWAFV2Logging")]
CHECKS = {
    "wafv2.amazonaws.com": lambda task: per_region(
        wafv2_backends, task.account, lambda b: b.logging_configurations.keys()
    )
}
