"""Patches to moto's Network Firewall: firewall policies, rule groups, and deletions.

AWS's guide names what holds Network Firewall's service-linked role: "all firewalls,
firewall policies, stateful rule groups, and stateless rule groups, in all Regions"
(roles/aws/readers/network_firewall.py). moto serves firewalls only, with no
DeleteFirewall. The emulator keeps each Region's firewall policies and rule groups on
moto's Network Firewall backend (a reset forgets them) and serves Create, List
(``MaxResults``/``NextToken``) and Delete for both, and DeleteFirewall; a deleted one is
gone at once (AWS lists a firewall as DELETING for a while first). The deletion check
(emulator/linked/network_firewall.py) counts them.
"""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.networkfirewall.models import NetworkFirewallBackend
from moto.networkfirewall.responses import NetworkFirewallResponse, _firewall

from ..regions import partition

PAGE = 100  # the lists' MaxResults: at most 100 (botocore's model)
# CreateRuleGroup's Type -> the ARN's resource type, in the form AWS's ARNs take.
RULE_GROUP_RESOURCES = {"STATELESS": "stateless-rulegroup"}


class ResourceNotFoundException(JsonRESTError):
    def __init__(self, what: str):
        super().__init__("ResourceNotFoundException", f"{what} not found")


class InvalidOperationException(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("InvalidOperationException", message)


def policies(backend: NetworkFirewallBackend) -> dict[str, dict]:
    """The Region's firewall policies, by name."""
    if not hasattr(backend, "firewall_policies"):
        backend.firewall_policies = {}
    return backend.firewall_policies


def rule_groups(backend: NetworkFirewallBackend) -> dict[str, dict]:
    """The Region's rule groups (of the account's scope), by name."""
    if not hasattr(backend, "rule_groups"):
        backend.rule_groups = {}
    return backend.rule_groups


def _arn(backend: NetworkFirewallBackend, resource: str, name: str) -> str:
    region = backend.region_name
    return (
        f"arn:{partition(region)}:network-firewall:{region}:{backend.account_id}:{resource}/{name}"
    )


def _page(self: NetworkFirewallResponse, items: list[dict], key: str) -> ActionResult:
    size = int(self._get_param("MaxResults") or PAGE)
    start = int(self._get_param("NextToken") or 0)
    answer: dict = {key: items[start : start + size]}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def create_firewall_policy(self: NetworkFirewallResponse) -> ActionResult:
    backend = self.networkfirewall_backend
    name = self._get_param("FirewallPolicyName")
    policy = {
        "FirewallPolicyName": name,
        "FirewallPolicyArn": _arn(backend, "firewall-policy", name),
        "FirewallPolicyId": name,
        "FirewallPolicyStatus": "ACTIVE",
    }
    policies(backend)[name] = policy
    return ActionResult({"UpdateToken": "1", "FirewallPolicyResponse": policy})


def list_firewall_policies(self: NetworkFirewallResponse) -> ActionResult:
    found = policies(self.networkfirewall_backend)
    items = [{"Name": name, "Arn": found[name]["FirewallPolicyArn"]} for name in sorted(found)]
    return _page(self, items, "FirewallPolicies")


def delete_firewall_policy(self: NetworkFirewallResponse) -> ActionResult:
    found = policies(self.networkfirewall_backend)
    name = self._get_param("FirewallPolicyName") or next(
        (
            n
            for n, p in found.items()
            if p["FirewallPolicyArn"] == self._get_param("FirewallPolicyArn")
        ),
        None,
    )
    if name not in found:
        raise ResourceNotFoundException("Firewall policy")
    return ActionResult(
        {"FirewallPolicyResponse": found.pop(name) | {"FirewallPolicyStatus": "DELETING"}}
    )


def create_rule_group(self: NetworkFirewallResponse) -> ActionResult:
    backend = self.networkfirewall_backend
    name, kind = self._get_param("RuleGroupName"), self._get_param("Type")
    group = {
        "RuleGroupName": name,
        "RuleGroupArn": _arn(backend, RULE_GROUP_RESOURCES.get(kind, "stateful-rulegroup"), name),
        "RuleGroupId": name,
        "Type": kind,
        "Capacity": self._get_int_param("Capacity"),
        "RuleGroupStatus": "ACTIVE",
    }
    rule_groups(backend)[name] = group
    return ActionResult({"UpdateToken": "1", "RuleGroupResponse": group})


def list_rule_groups(self: NetworkFirewallResponse) -> ActionResult:
    if self._get_param("Scope") == "MANAGED":  # AWS's managed groups: none here
        return ActionResult({"RuleGroups": []})
    found = rule_groups(self.networkfirewall_backend)
    kind = self._get_param("Type")
    items = [
        {"Name": name, "Arn": found[name]["RuleGroupArn"]}
        for name in sorted(found)
        if not kind or found[name]["Type"] == kind
    ]
    return _page(self, items, "RuleGroups")


def delete_rule_group(self: NetworkFirewallResponse) -> ActionResult:
    found = rule_groups(self.networkfirewall_backend)
    name = self._get_param("RuleGroupName") or next(
        (n for n, g in found.items() if g["RuleGroupArn"] == self._get_param("RuleGroupArn")),
        None,
    )
    if name not in found:
        raise ResourceNotFoundException("Rule group")
    return ActionResult({"RuleGroupResponse": found.pop(name) | {"RuleGroupStatus": "DELETING"}})


def delete_firewall(self: NetworkFirewallResponse) -> ActionResult:
    backend = self.networkfirewall_backend
    firewall = backend.describe_firewall(
        firewall_name=self._get_param("FirewallName"),
        firewall_arn=self._get_param("FirewallArn"),
    )
    if firewall.delete_protection:
        raise InvalidOperationException("Firewall is protected against deletion")
    backend.firewalls.pop(firewall.arn)
    status = firewall.firewall_status | {"Status": "DELETING"}
    return ActionResult({"Firewall": _firewall(firewall), "FirewallStatus": status})


HANDLERS = (
    create_firewall_policy,
    list_firewall_policies,
    delete_firewall_policy,
    create_rule_group,
    list_rule_groups,
    delete_rule_group,
    delete_firewall,
)


def apply() -> None:
    for handler in HANDLERS:
        setattr(NetworkFirewallResponse, handler.__name__, handler)
