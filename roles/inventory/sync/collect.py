"""Gather one account's snapshot from AWS, concurrently but within bounds.

Three bounded pools per account: regions (ECS, and every other service whose
resources block its role, roles/aws/blockers.py), per-cluster ECS listings, and
IAM (which throttles hardest). A region that fails is reported with its error and
does not stop the others; an account-level failure (AssumeRole, region list,
ListRoles) raises AwsError.

Attached policies cost one ListPolicies per account (each AWS managed policy's
DefaultVersionId), GetPolicy only for a policy it does not list, and GetPolicyVersion
only for a (policy ARN, version) no sync has stored yet (roles/inventory/policies.py);
docs/sync.md gives each call's rule.
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from roles.aws import iam, service_reads
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.aws.inventory import CLUSTERS, EcsReader, RegionInventory
from roles.aws.session import CallCounter, Target
from roles.inventory.policies import ManagedPolicyVersion

log = logging.getLogger(__name__)


@dataclass
class Limits:
    regions: int
    iam: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            regions=settings.ROLECALL_SYNC_REGION_CONCURRENCY,
            iam=settings.ROLECALL_SYNC_IAM_CONCURRENCY,
        )


@dataclass
class RoleSnapshot:
    detail: iam.RoleDetail | None
    # None when they could not be read (`error` says why): the stored ones stay.
    policies: list[iam.AttachedPolicy] | None = field(default_factory=list)
    advisor: list[iam.AdvisorService] | None = None
    advisor_error: dict = field(default_factory=dict)
    error: dict = field(default_factory=dict)
    summary: iam.RoleSummary | None = None
    # (ARN, name) of each attached managed policy, as ListAttachedRolePolicies lists them.
    attached: list[tuple[str, str]] = field(default_factory=list)


# One region's clusters (with their services and instances), or None and its error.
RegionSnapshot = RegionInventory


@dataclass
class AccountSnapshot:
    regions: list[str]
    roles: list[RoleSnapshot]
    region_results: list[RegionSnapshot]
    calls: int
    # Every other read service's resources, per region (roles/aws/service_reads.py).
    service_results: list[service_reads.ServiceRead] = field(default_factory=list)


class _Advisor:
    """Access Advisor jobs: started with each role, polled until all complete."""

    def __init__(self, client, pool: ThreadPoolExecutor) -> None:
        self.client, self.pool = client, pool

    def finish(self, snapshots: list[RoleSnapshot], jobs: dict[int, str]) -> None:
        deadline = time.monotonic() + settings.ROLECALL_ADVISOR_TIMEOUT
        delay = settings.ROLECALL_ADVISOR_POLL_SECONDS
        pending = dict(jobs)
        while pending:
            futures = {
                i: self.pool.submit(iam.get_last_accessed_job, self.client, job)
                for i, job in pending.items()
            }
            for index, future in futures.items():
                try:
                    result = future.result()
                except AwsError as exc:
                    snapshots[index].advisor_error = exc.as_dict()
                    pending.pop(index)
                    continue
                if result.status == "COMPLETED":
                    snapshots[index].advisor = result.services
                    pending.pop(index)
                elif result.status == "FAILED":
                    snapshots[index].advisor_error = {"code": "JobFailed", "message": result.error}
                    pending.pop(index)
            if pending and time.monotonic() + delay > deadline:
                for index in pending:
                    snapshots[index].advisor_error = {
                        "code": "Timeout",
                        "message": "Access Advisor job did not complete in time",
                    }
                return
            if pending:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)


# How long a sync may hold a policy version it claimed before another reads it instead:
# beyond one GetPolicyVersion with its retries.
CLAIM_SECONDS = 60


class _Policies:
    """The attached policies' documents, at the fewest calls: each policy's default version
    from the account's one ListPolicies (started with the roles; GetPolicy for any policy
    it does not list), each version's document from the database, and GetPolicyVersion
    only for a version no sync has stored. A failed read is the error of every role the
    policy is attached to, as any other failed read of the role."""

    def __init__(self, client, pool: ThreadPoolExecutor) -> None:
        self.client, self.pool = client, pool
        self.listed: Future = pool.submit(iam.attached_aws_policy_versions, client)

    def _versions(self, arns: set[str], errors: dict[str, dict]) -> dict[str, str]:
        try:
            versions = self.listed.result()
        except AwsError as exc:  # e.g. no iam:ListPolicies: GetPolicy for each, as before
            log.warning("ListPolicies failed (%s), reading each policy with GetPolicy", exc.code)
            versions = {}
        found = {arn: versions[arn] for arn in arns if arn in versions}
        rest = {
            arn: self.pool.submit(iam.default_version_id, self.client, arn)
            for arn in sorted(arns - found.keys())
        }
        for arn, future in rest.items():
            try:
                found[arn] = future.result()
            except AwsError as exc:
                errors[arn] = exc.as_dict()
        return found

    def _fetch(self, pairs, errors: dict[str, dict]) -> dict:
        futures = {
            pair: self.pool.submit(iam.policy_document, self.client, *pair)
            for pair in sorted(pairs)
        }
        read = {}
        for (arn, version_id), future in futures.items():
            try:
                read[arn, version_id] = future.result()
            except AwsError as exc:
                errors[arn] = exc.as_dict()
        return read

    def read(self, snapshots: list[RoleSnapshot]) -> None:
        arns = {arn for snap in snapshots if not snap.error for arn, _ in snap.attached}
        errors: dict[str, dict] = {}
        versions = self._versions(arns, errors)
        stored = ManagedPolicyVersion.objects
        documents = stored.documents(versions.items())
        unread = set(versions.items()) - documents.keys()
        # Syncs of other accounts may want the same versions now: each is read by the
        # one sync that claims it; the others take its document from the database.
        token = uuid.uuid4().hex
        mine = stored.claim(unread, token, CLAIM_SECONDS)
        read = self._fetch(mine, errors)
        stored.remember(read)
        stored.release(mine - read.keys(), token)
        documents |= read
        theirs = unread - mine
        if theirs:
            documents |= stored.wait_for(theirs, CLAIM_SECONDS)
            # A claim that lapsed unfilled (its sync failed to read it): read it here.
            late = self._fetch(theirs - documents.keys(), errors)
            stored.remember(late)
            documents |= late
        for snap in snapshots:
            if snap.error:
                continue
            failed = [errors[arn] for arn, _ in snap.attached if arn in errors]
            if failed:
                snap.error, snap.policies = failed[0], None
                continue
            snap.policies = [
                iam.AttachedPolicy(arn, name, versions[arn], documents[arn, versions[arn]])
                for arn, name in snap.attached
            ]


def _role(client, summary: iam.RoleSummary) -> tuple[RoleSnapshot, str | None]:
    snapshot = RoleSnapshot(detail=None, summary=summary)
    try:
        snapshot.detail = iam.get_role(client, summary.name)
        snapshot.attached = iam.attached_policy_names(client, summary.name)
    except AwsError as exc:
        snapshot.error, snapshot.policies = exc.as_dict(), None
        return snapshot, None
    try:
        return snapshot, iam.start_last_accessed_job(client, summary.arn)
    except AwsError as exc:
        snapshot.advisor_error = exc.as_dict()
        return snapshot, None


def collect(
    target: Target,
    regions: list[str],
    limits: Limits | None = None,
    counter: CallCounter | None = None,
) -> AccountSnapshot:
    limits = limits or Limits.from_settings()
    aws = AccountAws.for_target(target, regions, counter=counter)
    regions = aws.regions()
    iam_client = aws.iam()
    with (
        # Clusters with their counts (DescribeClusters statistics): what the verdict
        # and the role page use. Services and instances are read when someone opens
        # them (roles/inventory/views/resources.py), and by cleanup planning (docs/scale.md).
        EcsReader(
            aws,
            depth=CLUSTERS,
            region_threads=limits.regions,
            region_thread_name="sync-region",
        ) as ecs_reader,
        ThreadPoolExecutor(limits.iam, thread_name_prefix="sync-iam") as iam_pool,
    ):
        ecs_reader.start(regions)
        summaries = iam.list_service_linked_roles(iam_client)
        policies = _Policies(iam_client, iam_pool) if summaries else None
        # What blocks each listed role's service, in the same region pool as ECS.
        service_futures = [
            ecs_reader.submit(service_reads.read_region, aws, principal, region)
            for principal, region in service_reads.jobs(
                [s.service_principal for s in summaries], regions
            )
        ]
        role_futures = [iam_pool.submit(_role, iam_client, s) for s in summaries]
        snapshots, jobs = [], {}
        for index, future in enumerate(role_futures):
            snapshot, job = future.result()
            snapshots.append(snapshot)
            if job:
                jobs[index] = job
        if policies:
            policies.read(snapshots)
        _Advisor(iam_client, iam_pool).finish(snapshots, jobs)
        region_results = ecs_reader.results()
        service_results = [f.result() for f in service_futures]
    return AccountSnapshot(
        regions=list(regions),
        roles=snapshots,
        region_results=region_results,
        calls=aws.calls,
        service_results=service_results,
    )
