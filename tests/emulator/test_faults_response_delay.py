"""Response delays: the backend acts at once, the answer is held back."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from emulator.testing import EmulatorError

HUB = "123456789012"
PROD = "111111111111"
CREATE = "iam:CreateServiceLinkedRole"
DELETE = "iam:DeleteServiceLinkedRole"


def impatient(aws, service: str, read_timeout: float, account: str = HUB):
    """A client that gives up on an answer after read_timeout seconds, with no retries."""
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        read_timeout=read_timeout,
        connect_timeout=5,
    )
    keys = (
        {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        if account == HUB
        else aws.credentials(account)
    )
    return boto3.client(
        service, endpoint_url=aws.url, region_name="us-east-1", config=config, **keys
    )


def test_the_change_is_made_before_the_delayed_answer(aws, control):
    control.add_faults({"operation": CREATE, "delay_ms": 2000, "count": 1})
    iam = impatient(aws, "iam", read_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")
    assert time.monotonic() - started < 1.5
    # The client never saw an answer, yet AWS made the role.
    role = aws.client("iam").get_role(RoleName="AWSServiceRoleForElasticBeanstalk")["Role"]
    assert role["Path"] == "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    assert control.faults() == []  # used up once the backend had acted
    assert control.calls()["operations"][CREATE] == 1


def test_a_patient_client_gets_the_normal_answer_late(aws, control):
    iam = aws.client("iam", account=PROD)
    control.add_faults({"operation": DELETE, "delay_ms": 2000, "count": 1})
    started = time.monotonic()
    first = iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")["DeletionTaskId"]
    assert time.monotonic() - started >= 2.0
    started = time.monotonic()
    again = iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")["DeletionTaskId"]
    assert time.monotonic() - started < 1.5  # count 1: only the first call waited
    assert again == first  # the task is unfinished: AWS hands out the same id


def test_a_lost_answer_then_a_rerun_gets_the_same_task_id(aws, control):
    control.set_deletion(mode="polls", polls=2)
    control.add_faults({"operation": DELETE, "delay_ms": 3000, "count": 1, "account": PROD})
    with pytest.raises(ReadTimeoutError):
        impatient(aws, "iam", 0.5, account=PROD).delete_service_linked_role(
            RoleName="AWSServiceRoleForEC2Spot"
        )
    iam = aws.client("iam", account=PROD)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")["DeletionTaskId"]
    # The rerun's id names a task the first (unanswered) call started: it is
    # already under way and was never polled before.
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
    assert status["Status"] == "NOT_STARTED"
    assert control.calls()["operations"][DELETE] == 2


def test_delays_and_errors_are_separate_faults(aws, control):
    control.add_faults(
        {"operation": "iam:GetRole", "delay_ms": 300},
        {"operation": "iam:GetRole", "error": "Throttling", "count": 1},
    )
    listed = control.faults()
    assert [(f["error"], f["delay_ms"]) for f in listed] == [("", 300.0), ("Throttling", None)]
    iam = aws.client("iam")
    with pytest.raises(Exception, match="Throttling"):
        iam.get_role(RoleName="AWSServiceRoleForSSO")
    started = time.monotonic()
    assert iam.get_role(RoleName="AWSServiceRoleForSSO")["Role"]
    assert time.monotonic() - started >= 0.3
    assert control.faults()[0]["hits"] == 1


@pytest.mark.parametrize(
    "spec",
    [
        {"operation": "iam:GetRole", "delay_ms": 0},
        {"operation": "iam:GetRole", "delay_ms": -5},
        {"operation": "iam:GetRole", "delay_ms": "soon"},
        {"operation": "iam:GetRole", "delay_ms": 100, "error": "Throttling"},
    ],
)
def test_bad_delay_specs_are_refused(control, spec):
    with pytest.raises(EmulatorError, match="HTTP 400"):
        control.add_faults(spec)
