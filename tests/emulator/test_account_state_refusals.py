"""Roles held by a state of the account rather than by resources: the deletion task fails,
as IAM documents for a linked service that still uses its role, with AWS's reason and
no RoleUsageList, and the role stays (docs/readiness.md, Trusted Advisor and
Organizations)."""

from __future__ import annotations

import pytest

from emulator.testing import EmulatorError
from tests.emulator.conftest import HUB, LEGACY, PROD, SANDBOX, STAGING

TRUSTED_ADVISOR = "AWSServiceRoleForTrustedAdvisor"
ORGANIZATIONS = "AWSServiceRoleForOrganizations"


@pytest.fixture
def delete(aws, control):
    """Deletion tasks finish on the second status call; answers the final status."""
    control.set_deletion(mode="polls", polls=1)

    def outcome(account: str, role_name: str) -> dict:
        iam = aws.client("iam", account=account)
        task_id = iam.delete_service_linked_role(RoleName=role_name)["DeletionTaskId"]
        for _ in range(5):
            answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
            if answer["Status"] in ("SUCCEEDED", "FAILED"):
                return {k: answer[k] for k in ("Status", "Reason") if k in answer}
        raise AssertionError(f"deletion of {role_name} never finished")

    return outcome


def role_names(aws, account: str) -> set[str]:
    iam = aws.client("iam", account=account)
    return {r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]}


def test_the_trusted_advisor_role_stays_while_trusted_advisor_is_enabled(aws, control, delete):
    assert control.set_trusted_advisor(HUB, True) == {"account": HUB, "enabled": True}
    assert delete(HUB, TRUSTED_ADVISOR) == {
        "Status": "FAILED",
        "Reason": {
            "Reason": f"Trusted Advisor is enabled in account {HUB}. Disable Trusted Advisor "
            f"before you delete {TRUSTED_ADVISOR}."
        },
    }
    assert TRUSTED_ADVISOR in role_names(aws, HUB)

    control.set_trusted_advisor(HUB, False)
    assert delete(HUB, TRUSTED_ADVISOR) == {"Status": "SUCCEEDED"}
    assert TRUSTED_ADVISOR not in role_names(aws, HUB)


def test_the_demo_has_trusted_advisor_on_in_the_hub_and_off_in_prod(aws, control, delete):
    assert control._call("GET", "trusted-advisor") == {"disabled": [PROD]}
    assert delete(HUB, TRUSTED_ADVISOR)["Status"] == "FAILED"
    assert delete(PROD, TRUSTED_ADVISOR) == {"Status": "SUCCEEDED"}
    assert TRUSTED_ADVISOR not in role_names(aws, PROD)


def test_a_new_trusted_advisor_role_in_an_account_with_it_on_is_kept(aws, control, delete):
    iam = aws.client("iam", account=STAGING)
    iam.create_service_linked_role(AWSServiceName="trustedadvisor.amazonaws.com")
    assert delete(STAGING, TRUSTED_ADVISOR)["Status"] == "FAILED"
    control.set_trusted_advisor(STAGING, False)
    assert delete(STAGING, TRUSTED_ADVISOR) == {"Status": "SUCCEEDED"}


def test_a_reset_turns_trusted_advisor_back_on(aws, control, delete):
    control.set_trusted_advisor(HUB, False)
    control.reset("demo")
    aws.forget()
    assert delete(HUB, TRUSTED_ADVISOR)["Status"] == "FAILED"


@pytest.mark.parametrize("body", [{"account": HUB}, {"account": "12", "enabled": False}])
def test_the_trusted_advisor_control_refuses_bad_input(control, body):
    with pytest.raises(EmulatorError) as raised:
        control._call("POST", "trusted-advisor", body)
    assert "HTTP 400" in str(raised.value)


@pytest.mark.parametrize("account", [HUB, SANDBOX])
def test_the_organizations_role_stays_in_every_account_of_an_all_features_organization(
    aws, control, delete, account
):
    org_id = aws.client("organizations").describe_organization()["Organization"]["Id"]
    assert delete(account, ORGANIZATIONS) == {
        "Status": "FAILED",
        "Reason": {
            "Reason": f"Organization {org_id} has all features enabled: {ORGANIZATIONS} "
            "cannot be deleted from any of its accounts."
        },
    }
    assert ORGANIZATIONS in role_names(aws, account)


def test_the_organizations_role_can_go_with_consolidated_billing_only(aws, control, delete):
    org = aws.client("organizations")
    for account in (PROD, STAGING, SANDBOX, LEGACY):
        org.remove_account_from_organization(AccountId=account)
    org.delete_organization()
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    assert delete(HUB, ORGANIZATIONS) == {"Status": "SUCCEEDED"}
    assert ORGANIZATIONS not in role_names(aws, HUB)
