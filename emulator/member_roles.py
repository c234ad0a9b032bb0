"""The member-account roles exactly as ``deploy/aws/member-roles.yaml`` ships them.

Every scenario account gets the template's read role (``RolecallAudit``) and change
role (``RolecallChange``), with the template's trust and inline policies, so the
emulator's IAM enforcement (``emulator/enforce.py``) judges rolecall's calls against
the very policies an operator deploys. The template is read here, not copied: a
change to it is a change to what the emulator allows.

Only what the template uses of CloudFormation is resolved: ``Ref`` to a parameter
and ``Fn::Sub`` over ``${AWS::Partition}``, ``${AWS::AccountId}`` and parameters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .policy_eval import as_list
from .state import HUB_ACCOUNT

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "aws" / "member-roles.yaml"
EXTERNAL_ID = "rolecall-demo"
# rolecall's principal in the emulator: its long-term keys act in the hub account,
# as moto's "user/moto"; the account's root stands for every principal in it.
PRINCIPAL = f"arn:aws:iam::{HUB_ACCOUNT}:root"
SUB_RE = re.compile(r"\$\{([\w:]+)\}")


class TemplateError(Exception):
    pass


@dataclass(frozen=True)
class MemberRole:
    logical_id: str
    name: str
    description: str
    trust: dict
    policies: dict[str, dict]  # inline policy name -> document


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def template() -> dict:
    return load(TEMPLATE)


def resolve(value, variables: dict[str, str]):
    """``value`` with every Ref and Fn::Sub replaced from ``variables``."""
    if isinstance(value, list):
        return [resolve(item, variables) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return _variable(value["Ref"], variables)
    if set(value) == {"Fn::Sub"}:
        return SUB_RE.sub(lambda m: _variable(m[1], variables), value["Fn::Sub"])
    return {key: resolve(item, variables) for key, item in value.items()}


def _variable(name: str, variables: dict[str, str]) -> str:
    if name not in variables:
        raise TemplateError(f"{TEMPLATE.name}: nothing to substitute for {name}")
    return variables[name]


def parameters(
    account: str,
    *,
    principal: str = PRINCIPAL,
    external_id: str = EXTERNAL_ID,
    source: dict | None = None,
) -> dict[str, str]:
    """The substitutions for one account: the template's defaults, then these."""
    found = {
        name: str(spec["Default"])
        for name, spec in (source or template()).get("Parameters", {}).items()
        if "Default" in spec
    }
    return found | {
        "AWS::Partition": "aws",
        "AWS::AccountId": account,
        "RolecallPrincipalArn": principal,
        "ExternalId": external_id,
    }


def roles(account: str, **overrides) -> list[MemberRole]:
    """The template's roles as they would be created in ``account``."""
    variables = parameters(account, **overrides)
    found = []
    for logical_id, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        props = resolve(resource["Properties"], variables)
        found.append(
            MemberRole(
                logical_id=logical_id,
                name=props["RoleName"],
                description=" ".join(props.get("Description", "").split()),
                trust=props["AssumeRolePolicyDocument"],
                policies={p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies", ())},
            )
        )
    return found


def role(logical_id: str, account: str) -> MemberRole:
    return next(r for r in roles(account) if r.logical_id == logical_id)


def read_role_name() -> str:
    return parameters(HUB_ACCOUNT)["ReadRoleName"]


def change_role_name() -> str:
    return parameters(HUB_ACCOUNT)["ChangeRoleName"]


def as_actions(statement: dict) -> list[str]:
    """A statement's Action, always as a list."""
    return as_list(statement.get("Action"))
