"""rolecall's roles exactly as the templates in ``deploy/aws/`` ship them.

Every scenario account gets the member template's read role (``RolecallAudit``) and
change role (``RolecallChange``), and the hub (the organization's management account)
also gets the organization template's ``RolecallOrganizations``, each with the
template's trust and inline policies, so the emulator's IAM enforcement
(``emulator/enforce.py``) judges rolecall's calls against the very policies an
operator deploys. The templates are read here, not copied: a change to one is a
change to what the emulator allows.

Only what the templates use of CloudFormation is resolved: ``Ref`` to a parameter
and ``Fn::Sub`` over ``${AWS::Partition}``, ``${AWS::AccountId}`` and parameters.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from .policy_eval import as_list
from .state import HUB_ACCOUNT

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "aws"
TEMPLATE = DEPLOY / "member-roles.yaml"
ORGANIZATION_TEMPLATE = DEPLOY / "organization-role.yaml"
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
def _document(path: Path) -> dict:
    return load(path)


def template(path: Path = TEMPLATE) -> dict:
    return _document(path)


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
        raise TemplateError(f"nothing to substitute for {name}")
    return variables[name]


def parameters(
    account: str,
    *,
    principal: str = PRINCIPAL,
    external_id: str = EXTERNAL_ID,
    source: dict | None = None,
) -> dict[str, str]:
    """The substitutions for one account: the template's defaults, then these
    (``source``: the template, the member template by default)."""
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


def roles(account: str, path: Path = TEMPLATE, **overrides) -> list[MemberRole]:
    """The roles of the template at ``path`` as they would be created in ``account``."""
    document = template(path)
    variables = parameters(account, source=document, **overrides)
    found = []
    for logical_id, resource in document["Resources"].items():
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


def organization_roles(account: str = HUB_ACCOUNT, **overrides) -> list[MemberRole]:
    """The organization template's role, as created in the management account."""
    return roles(account, ORGANIZATION_TEMPLATE, **overrides)


def role(logical_id: str, account: str, path: Path = TEMPLATE) -> MemberRole:
    return next(r for r in roles(account, path) if r.logical_id == logical_id)


def create(account: str, specs: list[MemberRole], created: datetime | None = None) -> dict:
    """Create ``specs`` in ``account``'s IAM as CloudFormation would: logical id -> role."""
    from moto.iam.models import iam_backends  # moto only where roles are made

    backend = iam_backends[account]["aws"]
    made = {}
    for spec in specs:
        role = backend.create_role(
            spec.name,
            json.dumps(spec.trust),
            "/",
            permissions_boundary=None,
            description=spec.description,
            tags=[{"Key": "managed-by", "Value": "security-team"}],
            max_session_duration="3600",
        )
        for name, document in spec.policies.items():
            backend.put_role_policy(spec.name, name, json.dumps(document))
        if created is not None:
            role.create_date = created
        made[spec.logical_id] = role
    return made


def read_role_name() -> str:
    return parameters(HUB_ACCOUNT)["ReadRoleName"]


def change_role_name() -> str:
    return parameters(HUB_ACCOUNT)["ChangeRoleName"]


def organization_role_name() -> str:
    return parameters(HUB_ACCOUNT, source=template(ORGANIZATION_TEMPLATE))["RoleName"]


def as_actions(statement: dict) -> list[str]:
    """A statement's Action, always as a list."""
    return as_list(statement.get("Action"))
