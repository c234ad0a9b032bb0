"""Reading what blocks each service's role across an account's regions: for the sync
(roles/inventory/sync/collect.py, one read per service and region in its region pool) and for
the deletion's fresh evidence (roles/deletion/evidence.py, one role, every region)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from roles.aws.blockers import READERS, STATES, Resource, read, regions_for, uses
from roles.aws.errors import AwsError


@dataclass
class ServiceRead:
    """One service's resources in one region, or None with the error that stopped it."""

    principal: str
    region: str
    resources: list[Resource] | None
    error: dict = field(default_factory=dict)
    failure: AwsError | None = field(default=None, repr=False, compare=False)


def read_region(aws, principal: str, region: str) -> ServiceRead:
    """aws: the account's AccountAws. A region that fails does not stop the others."""
    try:
        found = read(READERS[principal], aws.client, region, aws.target.account_id)
    except AwsError as exc:
        return ServiceRead(principal, region, None, exc.as_dict(), exc)
    except Exception as exc:  # noqa: BLE001 - an answer it cannot read fails this read only
        failure = AwsError(type(exc).__name__, str(exc), operation=principal)
        return ServiceRead(principal, region, None, failure.as_dict(), failure)
    return ServiceRead(principal, region, found)


def jobs(principals: Sequence[str], regions: Sequence[str]) -> list[tuple[str, str]]:
    """(principal, region) for every read the principals need, in a stable order."""
    return [
        (principal, region)
        for principal in sorted(set(principals))
        if principal in READERS
        for region in regions_for(READERS[principal], list(regions))
    ]


def read_role(aws, principal: str, role_arn: str, *, threads: int) -> list[dict]:
    """What blocks one role now, as RoleUsageList (regions and ARNs sorted); any region
    that cannot be read raises its AwsError. For the deletion's fresh evidence."""
    reader = READERS[principal]
    with ThreadPoolExecutor(threads, thread_name_prefix="evidence-blockers") as pool:
        reads = list(pool.map(lambda job: read_region(aws, *job), jobs([principal], aws.regions())))
    usage = []
    for item in sorted(reads, key=lambda r: r.region):
        if item.failure is not None:
            raise item.failure
        arns = sorted(
            r.arn
            for r in item.resources
            if r.kind not in STATES and (not reader.per_role or uses(r.role_arn, role_arn))
        )
        if arns:
            usage.append({"Region": item.region, "Resources": arns})
    return usage
