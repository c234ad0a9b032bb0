"""Lint the CloudFormation templates in deploy/aws/ and the IAM policies in them.

    .venv/bin/python scripts/check_aws_templates.py

Runs cfn-lint on every template, then parliament on every identity policy of
every role in it (parameters resolved as the emulator resolves them). A finding
passes only if it is in ACCEPTED below, with the reason it is accepted; an
accepted finding that no longer occurs fails too, so the list stays true. Trust
policies are not parliament's subject (they have no Resource): what they allow is
tested against the emulator in tests/aws/test_least_privilege.py.

Exit status 0 when clean, 1 with each problem on its own line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parliament import analyze_policy_string  # noqa: E402

from emulator import member_roles  # noqa: E402

TEMPLATES = sorted((ROOT / "deploy" / "aws").glob("*.yaml"))

# (template, role, parliament issue, what it names) -> why the finding is accepted.
ACCEPTED = {
    (
        "member-roles.yaml",
        "ReadRole",
        "RESOURCE_MISMATCH",
        "iam:GenerateServiceLastAccessedDetails",
    ): "The action takes a group, policy, role or user; parliament reads the four as all "
    "required. rolecall asks only about service-linked roles, so only their ARNs are granted.",
    (
        "member-roles.yaml",
        "ReadRole",
        "INVALID_ARN",
        "arn:aws:iam::aws:policy/*",
    ): "AWS managed policies have 'aws' where an account id would be (IAM User Guide, "
    "'AWS managed policies'); this grants reading them and no customer managed policy.",
    (
        "member-roles.yaml",
        "ReadRole",
        "RESOURCE_STAR",
        "cloudtrail:GetEventDataStore config:DescribeConfigurationRecorders "
        "elasticache:DescribeCacheClusters elasticache:DescribeReplicationGroups "
        "elasticache:DescribeServerlessCaches rds:DescribeDBClusters rds:DescribeDBInstances",
    ): "These reads list every recorder, cache and database of the account in a region, "
    "called with no identifier, and ask each event data store listed whether it is an "
    "organization's: they must see all of them, and the role reaches one account.",
    (
        "member-roles.yaml",
        "ReadRole",
        "RESOURCE_STAR",
        "cloudwatch:DescribeAlarms cognito-idp:DescribeUserPool es:DescribeDomains "
        "lex:DescribeBot network-firewall:ListFirewallPolicies network-firewall:ListFirewalls",
    ): "The catalogue's reads (docs/catalogue.md) list every alarm, firewall and firewall "
    "policy of the account in a region, and describe each user pool, domain and bot listed: "
    "they must see all of them, and the role reaches one account, so scoping each to its "
    "type's ARN with a wildcard name would grant the same.",
}


def cfn_lint(*templates: Path) -> list[str]:
    """cfn-lint's findings for the templates, in one run (its start-up, loading the
    CloudFormation specification, is most of its time); each line names its template."""
    found = subprocess.run(
        [sys.executable, "-c", "import sys, cfnlint.runner; sys.exit(cfnlint.runner.main())"]
        + [str(template) for template in templates],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0:
        return []
    return [f"cfn-lint: {line}" for line in found.stdout.splitlines() if line]


def _names(finding) -> str:
    detail = finding.detail
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return " ".join(sorted({d.get("action", "") for d in detail}))
    if isinstance(detail, list):
        return " ".join(sorted(str(d) for d in detail))
    return str(finding.location.get("string") or detail)


# Values for the parameters that have no default, so that every policy can be read.
EXAMPLES = {"OrganizationId": "o-exampleorgid", "RolecallRoleName": "rolecall"}


def policies(resource: dict) -> list[tuple[str, dict]]:
    """(name, document) of every identity policy a resource holds."""
    props = resource["Properties"]
    if resource["Type"] == "AWS::IAM::Role":
        return [(p["PolicyName"], p["PolicyDocument"]) for p in props.get("Policies", ())]
    if resource["Type"] == "AWS::IAM::ManagedPolicy":
        return [(props.get("ManagedPolicyName", "managed policy"), props["PolicyDocument"])]
    return []


def parliament_findings(template: Path) -> dict[tuple, str]:
    document = member_roles.load(template)
    variables = member_roles.parameters("111111111111", source=document) | EXAMPLES
    found = {}
    for logical_id, resource in document["Resources"].items():
        resolved = member_roles.resolve(resource, variables)
        for policy_name, policy in policies(resolved):
            analysed = analyze_policy_string(json.dumps(policy))
            for finding in analysed.findings:
                key = (template.name, logical_id, finding.issue, _names(finding))
                found[key] = f"{policy_name}: {finding.issue} {finding.detail}"
    return found


def main() -> int:
    problems, seen = cfn_lint(*TEMPLATES), set()
    for template in TEMPLATES:
        for key, text in parliament_findings(template).items():
            seen.add(key)
            if key not in ACCEPTED:
                problems.append(f"parliament {template.name} {key[1]}: {text}")
    for key in ACCEPTED.keys() - seen:
        problems.append(f"accepted finding no longer found, remove it from ACCEPTED: {key}")
    for problem in problems:
        print(problem)
    names = ", ".join(t.name for t in TEMPLATES)
    print(
        f"{len(TEMPLATES)} template(s) ({names}): {len(problems)} problem(s), "
        f"{len(seen & ACCEPTED.keys())} accepted finding(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
