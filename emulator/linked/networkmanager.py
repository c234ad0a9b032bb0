"""AWS Network Manager: its role is held by any global network in the account. Global
networks belong to no Region (moto keeps them per partition), so they are reported
under "global", as rolecall reads them; which Region AWS names for them is not
documented. The Cloud WAN role shares the principal; the emulator models the one whose
deletion the guide describes."""

from moto.networkmanager.models import networkmanager_backends

ROLES = [("networkmanager.amazonaws.com", "AWSServiceRoleForNetworkManager")]


def global_networks(task) -> list[dict]:
    found = sorted(
        network.global_network_arn
        for backend in networkmanager_backends[task.account].values()
        for network in backend.global_networks.values()
    )
    return [{"Region": "global", "Resources": found}] if found else []


CHECKS = {"networkmanager.amazonaws.com": global_networks}
