"""IAM Access Advisor: GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails.

moto does not implement these.  AWS runs a report job: the first Get answers
IN_PROGRESS, a later one COMPLETED with one entry per service the entity's
policies allow, each with when it was last used (from scenario data).  At
ACTION_LEVEL, the namespaces AWS tracks actions for also list
``TrackedActionsLastAccessed``.  All functions run under ``state.LOCK``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote

from moto.iam.exceptions import InvalidInput, NotFoundException
from moto.iam.models import IAMBackend

from . import policies

GRANULARITIES = ("SERVICE_LEVEL", "ACTION_LEVEL")


@dataclass
class ServiceUse:
    namespace: str
    when: datetime
    region: str
    # action name -> (when, region)
    actions: dict[str, tuple[datetime, str]] = field(default_factory=dict)


@dataclass
class Job:
    job_id: str
    arn: str
    granularity: str
    created: datetime
    gets: int = 0
    completed: datetime | None = None
    services: list[dict] = field(default_factory=list)


USAGE: dict[tuple[str, str], dict[str, ServiceUse]] = {}  # (account, entity arn)
JOBS: dict[tuple[str, str], Job] = {}


def reset() -> None:
    USAGE.clear()
    JOBS.clear()


def forget(account: str, arn: str) -> None:
    USAGE.pop((account, arn), None)


def record(
    account: str,
    arn: str,
    namespace: str,
    when: datetime,
    region: str,
    actions: dict[str, tuple[datetime, str]] | None = None,
) -> None:
    """Scenario data: the entity used ``namespace`` last at ``when`` in ``region``."""
    USAGE.setdefault((account, arn), {})[namespace] = ServiceUse(
        namespace, when, region, dict(actions or {})
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _entity_documents(backend: IAMBackend, arn: str) -> list[dict]:
    """Policy documents of the role, user, group or policy named by ``arn``."""
    for role in backend.roles.values():
        if role.arn == arn:
            docs = [_default_document(p) for p in role.managed_policies.values()]
            docs += [
                json.loads(unquote(d)) if isinstance(d, str) else d for d in role.policies.values()
            ]
            return docs
    for user in backend.users.values():
        if user.arn == arn:
            return [_default_document(p) for p in user.managed_policies.values()]
    for group in backend.groups.values():
        if group.arn == arn:
            return [_default_document(p) for p in group.managed_policies.values()]
    if arn in backend.managed_policies:
        return [_default_document(backend.managed_policies[arn])]
    raise NotFoundException(f"The entity with ARN {arn} cannot be found.")


def _default_document(policy) -> dict:
    for version in policy.versions:
        if version.is_default:
            try:
                return json.loads(version.document)
            except (TypeError, ValueError):
                return {}
    return {}


def generate(backend: IAMBackend, arn: str, granularity: str | None) -> str:
    granularity = granularity or "SERVICE_LEVEL"
    if granularity not in GRANULARITIES:
        raise InvalidInput(f"Invalid granularity: {granularity}")
    _entity_documents(backend, arn)  # NoSuchEntity for an unknown entity
    job = Job(str(uuid.uuid4()), arn, granularity, _now())
    JOBS[(backend.account_id, job.job_id)] = job
    return job.job_id


def get(backend: IAMBackend, job_id: str, max_items: int | None, marker: str | None) -> dict:
    job = JOBS.get((backend.account_id, job_id or ""))
    if job is None:
        raise NotFoundException(f"The job with ID {job_id} cannot be found.")
    job.gets += 1
    answer: dict = {
        "JobStatus": "IN_PROGRESS",
        "JobType": job.granularity,
        "JobCreationDate": job.created,
        "ServicesLastAccessed": [],
    }
    if job.gets == 1:
        return answer
    if job.completed is None:
        job.completed = _now()
        job.services = _report(backend, job)
    max_items = int(max_items or 100)
    if not 1 <= max_items <= 1000:
        raise InvalidInput("MaxItems must be between 1 and 1000.")
    try:
        start = int(marker) if marker else 0
    except ValueError:
        raise InvalidInput(f"Invalid Marker: {marker}") from None
    page = job.services[start : start + max_items]
    answer.update(
        JobStatus="COMPLETED",
        JobCompletionDate=job.completed,
        ServicesLastAccessed=page,
        IsTruncated=start + max_items < len(job.services),
    )
    if answer["IsTruncated"]:
        answer["Marker"] = str(start + max_items)
    return answer


def _report(backend: IAMBackend, job: Job) -> list[dict]:
    try:
        documents = _entity_documents(backend, job.arn)
    except NotFoundException:
        documents = []  # the entity went away after the job started
    used = USAGE.get((backend.account_id, job.arn), {})
    namespaces = set(used)
    for document in documents:
        namespaces.update(policies.namespaces(document))
    entries = []
    for namespace in sorted(namespaces):
        use = used.get(namespace)
        entry: dict = {
            "ServiceName": policies.SERVICE_NAMES.get(namespace, namespace),
            "ServiceNamespace": namespace,
            "TotalAuthenticatedEntities": 1 if use else 0,
        }
        if use:
            entry.update(
                LastAuthenticated=use.when,
                LastAuthenticatedEntity=job.arn,
                LastAuthenticatedRegion=use.region,
            )
        if job.granularity == "ACTION_LEVEL" and namespace in policies.ACTION_TRACKED_NAMESPACES:
            entry["TrackedActionsLastAccessed"] = _actions(documents, namespace, use, job.arn)
        entries.append(entry)
    return entries


def _actions(documents: list[dict], namespace: str, use: ServiceUse | None, arn: str) -> list[dict]:
    names: set[str] = set(use.actions) if use else set()
    for document in documents:
        names.update(policies.concrete_actions(document, namespace))
    tracked = []
    for name in sorted(names):
        item: dict = {"ActionName": name}
        if use and name in use.actions:
            when, region = use.actions[name]
            item.update(LastAccessedEntity=arn, LastAccessedTime=when, LastAccessedRegion=region)
        tracked.append(item)
    return tracked
