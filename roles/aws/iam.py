"""IAM calls rolecall makes, as dataclasses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from roles.aws.errors import call as _call

SLR_PATH = "/aws-service-role/"


def _document(value) -> dict:
    # botocore decodes URL-encoded policy documents into dicts; keep a fallback
    # for endpoints that return the raw string.
    if isinstance(value, dict):
        return value
    return json.loads(unquote(value))


@dataclass
class RoleSummary:
    name: str
    arn: str
    path: str
    role_id: str
    created: datetime | None
    description: str = ""

    @property
    def service_principal(self) -> str:
        """ecs.amazonaws.com for /aws-service-role/ecs.amazonaws.com/."""
        return self.path.removeprefix(SLR_PATH).strip("/")


@dataclass
class RoleDetail:
    summary: RoleSummary
    max_session_duration: int | None
    last_used_at: datetime | None
    last_used_region: str
    tags: dict[str, str]
    trust_policy: dict


@dataclass
class AttachedPolicy:
    arn: str
    name: str
    version_id: str
    document: dict


@dataclass
class AdvisorAction:
    name: str
    last_accessed: datetime | None
    region: str
    entity: str


@dataclass
class AdvisorService:
    namespace: str
    name: str
    last_authenticated: datetime | None
    region: str
    entity: str
    total_entities: int
    actions: list[AdvisorAction] = field(default_factory=list)


@dataclass
class AdvisorJob:
    status: str  # IN_PROGRESS | COMPLETED | FAILED
    services: list[AdvisorService]
    error: str = ""


def _summary(raw: dict) -> RoleSummary:
    return RoleSummary(
        name=raw["RoleName"],
        arn=raw["Arn"],
        path=raw.get("Path", "/"),
        role_id=raw.get("RoleId", ""),
        created=raw.get("CreateDate"),
        description=raw.get("Description", ""),
    )


def list_service_linked_roles(iam) -> list[RoleSummary]:
    roles: list[RoleSummary] = []
    kwargs = {"PathPrefix": SLR_PATH}
    while True:
        page = _call(iam, "list_roles", **kwargs)
        roles.extend(_summary(r) for r in page.get("Roles", []))
        if not page.get("IsTruncated"):
            return roles
        kwargs["Marker"] = page["Marker"]


def get_role(iam, name: str) -> RoleDetail:
    raw = _call(iam, "get_role", RoleName=name)["Role"]
    last_used = raw.get("RoleLastUsed") or {}
    return RoleDetail(
        summary=_summary(raw),
        max_session_duration=raw.get("MaxSessionDuration"),
        last_used_at=last_used.get("LastUsedDate"),
        last_used_region=last_used.get("Region", ""),
        tags={t["Key"]: t["Value"] for t in raw.get("Tags", [])},
        trust_policy=_document(raw.get("AssumeRolePolicyDocument") or {}),
    )


def attached_policy_names(iam, role_name: str) -> list[tuple[str, str]]:
    """(ARN, name) of each managed policy attached to the role (ListAttachedRolePolicies)."""
    attached, kwargs = [], {"RoleName": role_name}
    while True:
        page = _call(iam, "list_attached_role_policies", **kwargs)
        attached += [(p["PolicyArn"], p["PolicyName"]) for p in page.get("AttachedPolicies", [])]
        if not page.get("IsTruncated"):
            return attached
        kwargs["Marker"] = page["Marker"]


# ListPolicies' MaxItems ranges from 1 to 1000 (IAM API reference, ListPolicies).
POLICIES_PAGE = 1000


def attached_aws_policy_versions(iam) -> dict[str, str]:
    """DefaultVersionId of every AWS managed policy attached to a user, group or role of
    the account, by ARN: ListPolicies with Scope=AWS and OnlyAttached=true, 1,000 a page."""
    versions: dict[str, str] = {}
    kwargs = {"Scope": "AWS", "OnlyAttached": True, "MaxItems": POLICIES_PAGE}
    while True:
        page = _call(iam, "list_policies", **kwargs)
        versions |= {p["Arn"]: p["DefaultVersionId"] for p in page.get("Policies", [])}
        if not page.get("IsTruncated"):
            return versions
        kwargs["Marker"] = page["Marker"]


def default_version_id(iam, arn: str) -> str:
    """The policy's DefaultVersionId (GetPolicy), for a policy ListPolicies did not list."""
    return _call(iam, "get_policy", PolicyArn=arn)["Policy"]["DefaultVersionId"]


