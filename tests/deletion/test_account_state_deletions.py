"""Roles that AWS keeps for a state of the account, not for resources: a deletion
through rolecall ends failed with AWS's reason while Trusted Advisor is on, and
succeeds once it is off (emulator/trusted_advisor.py; docs/readiness.md, "Emulator
fidelity")."""

from __future__ import annotations

import pytest

from roles.deletion.service import decide, request_deletion
from roles.models import ServiceLinkedRole
from tests.support.drive import drive_deletion

HUB = "123456789012"
TRUSTED_ADVISOR = "AWSServiceRoleForTrustedAdvisor"


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


def delete(role: ServiceLinkedRole, operator, approver):
    deletion = request_deletion(role, user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    return drive_deletion(deletion)


def test_the_trusted_advisor_role_goes_only_once_trusted_advisor_is_off(
    sync_demo, emulator, operator, approver
):
    hub = sync_demo("security-hub")["security-hub"]
    role = ServiceLinkedRole.objects.get(account=hub, name=TRUSTED_ADVISOR)

    refused = delete(role, operator, approver)
    assert refused.state == "failed"
    attempt = refused.attempts.get()
    assert attempt.reason == (
        f"Trusted Advisor is enabled in account {HUB}. Disable Trusted Advisor before you "
        f"delete {TRUSTED_ADVISOR}."
    )
    assert attempt.role_usage_list == []

    emulator.control.set_trusted_advisor(HUB, False)
    assert delete(role, operator, approver).state == "succeeded"
