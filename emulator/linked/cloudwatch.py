"""Amazon CloudWatch: the CloudWatch Events role is held by the metric alarms whose
actions stop, terminate, reboot or recover an EC2 instance, in each Region. CloudWatch
signs as "monitoring"; its model and IAM prefix are "cloudwatch"."""

from moto.cloudwatch.models import cloudwatch_backends

from . import per_region

ROLES = [("events.amazonaws.com", "AWSServiceRoleForCloudWatchEvents")]
SIGNING = {"monitoring": ("cloudwatch", "cloudwatch")}


def _ec2_action(arn: str) -> bool:
    """The EC2 actions PutMetricAlarm's reference lists: arn:aws:automate:<region>:ec2:*
    and arn:aws:swf:<region>:<account>:action/actions/AWS_EC2.InstanceId.*/1.0."""
    parts = arn.split(":")
    if len(parts) < 6:
        return False
    if parts[2] == "automate":
        return parts[4] == "ec2"
    return parts[2] == "swf" and parts[5].startswith("action/actions/AWS_EC2.InstanceId.")


def _acts_on_ec2(alarm) -> bool:
    actions = (
        list(alarm.alarm_actions or [])
        + list(alarm.ok_actions or [])
        + list(alarm.insufficient_data_actions or [])
    )
    return alarm.rule is None and any(_ec2_action(arn) for arn in actions)


CHECKS = {
    "events.amazonaws.com": lambda task: per_region(
        cloudwatch_backends,
        task.account,
        lambda b: (a.alarm_arn for a in b.alarms.values() if _acts_on_ec2(a)),
    )
}
