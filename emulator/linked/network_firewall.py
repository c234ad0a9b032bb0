"""AWS Network Firewall: its role is held by any firewall, firewall policy or rule group
in the account, in each Region (the policies and rule groups are the emulator's own,
emulator/patches/networkfirewall.py, kept on moto's backend)."""

from moto.networkfirewall.models import networkfirewall_backends

from . import merge, per_region


def _check(task) -> list[dict]:
    return merge(
        per_region(networkfirewall_backends, task.account, lambda b: list(b.firewalls)),
        per_region(
            networkfirewall_backends,
            task.account,
            lambda b: [
                p["FirewallPolicyArn"] for p in getattr(b, "firewall_policies", {}).values()
            ],
        ),
        per_region(
            networkfirewall_backends,
            task.account,
            lambda b: [g["RuleGroupArn"] for g in getattr(b, "rule_groups", {}).values()],
        ),
    )


ROLES = [("network-firewall.amazonaws.com", "AWSServiceRoleForNetworkFirewall")]
CHECKS = {"network-firewall.amazonaws.com": _check}
