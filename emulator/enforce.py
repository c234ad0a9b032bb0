"""IAM enforcement for assumed-role credentials, and the trail of who made each call.

``python -m emulator --enforce-iam`` (or ``POST /_emulator/enforce``) judges every
call made with credentials from ``sts:AssumeRole`` against the assumed role's
identity policies (inline and attached), as AWS does: an explicit Deny wins, else
some Allow must match the action, the resource ARN and the conditions
(``emulator/policy_eval.py``). ``sts:AssumeRole`` itself is judged by the AssumeRole
patch (``emulator/patches/sts.py``): the role's trust policy and, under enforcement,
the caller's identity policies, whoever the caller is. The hub's long-term keys stand
for a session of rolecall's principal role (``emulator/member_roles.py``); their other
calls are not judged.

The resource of a call is the ARN AWS authorizes for it (Service Authorization
Reference): a role for IAM role actions, a managed policy for policy reads, an ECS
cluster, service or container instance for the ECS actions that take one, the parent
root or OU of the Organizations lists under a parent, the account (and parents) of
CloseAccount and MoveAccount. Every other call is judged against ``*``, so a statement
scoped to an ARN pattern never grants a call whose resource AWS would not scope either.

Whether enforced or not, each call with assumed-role credentials is kept in the
trail (``GET /_emulator/trail``): the operation, the account and region, the
assumed role, its session name, its source identity and its session tags, and the
main parameters, as CloudTrail records them.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from datetime import UTC, datetime

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from . import organization
from .awsrequest import AwsCall, _read_body
from .policy_eval import DENY, decide

TRAIL_SIZE = 20_000
# "No permissions are required to perform this operation" (STS API reference,
# GetCallerIdentity): even an explicit deny does not stop it.
NEEDS_NO_PERMISSION = {"sts:GetCallerIdentity"}
# Judged with the role's trust policy and the caller's identity policies together, on
# the role's ARN, by the AssumeRole patch (emulator/patches/sts.py).
JUDGED_BY_STS = {"sts:AssumeRole"}
KEPT_PARAMS = (
    "RoleName",
    "AWSServiceName",
    "DeletionTaskId",
    "cluster",
    "service",
    "ParentId",
    "AccountId",
)
# The JSON services whose request body names the resource (or is kept in the trail).
JSON_BODIES = {"ecs", "organizations"}


class Trail:
    """The last TRAIL_SIZE calls made with assumed-role credentials."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=TRAIL_SIZE)

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(self, **match: str) -> list[dict]:
        with self._lock:
            found = list(self._entries)
        return [e for e in found if all(e.get(k) == v for k, v in match.items() if v)]


TRAIL = Trail()


def session_for(call: AwsCall):
    """moto's AssumedRole behind a call's access key, or None (call with LOCK held)."""
    if not call.access_key.startswith("ASIA"):
        return None
    for backend in sts_backends[call.account].values():
        assumed = backend.get_assumed_role_from_access_key(call.access_key)
        if assumed is not None:
            return assumed
    return None


def _body(call: AwsCall, environ: dict) -> dict:
    if call.service not in JSON_BODIES:
        return {}
    try:
        found = json.loads(_read_body(environ) or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def record(call: AwsCall, environ: dict, assumed) -> tuple[dict, dict]:
    """Add the call to the trail: (its trail entry, its JSON body (ECS, Organizations),
    read once)."""
    body = _body(call, environ)
    params = {**call.params, **body}
    entry = {
        "time": datetime.now(UTC).isoformat(),
        "operation": call.operation,
        "account": call.account,
        "region": call.region,
        "caller": assumed.arn,
        "role_arn": assumed.role_arn,
        "session_name": assumed.session_name,
        "source_identity": getattr(assumed, "source_identity", ""),
        "session_tags": dict(getattr(assumed, "session_tags", {})),
        "params": {k: str(params[k]) for k in KEPT_PARAMS if k in params},
        "error": "",
    }
    TRAIL.add(entry)
    return entry, body


# --- resources ------------------------------------------------------------------------


def _role_arn(account: str, name: str) -> str:
    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.name == name), None)
    return role.arn if role is not None else f"arn:aws:iam::{account}:role/{name}"


def _iam_resources(call: AwsCall) -> list[str]:
    params, account = call.params, call.account
    if call.action == "CreateServiceLinkedRole":
        service = params.get("AWSServiceName", "")
        return [f"arn:aws:iam::{account}:role/aws-service-role/{service}/AWSServiceRole"]
    if call.action == "GetServiceLinkedRoleDeletionStatus":
        parts = params.get("DeletionTaskId", "").split("/")
        if len(parts) >= 4 and parts[0] == "task":
            return [f"arn:aws:iam::{account}:role/{'/'.join(parts[1:4])}"]
        return ["*"]
    if "RoleName" in params:
        return [_role_arn(account, params["RoleName"])]
    if "PolicyArn" in params:
        return [params["PolicyArn"]]
    if call.action == "GenerateServiceLastAccessedDetails":
        return [params.get("Arn", "*")]
    return ["*"]


