"""Patches to moto's ElastiCache: DescribeServerlessCaches, and deletions that finish.

- rolecall reads serverless caches beside cache clusters and replication groups
  (docs/readiness.md, ElastiCache).  moto has no DescribeServerlessCaches and the
  emulator does not model serverless caches, so every Region answers an empty list.
- moto marks a deleted cache cluster or replication group ``deleting`` and keeps it
  listed forever, so its service-linked role could never become free.  AWS lists it as
  ``deleting`` for a few minutes, then it is gone: here it is gone as soon as the
  delete call has answered (with status ``deleting``, as AWS does).
"""

from __future__ import annotations

from functools import wraps

from moto.core.responses import ActionResult
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

_ORIGINALS: dict[str, object] = {}


def describe_serverless_caches(self: ElastiCacheResponse) -> ActionResult:
    return ActionResult({"ServerlessCaches": []})


def _delete_cache_cluster(original):
    @wraps(original)
    def delete(self: ElastiCacheBackend, cache_cluster_id: str):
        cluster = original(self, cache_cluster_id)  # status "deleting", for the answer
        self.cache_clusters.pop(cache_cluster_id, None)
        return cluster

    return delete


def _delete_replication_group(original):
    @wraps(original)
    def delete(self: ElastiCacheBackend, replication_group_id: str, *args, **kwargs):
        group = original(self, replication_group_id, *args, **kwargs)
        self.replication_groups.pop(replication_group_id, None)
        return group

    return delete


def apply() -> None:
    if "delete_cache_cluster" in _ORIGINALS:
        return
    ElastiCacheResponse.describe_serverless_caches = describe_serverless_caches
    for name, wrap in (
        ("delete_cache_cluster", _delete_cache_cluster),
        ("delete_replication_group", _delete_replication_group),
    ):
        _ORIGINALS[name] = getattr(ElastiCacheBackend, name)
        setattr(ElastiCacheBackend, name, wrap(_ORIGINALS[name]))
