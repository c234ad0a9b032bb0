"""deploy/aws/: the templates lint clean, and the check catches what it is there to catch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from emulator import member_roles
from scripts import check_aws_templates as check

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_templates_pass_cfn_lint_and_parliament():
    done = subprocess.run(
        [sys.executable, "scripts/check_aws_templates.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 problem(s), 4 accepted finding(s)" in done.stdout


def changed_template(tmp_path: Path, change) -> Path:
    document = member_roles.load(member_roles.TEMPLATE)
    change(document)
    path = tmp_path / "member-roles.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_a_broad_grant_is_a_finding_no_one_accepted(tmp_path):
    def grant_everything(document):
        statements = document["Resources"]["ChangeRole"]["Properties"]["Policies"][0]
        statements["PolicyDocument"]["Statement"].append(
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
        )

    findings = check.parliament_findings(changed_template(tmp_path, grant_everything))
    new = [key for key in findings if key not in check.ACCEPTED]
    assert new and {key[1] for key in new} == {"ChangeRole"}


def test_a_template_cloudformation_refuses_fails_cfn_lint(tmp_path):
    def misspell(document):
        document["Resources"]["ReadRole"]["Properties"]["MaxSessionDurationSeconds"] = 3600

    problems = check.cfn_lint(changed_template(tmp_path, misspell))
    assert problems and "MaxSessionDurationSeconds" in " ".join(problems)


def test_the_emulator_creates_the_templates_roles_exactly():
    prod = member_roles.roles("111111111111")
    assert [r.name for r in prod] == ["RolecallAudit", "RolecallChange"]
    read, change = prod
    assert read.trust["Statement"][0]["Principal"] == {"AWS": member_roles.PRINCIPAL}
    assert set(change.trust["Statement"][0]["Action"]) == {
        "sts:AssumeRole",
        "sts:SetSourceIdentity",
        "sts:TagSession",
    }
    resources = {
        resource
        for document in change.policies.values()
        for statement in document["Statement"]
        for resource in member_roles.as_list(statement["Resource"])
    }
    assert all(":111111111111:" in resource for resource in resources)
