"""Gather one account's snapshot from AWS, concurrently but within bounds.

Three bounded pools per account: regions (ECS, and every other service whose
resources block its role, roles/aws/blockers.py), per-cluster ECS listings, and
IAM (which throttles hardest). A region that fails is reported with its error and
does not stop the others; an account-level failure (AssumeRole, region list,
ListRoles) raises AwsError.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from roles.aws import iam, service_reads
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.aws.inventory import FULL, EcsReader, RegionInventory
from roles.aws.session import CallCounter, Target


@dataclass
class Limits:
    regions: int
    ecs: int
    iam: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            regions=settings.ROLECALL_SYNC_REGION_CONCURRENCY,
            ecs=settings.ROLECALL_SYNC_ECS_CONCURRENCY,
            iam=settings.ROLECALL_SYNC_IAM_CONCURRENCY,
        )


@dataclass
class RoleSnapshot:
    detail: iam.RoleDetail | None
    policies: list[iam.AttachedPolicy] = field(default_factory=list)
    advisor: list[iam.AdvisorService] | None = None
    advisor_error: dict = field(default_factory=dict)
    error: dict = field(default_factory=dict)
    summary: iam.RoleSummary | None = None


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


def _role(client, summary: iam.RoleSummary) -> tuple[RoleSnapshot, str | None]:
    snapshot = RoleSnapshot(detail=None, summary=summary)
    try:
        snapshot.detail = iam.get_role(client, summary.name)
        snapshot.policies = iam.attached_policies(client, summary.name)
    except AwsError as exc:
        snapshot.error = exc.as_dict()
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
        EcsReader(
            aws,
            depth=FULL,
            region_threads=limits.regions,
            cluster_threads=limits.ecs,
            region_thread_name="sync-region",
            cluster_thread_name="sync-ecs",
        ) as ecs_reader,
        ThreadPoolExecutor(limits.iam, thread_name_prefix="sync-iam") as iam_pool,
    ):
        ecs_reader.start(regions)
        summaries = iam.list_service_linked_roles(iam_client)
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
