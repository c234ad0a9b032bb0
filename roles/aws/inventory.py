"""The one reader of an account's ECS estate, every region in parallel.

Used by the sync (roles/inventory/sync/collect.py), cleanup planning
(roles/cleanup/plan.py) and the deletion's fresh evidence
(roles/deletion/evidence.py). Each asks for the depth it needs:

- CLUSTERS: per region ListClusters and DescribeClusters;
- FULL: those, then the services and container instances of every cluster
  that is not INACTIVE (roles/aws/ecs.py region_inventory).

A region whose read fails is returned with its error and does not stop the
others; a caller that cannot go on without every region asks results() to
raise the first failure instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from roles.aws import ecs
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError

CLUSTERS = "clusters"
FULL = "full"


@dataclass
class RegionInventory:
    """One region's clusters, or None with the error (AwsError.as_dict()) that stopped it."""

    region: str
    clusters: list[ecs.Cluster] | None
    error: dict = field(default_factory=dict)
    failure: AwsError | None = field(default=None, repr=False, compare=False)


def _inline(jobs):
    return [job() for job in jobs]


def _region(aws: AccountAws, region: str, depth: str, run) -> RegionInventory:
    try:
        client = aws.ecs(region)
        if depth == FULL:
            clusters = ecs.region_inventory(client, run=run)
        else:
            clusters = ecs.list_clusters(client)
    except AwsError as exc:
        return RegionInventory(region, None, exc.as_dict(), exc)
    return RegionInventory(region, clusters)


class EcsReader:
    """Reads regions in a bounded pool; with cluster_threads, the per-cluster
    listings of FULL overlap in a second bounded pool shared by all regions
    (otherwise each region lists its clusters one after the other).

        with EcsReader(aws, depth=FULL, region_threads=4) as reader:
            reader.start(aws.regions())
            ...  # other work while the regions are read
            regions = reader.results()
    """

    def __init__(
        self,
        aws: AccountAws,
        *,
        depth: str = FULL,
        region_threads: int,
        cluster_threads: int = 0,
        region_thread_name: str = "",
        cluster_thread_name: str = "",
    ) -> None:
        if depth not in (CLUSTERS, FULL):
            raise ValueError(f"unknown ECS inventory depth {depth!r}")
        self.aws, self.depth = aws, depth
        self._sizes = (region_threads, cluster_threads)
        self._names = (region_thread_name, cluster_thread_name)
        self._stack = ExitStack()
        self._region_pool: ThreadPoolExecutor | None = None
        self._cluster_pool: ThreadPoolExecutor | None = None
        self._futures: list[Future] = []

    def __enter__(self) -> EcsReader:
        # Entered regions first, so on the way out the cluster pool shuts down first.
        self._region_pool = self._stack.enter_context(
            ThreadPoolExecutor(self._sizes[0], thread_name_prefix=self._names[0])
        )
        if self._sizes[1]:
            self._cluster_pool = self._stack.enter_context(
                ThreadPoolExecutor(self._sizes[1], thread_name_prefix=self._names[1])
            )
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.__exit__(*exc_info)

    def _run(self, jobs):
        if self._cluster_pool is None:
            return _inline(jobs)
        futures = [self._cluster_pool.submit(job) for job in jobs]
        return [f.result() for f in futures]

    def start(self, regions: Sequence[str]) -> None:
        """Start reading `regions`; results() returns them in this order."""
        self._futures += [
            self._region_pool.submit(_region, self.aws, region, self.depth, self._run)
            for region in regions
        ]

    def submit(self, fn, *args) -> Future:
        """Run other per-region work (roles/aws/blockers.py) in the same bounded region pool."""
        return self._region_pool.submit(fn, *args)

    def results(self, *, raise_failure: bool = False) -> list[RegionInventory]:
        """Every started region, waiting for each in order.

        raise_failure: raise the first failed region's AwsError (in start order)
        and cancel the regions not yet begun, as Executor.map does.
        """
        done = []
        for index, future in enumerate(self._futures):
            try:
                item = future.result()
                if raise_failure and item.failure is not None:
                    raise item.failure
            except BaseException:
                for rest in self._futures[index + 1 :]:
                    rest.cancel()
                raise
            done.append(item)
        return done


def read_ecs(
    aws: AccountAws,
    regions: Sequence[str],
    *,
    depth: str = FULL,
    region_threads: int,
    raise_failure: bool = False,
    region_thread_name: str = "",
) -> list[RegionInventory]:
    """Read `regions` of the account and return them in that order (see EcsReader)."""
    with EcsReader(
        aws, depth=depth, region_threads=region_threads, region_thread_name=region_thread_name
    ) as reader:
        reader.start(regions)
        return reader.results(raise_failure=raise_failure)
