"""Service principals offered when creating a service-linked role.

AWS keeps the authoritative list; these are the common ones, and the form also
accepts any principal of the form <service>.amazonaws.com.
"""

COMMON_PRINCIPALS = (
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "autoscaling.amazonaws.com",
    "rds.amazonaws.com",
    "elasticache.amazonaws.com",
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "config.amazonaws.com",
    "organizations.amazonaws.com",
    "trustedadvisor.amazonaws.com",
    "support.amazonaws.com",
    "spot.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "sso.amazonaws.com",
    "ssm.amazonaws.com",
)
