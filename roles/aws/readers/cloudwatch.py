"""Amazon CloudWatch: "If you no longer have alarms that automatically stop, terminate, or
reboot EC2 instances, we recommend that you delete the AWSServiceRoleForCloudWatchEvents
role" (docs/catalogue.md). DescribeAlarms, 100 a page; without AlarmTypes it answers
metric alarms only, which is where EC2 actions live. An alarm counts when any of its
actions is an EC2 action, in either form the PutMetricAlarm reference lists
(arn:aws:automate:<region>:ec2:stop, arn:aws:swf:...:action/actions/AWS_EC2.InstanceId.Stop/1.0)."""

from roles.aws.listing import Listing, reader

ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def ec2_action(arn: str) -> bool:
    """An alarm action that stops, terminates, reboots or recovers an EC2 instance."""
    parts = arn.split(":")
    if len(parts) < 6:
        return False
    if parts[2] == "automate":
        return parts[4] == "ec2"
    return parts[2] == "swf" and parts[5].startswith("action/actions/AWS_EC2.InstanceId.")


def acts_on_ec2(alarm: dict) -> bool:
    return any(ec2_action(arn) for key in ACTIONS for arn in alarm.get(key) or [])


READERS = {
    "events.amazonaws.com": reader(
        Listing(
            "cloudwatch",
            "describe_alarms",
            "cloudwatch:DescribeAlarms",
            "MetricAlarms",
            "CloudWatch alarm",
            name="AlarmName",
            arn="AlarmArn",
            status="StateValue",
            token_in="NextToken",
            token_out="NextToken",
            page_param="MaxRecords",
            page_size=100,
            keep=acts_on_ec2,
        ),
        found="no CloudWatch alarm with an EC2 action",
    ),
}
