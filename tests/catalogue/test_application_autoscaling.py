"""Application Auto Scaling's readers (roles/aws/readers/application_autoscaling.py)
against the emulator: a role per namespace, held by that namespace's scalable targets
only."""

import pytest

from roles.aws.readers.application_autoscaling import NAMESPACES
from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

TABLE = "table/orders"


def _register(client_for, region):
    answer = client_for("application-autoscaling", region).register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId=TABLE,
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        MinCapacity=1,
        MaxCapacity=10,
    )
    return [answer["ScalableTargetARN"]]


def _deregister(client_for, region):
    client_for("application-autoscaling", region).deregister_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId=TABLE,
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
    )


def test_a_registered_table_blocks_the_dynamodb_role_until_it_is_deregistered(emulator):
    holds_to_the_contract("dynamodb.application-autoscaling.amazonaws.com", _register, _deregister)


def test_a_target_of_another_namespace_does_not_block(emulator):
    aws = account_aws()
    _register(aws.client, "eu-west-1")
    _, arn = the_role("ecs.application-autoscaling.amazonaws.com")
    assert read_role(aws, "ecs.application-autoscaling.amazonaws.com", arn, threads=2) == []


def test_every_namespace_has_its_role_in_the_emulator():
    from emulator.policies import CATALOGUE

    for namespace in NAMESPACES:
        principal = f"{namespace}.application-autoscaling.amazonaws.com"
        assert CATALOGUE[principal].role_name.startswith("AWSServiceRoleForApplicationAutoScaling_")


@pytest.mark.parametrize("namespace", ["ecs", "rds"])
def test_the_reader_asks_only_for_its_namespace(emulator, namespace):
    aws = account_aws()
    _, arn = the_role(f"{namespace}.application-autoscaling.amazonaws.com")
    emulator.control.clear_trail()
    read_role(aws, f"{namespace}.application-autoscaling.amazonaws.com", arn, threads=2)
    calls = emulator.control.trail(operation="application-autoscaling:DescribeScalableTargets")
    assert len(calls) == 2  # one per region, nothing else
