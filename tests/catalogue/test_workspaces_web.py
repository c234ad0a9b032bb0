"""Amazon WorkSpaces Web's reader (roles/aws/readers/workspaces_web.py) against the
emulator."""

from tests.support.catalogue import holds_to_the_contract


def test_a_portal_blocks_the_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        arn = client_for("workspaces-web", region).create_portal(
            displayName="contractors", authenticationType="Standard"
        )["portalArn"]
        assert arn.startswith(f"arn:aws:workspaces-web:{region}:222222222222:portal/")
        made["arn"] = arn
        return [arn]

    def remove(client_for, region):
        client_for("workspaces-web", region).delete_portal(portalArn=made["arn"])

    holds_to_the_contract("workspaces-web.amazonaws.com", make, remove)
