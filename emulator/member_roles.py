"""rolecall's roles exactly as the templates in ``deploy/aws/`` ship them.

Every scenario account gets the member template's read role (``RolecallAudit``) and
change role (``RolecallChange``), and the hub (the organization's management account)
also gets the organization template's ``RolecallOrganizations``, each with the
template's trust and inline policies, so the emulator's IAM enforcement
(``emulator/enforce.py``) judges rolecall's calls against the very policies an
operator deploys. The hub also gets rolecall's own principal, the role ``rolecall``
runs as, with the managed policy of ``rolecall-principal.yaml`` attached, which the
enforcement judges every AssumeRole of the hub's long-term keys against
(``emulator/patches/sts.py``). The templates are read here, not copied: a change to
one is a change to what the emulator allows. Every parameter value is checked against
the template's ``AllowedPattern`` and lengths, as CloudFormation checks it, so the
emulator never deploys a template with a value an operator could not give it.

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
PRINCIPAL_TEMPLATE = DEPLOY / "rolecall-principal.yaml"
EXTERNAL_ID = "rolecall-demo"
# rolecall's principal in the emulator: the role it runs as in the hub (its instance
# or task role), the value of the member templates' RolecallPrincipalArn. The hub's
# long-term keys stand for a session of it (emulator/patches/sts.py).
PRINCIPAL_ROLE = "rolecall"
PRINCIPAL = f"arn:aws:iam::{HUB_ACCOUNT}:role/{PRINCIPAL_ROLE}"
PRINCIPAL_SESSION = f"arn:aws:sts::{HUB_ACCOUNT}:assumed-role/{PRINCIPAL_ROLE}/rolecall"
# Who may assume the principal role itself: the compute that runs rolecall.
PRINCIPAL_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
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
    found |= {
        "AWS::Partition": "aws",
        "AWS::AccountId": account,
        "RolecallPrincipalArn": principal,
        "ExternalId": external_id,
    }
    check(found, source or template())
    return found


def check(values: dict[str, str], document: dict) -> None:
    """Raise TemplateError for a value the template's parameter constraints reject."""
    for name, spec in document.get("Parameters", {}).items():
        value = values.get(name)
        if value is None:
            continue
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value, re.ASCII):
            shown = "" if spec.get("NoEcho") else f" {value!r}"
            raise TemplateError(f"{name}{shown} does not match its AllowedPattern {pattern}")
        if not int(spec.get("MinLength", 0)) <= len(value) <= int(spec.get("MaxLength", 4096)):
            raise TemplateError(f"{name} is outside its MinLength and MaxLength")


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


def principal_policies(organization_id: str) -> list[tuple[str, dict, list[str]]]:
    """The managed policies of rolecall-principal.yaml, for rolecall's principal in the
    hub and an organization: (name, document, roles attached to)."""
    document = template(PRINCIPAL_TEMPLATE)
    given = {"RolecallRoleName": PRINCIPAL_ROLE, "OrganizationId": organization_id}
    variables = parameters(HUB_ACCOUNT, source=document) | given
    check(variables, document)
    found = []
    for logical_id, resource in document["Resources"].items():
        if resource["Type"] != "AWS::IAM::ManagedPolicy":
            continue
        props = resolve(resource["Properties"], variables)
        # CloudFormation names an unnamed managed policy after its stack and logical id.
        name = props.get("ManagedPolicyName", f"rolecall-principal-{logical_id}")
        found.append((name, props["PolicyDocument"], props.get("Roles", [])))
    return found


def create_principal(organization_id: str | None) -> None:
    """rolecall's principal role in the hub, with rolecall-principal.yaml's policies
    attached when there is an organization to scope them to (the template's
    OrganizationId has no other valid value)."""
    from moto.iam.models import iam_backends

    backend = iam_backends[HUB_ACCOUNT]["aws"]
    backend.create_role(
        PRINCIPAL_ROLE,
        json.dumps(PRINCIPAL_TRUST),
        "/",
        permissions_boundary=None,
        description="The role rolecall runs as.",
        tags=[],
        max_session_duration="3600",
    )
    if organization_id is None:
        return
    for name, document, attached_to in principal_policies(organization_id):
        policy = backend.create_policy("", "/", json.dumps(document), name, [])
        for role_name in attached_to:
            backend.attach_role_policy(policy.arn, role_name)


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
