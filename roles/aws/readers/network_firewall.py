"""AWS Network Firewall: "To delete the role, you must delete all firewalls, firewall
policies, stateful rule groups, and stateless rule groups, in all Regions where you have
them defined" (docs/catalogue.md). ListFirewalls, ListFirewallPolicies and ListRuleGroups
(of the account's own scope, every type: the call's default), 100 a page each; every
item carries its ARN."""

from roles.aws.listing import Listing, reader


def _list(method: str, action: str, items: str, kind: str, name: str, arn: str) -> Listing:
    return Listing(
        "network-firewall",
        method,
        f"network-firewall:{action}",
        items,
        kind,
        name=name,
        arn=arn,
        token_in="NextToken",
        token_out="NextToken",
        page_param="MaxResults",
        page_size=100,
    )


READERS = {
    "network-firewall.amazonaws.com": reader(
        _list(
            "list_firewalls",
            "ListFirewalls",
            "Firewalls",
            "Firewall",
            "FirewallName",
            "FirewallArn",
        ),
        _list(
            "list_firewall_policies",
            "ListFirewallPolicies",
            "FirewallPolicies",
            "Firewall policy",
            "Name",
            "Arn",
        ),
        _list("list_rule_groups", "ListRuleGroups", "RuleGroups", "Rule group", "Name", "Arn"),
        found="no firewall, firewall policy or rule group",
    ),
}