def _ecs_arn(call: AwsCall, kind: str, cluster: str, name: str) -> str:
    if name.startswith("arn:"):
        return name
    prefix = f"arn:aws:ecs:{call.region}:{call.account}"
    if kind == "cluster":
        return f"{prefix}:cluster/{name}"
    return f"{prefix}:{kind}/{cluster.rsplit('/', 1)[-1]}/{name}"


def _ecs_resources(call: AwsCall, body: dict) -> list[str]:
    cluster = str(body.get("cluster") or "default")
    action = call.action
    if action == "DescribeClusters":
        return [_ecs_arn(call, "cluster", "", str(c)) for c in body.get("clusters") or ["default"]]
    if action in ("ListContainerInstances", "DeregisterContainerInstance", "DeleteCluster"):
        return [_ecs_arn(call, "cluster", "", cluster)]
    if action == "DescribeServices":
        return [_ecs_arn(call, "service", cluster, str(s)) for s in body.get("services") or []]
    if action in ("UpdateService", "DeleteService"):
        return [_ecs_arn(call, "service", cluster, str(body.get("service", "")))]
    if action == "DescribeContainerInstances":
        return [
            _ecs_arn(call, "container-instance", cluster, str(i))
            for i in body.get("containerInstances") or []
        ]
    return ["*"]


def _organizations_resources(call: AwsCall, body: dict) -> list[str]:
    """The root, OU or account ARNs of the Organizations actions that take one (the
    Service Authorization Reference's resource types); in no organization, ``*``."""
    account = call.account
    if call.action in ("ListAccountsForParent", "ListOrganizationalUnitsForParent", "ListChildren"):
        found = [organization.parent_arn(account, str(body.get("ParentId", "")))]
    elif call.action == "CloseAccount":
        found = [organization.arn(account, "account", str(body.get("AccountId", "")))]
    elif call.action == "MoveAccount":
        found = [
            organization.arn(account, "account", str(body.get("AccountId", ""))),
            organization.parent_arn(account, str(body.get("SourceParentId", ""))),
            organization.parent_arn(account, str(body.get("DestinationParentId", ""))),
        ]
    else:
        return ["*"]
    return [arn or "*" for arn in found]


def resources(call: AwsCall, body: dict) -> list[str]:
    """The ARNs AWS authorizes this call against (``*`` where it scopes none)."""
    if call.service == "iam":
        return _iam_resources(call)
    if call.service == "ecs":
        return _ecs_resources(call, body) or ["*"]
    if call.service == "organizations":
        return _organizations_resources(call, body)
    if call.service == "apigateway":
        # API Gateway authorizes a call on the path it names, with no account (the Service
        # Authorization Reference: arn:${Partition}:apigateway:${Region}::${Path}).
        return [f"arn:aws:apigateway:{call.region}::{call.path}"]
    return ["*"]


# --- the decision ---------------------------------------------------------------------


def _holder_documents(holder) -> list[dict]:
    """The inline and attached (default version) policies of a moto role, user or group."""
    documents = [json.loads(document) for document in holder.policies.values()]
    for policy in holder.managed_policies.values():
        version = next(v for v in policy.versions if v.version_id == policy.default_version_id)
        documents.append(json.loads(version.document))
    return documents


def role_documents(role_arn: str, account: str) -> list[dict]:
    """The identity policies of the role ``role_arn`` in ``account`` (LOCK held)."""
    backend = iam_backends[account]["aws"]
    role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
    if role is None:
        return []  # the role was deleted: its sessions can do nothing
    return _holder_documents(role)


def user_documents(user, account: str) -> list[dict]:
    """The identity policies of an IAM user: its own and its groups' (LOCK held)."""
    documents = _holder_documents(user)
    for group in iam_backends[account]["aws"].groups.values():
        if user in group.users:
            documents += _holder_documents(group)
    return documents


def refusal(call: AwsCall, body: dict, assumed) -> str | None:
    """Why AWS would refuse this call under the role's policies, or None (LOCK held)."""
    if call.operation in NEEDS_NO_PERMISSION | JUDGED_BY_STS:
        return None
    documents = role_documents(assumed.role_arn, call.account)
    context: dict[str, object] = {
        "aws:PrincipalArn": assumed.role_arn,
        "aws:PrincipalAccount": call.account,
        **{f"aws:PrincipalTag/{k}": v for k, v in getattr(assumed, "session_tags", {}).items()},
    }
    if getattr(assumed, "source_identity", ""):
        context["aws:SourceIdentity"] = assumed.source_identity
    if "AWSServiceName" in call.params:
        context["iam:AWSServiceName"] = call.params["AWSServiceName"]
    action = call.operation  # the signing name is the IAM prefix for every emulated service
    for resource in resources(call, body):
        verdict = decide(documents, action, resource, context)
        if verdict != "allow":
            because = (
                "with an explicit deny in an identity-based policy"
                if verdict == DENY
                else f"because no identity-based policy allows the {action} action"
            )
            return (
                f"User: {assumed.arn} is not authorized to perform: {action} "
                f"on resource: {resource} {because}"
            )
    return None
