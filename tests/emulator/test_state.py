"""/_emulator/state: what decides the answers to reads (the scenario, its parameters,
the knobs) and the calls since the reset that may have changed an account."""

from __future__ import annotations

from tests.emulator.conftest import STAGING


def test_a_reset_starts_from_no_writes(aws, control):
    state = control.state()
    assert state["scenario"] == "demo" and state["params"] == {} and state["writes"] == 0
    assert state["enforce_iam"] is False and state["faults"] == []


def test_reads_leave_the_state_as_it_was(aws, control):
    before = control.state()
    iam = aws.client("iam", account=STAGING)
    iam.list_roles()
    role = iam.list_roles()["Roles"][0]
    iam.get_role(RoleName=role["RoleName"])
    iam.generate_service_last_accessed_details(Arn=role["Arn"])
    aws.client("ecs", account=STAGING).list_clusters()
    assert control.state() == before


def test_a_change_to_an_account_is_counted_until_the_next_reset(aws, control):
    aws.client("ecs", account=STAGING).create_cluster(clusterName="extra")
    control.set_role_last_used(STAGING, "AWSServiceRoleForECS", None)
    assert control.state()["writes"] == 2
    control.reset("demo")
    assert control.state()["writes"] == 0


def test_the_knobs_are_part_of_the_state(aws, control):
    before = control.state()
    control.enforce_iam(True)
    assert control.state() != before
    control.reset("demo")
    # The clock a reset sets ("now") moves on; everything else is as it was.
    after = control.state()
    assert after.pop("now") >= before.pop("now")
    assert after == before
