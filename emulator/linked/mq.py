"""Amazon MQ: its role is held by any broker, in each Region."""

from moto.mq.models import mq_backends

from . import per_region

ROLES = [("mq.amazonaws.com", "AWSServiceRoleForAmazonMQ")]
CHECKS = {
    "mq.amazonaws.com": lambda task: per_region(
        mq_backends, task.account, lambda b: (broker.arn for broker in b.brokers.values())
    )
}
