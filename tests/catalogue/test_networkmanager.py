"""AWS Network Manager's reader (roles/aws/readers/networkmanager.py) against the
emulator: a global network, read once for the account, blocks the role until it is
deleted."""

from tests.support.catalogue import holds_to_the_contract


def test_a_global_network_blocks_the_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        # Global networks have no Region: the client goes to Network Manager's endpoint.
        made.update(
            client_for("networkmanager", None).create_global_network(Description="core")[
                "GlobalNetwork"
            ]
        )
        return [made["GlobalNetworkArn"]]

    def remove(client_for, region):
        client_for("networkmanager", None).delete_global_network(
            GlobalNetworkId=made["GlobalNetworkId"]
        )

    predicted = holds_to_the_contract("networkmanager.amazonaws.com", make, remove, region="global")
    # AWS's form: no Region in a global network's ARN.
    assert predicted[0]["Resources"][0].startswith("arn:aws:networkmanager::222222222222:")
