"""AWS Network Firewall's reader (roles/aws/readers/network_firewall.py) against the
emulator: firewalls, firewall policies and rule groups of either kind hold the role."""

import pytest

from tests.support.catalogue import ACCOUNT, holds_to_the_contract

PRINCIPAL = "network-firewall.amazonaws.com"
POLICY = {
    "StatelessDefaultActions": ["aws:forward_to_sfe"],
    "StatelessFragmentDefaultActions": ["aws:drop"],
}


def _arn(region: str, resource: str) -> str:
    return f"arn:aws:network-firewall:{region}:{ACCOUNT}:{resource}"


@pytest.mark.parametrize(
    "kind, resource", [("STATELESS", "stateless-rulegroup"), ("STATEFUL", "stateful-rulegroup")]
)
def test_a_rule_group_blocks_the_role_until_it_is_deleted(emulator, kind, resource):
    def make(client_for, region):
        group = client_for("network-firewall", region).create_rule_group(
            RuleGroupName="edge-rules", Type=kind, Capacity=10
        )["RuleGroupResponse"]
        assert group["RuleGroupArn"] == _arn(region, f"{resource}/edge-rules")
        return [group["RuleGroupArn"]]

    def remove(client_for, region):
        client_for("network-firewall", region).delete_rule_group(
            RuleGroupName="edge-rules", Type=kind
        )

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_firewall_policy_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        client_for("network-firewall", region).create_firewall_policy(
            FirewallPolicyName="edge", FirewallPolicy=POLICY
        )
        return [_arn(region, "firewall-policy/edge")]

    def remove(client_for, region):
        client_for("network-firewall", region).delete_firewall_policy(FirewallPolicyName="edge")

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_firewall_and_its_policy_block_the_role_until_both_are_deleted(emulator):
    def make(client_for, region):
        nfw, ec2 = client_for("network-firewall", region), client_for("ec2", region)
        policy = nfw.create_firewall_policy(FirewallPolicyName="edge", FirewallPolicy=POLICY)
        vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
        firewall = nfw.create_firewall(
            FirewallName="edge",
            FirewallPolicyArn=policy["FirewallPolicyResponse"]["FirewallPolicyArn"],
            VpcId=vpc,
            SubnetMappings=[{"SubnetId": subnet}],
            DeleteProtection=False,
        )["Firewall"]
        return [firewall["FirewallArn"], _arn(region, "firewall-policy/edge")]

    def remove(client_for, region):
        nfw = client_for("network-firewall", region)
        nfw.delete_firewall(FirewallName="edge")
        nfw.delete_firewall_policy(FirewallPolicyName="edge")

    holds_to_the_contract(PRINCIPAL, make, remove)
