"""Amazon CloudWatch's reader (roles/aws/readers/cloudwatch.py) against the emulator: the
CloudWatch Events role is held by alarms with EC2 actions only."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, deletion, holds_to_the_contract, the_role

PRINCIPAL = "events.amazonaws.com"


def _alarm(client_for, region: str, name: str, actions: list[str]) -> str:
    cloudwatch = client_for("cloudwatch", region)
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="CPUUtilization",
        Namespace="AWS/EC2",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="LessThanThreshold",
        Dimensions=[{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}],
        AlarmActions=actions,
    )
    return cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]


def test_an_alarm_that_stops_an_instance_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        arn = _alarm(client_for, region, "idle-stop", [f"arn:aws:automate:{region}:ec2:stop"])
        assert arn == f"arn:aws:cloudwatch:{region}:222222222222:alarm:idle-stop"
        return [arn]

    def remove(client_for, region):
        client_for("cloudwatch", region).delete_alarms(AlarmNames=["idle-stop"])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_an_swf_form_ec2_action_blocks_too(emulator):
    def make(client_for, region):
        action = f"arn:aws:swf:{region}:222222222222:action/actions/AWS_EC2.InstanceId.Reboot/1.0"
        return [_alarm(client_for, region, "stuck-reboot", [action])]

    def remove(client_for, region):
        client_for("cloudwatch", region).delete_alarms(AlarmNames=["stuck-reboot"])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_an_alarm_that_only_notifies_does_not_block(emulator):
    aws = account_aws()
    _alarm(aws.client, "eu-west-1", "notify", ["arn:aws:sns:eu-west-1:222222222222:ops"])
    name, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
    assert deletion(name)["Status"] == "SUCCEEDED"
