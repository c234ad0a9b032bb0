"""Amazon Macie's reader (roles/aws/readers/macie.py) against the emulator: Macie
enabled, or paused, blocks until it is disabled."""

import pytest

from tests.support.catalogue import holds_to_the_contract


@pytest.mark.parametrize("status", ["ENABLED", "PAUSED"])
def test_macie_blocks_the_role_until_it_is_disabled(emulator, status):
    def make(client_for, region):
        client_for("macie2", region).enable_macie(status=status)
        return [f"arn:aws:macie2:{region}:222222222222:session"]

    def remove(client_for, region):
        client_for("macie2", region).disable_macie()

    predicted = holds_to_the_contract("macie.amazonaws.com", make, remove)
    assert predicted[0]["Resources"] == ["arn:aws:macie2:eu-west-1:222222222222:session"]