def policy_document(iam, arn: str, version_id: str) -> dict:
    """One version's document (GetPolicyVersion)."""
    version = _call(iam, "get_policy_version", PolicyArn=arn, VersionId=version_id)
    return _document(version["PolicyVersion"]["Document"])


def start_last_accessed_job(iam, arn: str, granularity: str = "ACTION_LEVEL") -> str:
    return _call(iam, "generate_service_last_accessed_details", Arn=arn, Granularity=granularity)[
        "JobId"
    ]


def _advisor_service(raw: dict) -> AdvisorService:
    return AdvisorService(
        namespace=raw.get("ServiceNamespace", ""),
        name=raw.get("ServiceName", ""),
        last_authenticated=raw.get("LastAuthenticated"),
        region=raw.get("LastAuthenticatedRegion", ""),
        entity=raw.get("LastAuthenticatedEntity", ""),
        total_entities=raw.get("TotalAuthenticatedEntities", 0) or 0,
        actions=[
            AdvisorAction(
                name=a.get("ActionName", ""),
                last_accessed=a.get("LastAccessedTime"),
                region=a.get("LastAccessedRegion", ""),
                entity=a.get("LastAccessedEntity", ""),
            )
            for a in raw.get("TrackedActionsLastAccessed", []) or []
        ],
    )


def get_last_accessed_job(iam, job_id: str) -> AdvisorJob:
    """One status check; when COMPLETED, every page of the result."""
    page = _call(iam, "get_service_last_accessed_details", JobId=job_id, MaxItems=1000)
    status = page["JobStatus"]
    if status != "COMPLETED":
        error = page.get("Error") or {}
        return AdvisorJob(status=status, services=[], error=error.get("Message", ""))
    services = [_advisor_service(s) for s in page.get("ServicesLastAccessed", [])]
    while page.get("IsTruncated"):
        page = _call(
            iam,
            "get_service_last_accessed_details",
            JobId=job_id,
            MaxItems=1000,
            Marker=page["Marker"],
        )
        services.extend(_advisor_service(s) for s in page.get("ServicesLastAccessed", []))
    return AdvisorJob(status=status, services=services)


@dataclass
class Submitted:
    deletion_task_id: str
    request_id: str


@dataclass
class DeletionStatus:
    status: str  # NOT_STARTED | IN_PROGRESS | SUCCEEDED | FAILED
    reason: str
    role_usage_list: list[dict]
    request_id: str


def delete_service_linked_role(iam, role_name: str) -> Submitted:
    answer = _call(iam, "delete_service_linked_role", RoleName=role_name)
    return Submitted(answer["DeletionTaskId"], answer["ResponseMetadata"]["RequestId"])


def deletion_status(iam, deletion_task_id: str) -> DeletionStatus:
    answer = _call(iam, "get_service_linked_role_deletion_status", DeletionTaskId=deletion_task_id)
    reason = answer.get("Reason") or {}
    return DeletionStatus(
        status=answer["Status"],
        reason=reason.get("Reason", ""),
        role_usage_list=[
            {"Region": u.get("Region", ""), "Resources": list(u.get("Resources", []))}
            for u in reason.get("RoleUsageList", []) or []
        ],
        request_id=answer["ResponseMetadata"]["RequestId"],
    )


def role_exists(iam, role_name: str) -> bool:
    """GetRole, with NoSuchEntity meaning no; any other error is raised."""
    from roles.aws.errors import AwsError

    try:
        _call(iam, "get_role", RoleName=role_name)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return False
        raise
    return True


def update_role_description(iam, role_name: str, description: str) -> str:
    answer = _call(iam, "update_role_description", RoleName=role_name, Description=description)
    return answer["ResponseMetadata"]["RequestId"]


def create_service_linked_role(
    iam, service_principal: str, description: str = "", custom_suffix: str = ""
) -> tuple[RoleSummary, str]:
    kwargs = {"AWSServiceName": service_principal}
    if description:
        kwargs["Description"] = description
    if custom_suffix:
        kwargs["CustomSuffix"] = custom_suffix
    answer = _call(iam, "create_service_linked_role", **kwargs)
    return _summary(answer["Role"]), answer["ResponseMetadata"]["RequestId"]
