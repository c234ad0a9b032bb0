"""Patches to moto's IAM backend and responses for service-linked roles.

Each patch wraps a moto method (the original is kept and called where it helps)
and restores one AWS behaviour that stock moto lacks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import wraps

from moto.core.responses import ActionResult
from moto.iam.exceptions import IAMException, InvalidInput
from moto.iam.models import AWSManagedPolicy, IAMBackend, PolicyVersion, Role, iam_backends
from moto.iam.responses import IamResponse

from .. import advisor, deletion, linked, policies

_ORIGINALS: dict[str, object] = {}


class UnmodifiableEntity(IAMException):
    code = "UnmodifiableEntity"


def ensure_managed_policy(backend: IAMBackend, policy_name: str) -> AWSManagedPolicy:
    """The AWS managed policy as AWS publishes it: aws-owned ARN, /aws-service-role/ path."""
    arn = policies.policy_arn(policy_name)
    policy = backend.managed_policies.get(arn)
    if policy is None:
        policy = AWSManagedPolicy(
            policy_name,
            account_id=backend.account_id,
            region="us-east-1",
            default_version_id="v1",
            path=policies.MANAGED_POLICY_PATH,
            document=json.dumps(policies.policy_document(policy_name)),
            create_date=policies.POLICY_CREATED,
            update_date=policies.POLICY_UPDATED,
        )
        published = next(_copies(arn), None)
        if published is not None:
            _follow(policy, published)
        backend.managed_policies[arn] = policy
        backend.aws_managed_policies.append(policy)
    return policy


def _copies(arn: str) -> Iterator[AWSManagedPolicy]:
    """Every account's copy of an AWS managed policy (moto keeps one per account)."""
    for _, account in list(iam_backends.items()):
        policy = account["aws"].managed_policies.get(arn)
        if policy is not None:
            yield policy


def _follow(policy: AWSManagedPolicy, published: AWSManagedPolicy) -> None:
    """An AWS managed policy is one policy in every account: a new copy gets the
    versions the others have."""
    policy.versions = [
        PolicyVersion(policy.arn, v.document, v.is_default, v.version_id, v.create_date)
        for v in published.versions
    ]
    policy.default_version_id = published.default_version_id
    policy.next_version_num = published.next_version_num
    policy.update_date = published.update_date


def publish_version(policy_name: str, document: dict) -> dict:
    """AWS changes one of its managed policies: a new version, the default, in every
    account at once (IAM makes every change of a managed policy a new version)."""
    arn = policies.policy_arn(policy_name)
    copies = list(_copies(arn))
    if not copies:
        raise LookupError(f"no account has the AWS managed policy {policy_name}")
    number = max(p.next_version_num for p in copies)
    version_id, now = f"v{number}", datetime.now(UTC).replace(microsecond=0)
    for policy in copies:
        policy.versions.append(PolicyVersion(arn, json.dumps(document), False, version_id, now))
        policy.next_version_num = number + 1
        policy.update_default_version(version_id)
        policy.update_date = now
    return {"arn": arn, "version_id": version_id, "accounts": len(copies)}


def create_service_linked_role(
    self: IAMBackend, service_name: str, description: str, suffix: str
) -> Role:
    # moto derives the name from the principal ("AWSServiceRoleForecs") and attaches no
    # policy.  AWS uses each service's documented name and attaches its managed policy.
    linked = policies.CATALOGUE.get(service_name)
    if linked is None:
        # Not in the catalogue: keep moto's naming rather than refuse.
        return _ORIGINALS["create_service_linked_role"](self, service_name, description, suffix)
    if suffix and not linked.allows_suffix:
        raise InvalidInput(f"Custom suffix is not allowed for {service_name}")
    name = f"{linked.role_name}_{suffix}" if suffix else linked.role_name
    if any(role.name == name for role in self.roles.values()):
        raise InvalidInput(
            f"Service role name {name} has been taken in this account, please try again."
        )
    role = self.create_role(
        name,
        json.dumps(policies.trust_policy(service_name)),
        f"/aws-service-role/{service_name}/",
        permissions_boundary=None,
        description=description or linked.description,
        tags=[],
        max_session_duration="3600",
        linked_service=service_name,
    )
    if linked.policy_name:
        ensure_managed_policy(self, linked.policy_name).attach_to(role)
    return role


# The AWS Support guide: AWSServiceRoleForSupport "cannot be deleted through the IAM
# console, API, or CLI" (docs/readiness.md, Support); and the catalogue's (KMS).
UNDELETABLE = {"support.amazonaws.com"} | linked.undeletable()


def delete_service_linked_role(self: IAMBackend, role_name: str) -> str:
    # moto deletes at once (any role) and returns a bare UUID; AWS submits a task.
    role = next((r for r in self.roles.values() if r.name == role_name), None)
    if role is not None and deletion.linked_service(role) in UNDELETABLE:
        raise protected(role_name)
    return deletion.submit(self, role_name)


def protected(role_name: str) -> UnmodifiableEntity:
    return UnmodifiableEntity(
        f"Cannot perform the operation on the protected role '{role_name}' - "
        "this role is only modifiable by AWS"
    )


def _refuse_on_slr(method_name: str):
    """AWS refuses to change a service-linked role's policies or delete it directly."""
    original = getattr(IAMBackend, method_name)

    @wraps(original)
    def guarded(self: IAMBackend, *args, **kwargs):
        role_name = kwargs.get("role_name", args[0] if args else None)
        if method_name in ("attach_role_policy", "detach_role_policy"):
            role_name = kwargs.get("role_name", args[1] if len(args) > 1 else None)
        role = next((r for r in self.roles.values() if r.name == role_name), None)
        if role is not None and deletion.is_service_linked(role):
            raise protected(role_name)
        return original(self, *args, **kwargs)

    _ORIGINALS[method_name] = original
    return guarded


GUARDED = (
    "delete_role",
    "attach_role_policy",
    "detach_role_policy",
    "put_role_policy",
    "delete_role_policy",
    "update_assume_role_policy",
)


# --- responses -----------------------------------------------------------------------------


def get_service_linked_role_deletion_status(self: IamResponse) -> ActionResult:
    # moto ignores the task id and always answers SUCCEEDED.
    task_id = self._get_param("DeletionTaskId")
    return ActionResult(deletion.status(self.backend, task_id))


def generate_service_last_accessed_details(self: IamResponse) -> ActionResult:
    # Not implemented by moto.
    job_id = advisor.generate(self.backend, self._get_param("Arn"), self._get_param("Granularity"))
    return ActionResult({"JobId": job_id})


def get_service_last_accessed_details(self: IamResponse) -> ActionResult:
    # Not implemented by moto.
    return ActionResult(
        advisor.get(
            self.backend,
            self._get_param("JobId"),
            self._get_param("MaxItems"),
            self._get_param("Marker"),
        )
    )


def apply() -> None:
    if "create_service_linked_role" in _ORIGINALS:
        return
    _ORIGINALS["create_service_linked_role"] = IAMBackend.create_service_linked_role
    IAMBackend.create_service_linked_role = create_service_linked_role
    IAMBackend.delete_service_linked_role = delete_service_linked_role
    for name in GUARDED:
        setattr(IAMBackend, name, _refuse_on_slr(name))
    IamResponse.get_service_linked_role_deletion_status = get_service_linked_role_deletion_status
    IamResponse.generate_service_last_accessed_details = generate_service_last_accessed_details
    IamResponse.get_service_last_accessed_details = get_service_last_accessed_details
