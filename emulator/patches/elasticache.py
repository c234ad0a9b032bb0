"""Patches to moto's ElastiCache: serverless caches, and deletions that finish.

- rolecall reads serverless caches beside cache clusters and replication groups
  (docs/readiness.md, ElastiCache).  moto has none: the emulator keeps each Region's
  serverless caches on moto's ElastiCache backend (a reset forgets them) and serves
  Create, Describe (``MaxResults``/``NextToken``) and Delete.  A deleted one is gone at
  once, as below.  The deletion check (``usage.elasticache``) counts them.
- moto marks a deleted cache cluster or replication group ``deleting`` and keeps it
  listed forever, so its service-linked role could never become free.  AWS lists it as
  ``deleting`` for a few minutes, then it is gone: here it is gone as soon as the
  delete call has answered (with status ``deleting``, as AWS does).
"""

from __future__ import annotations

from functools import wraps

from moto.core.responses import ActionResult
from moto.elasticache.exceptions import ElastiCacheException
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

_ORIGINALS: dict[str, object] = {}
PAGE = 50  # DescribeServerlessCaches' MaxResults: "The default is 50"


class ServerlessCacheNotFoundFault(ElastiCacheException):
    code = "ServerlessCacheNotFoundFault"

    def __init__(self, name: str):
        super().__init__(f"Serverless cache {name} not found.")


def serverless_caches(backend: ElastiCacheBackend) -> dict[str, dict]:
    """The Region's serverless caches, by name, as DescribeServerlessCaches lists them."""
    if not hasattr(backend, "serverless_caches"):
        backend.serverless_caches = {}
    return backend.serverless_caches


def create_serverless(backend: ElastiCacheBackend, name: str, engine: str = "valkey") -> dict:
    cache = {
        "ServerlessCacheName": name,
        "ARN": f"arn:aws:elasticache:{backend.region_name}:{backend.account_id}:"
        f"serverlesscache:{name}",
        "Status": "available",
        "Engine": engine,
    }
    serverless_caches(backend)[name] = cache
    return cache


def create_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
    cache = create_serverless(
        self.elasticache_backend,
        self._get_param("ServerlessCacheName"),
        self._get_param("Engine") or "valkey",
    )
    return ActionResult({"ServerlessCache": cache | {"Status": "creating"}})


def describe_serverless_caches(self: ElastiCacheResponse) -> ActionResult:
    caches = serverless_caches(self.elasticache_backend)
    name = self._get_param("ServerlessCacheName")
    if name:
        if name not in caches:
            raise ServerlessCacheNotFoundFault(name)
        return ActionResult({"ServerlessCaches": [caches[name]]})
    every = [caches[n] for n in sorted(caches)]
    size = int(self._get_param("MaxResults") or PAGE)
    start = int(self._get_param("NextToken") or 0)
    answer: dict = {"ServerlessCaches": every[start : start + size]}
    if start + size < len(every):
        answer["NextToken"] = str(start + size)
    return ActionResult(answer)


def delete_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
    name = self._get_param("ServerlessCacheName")
    cache = serverless_caches(self.elasticache_backend).pop(name, None)
    if cache is None:
        raise ServerlessCacheNotFoundFault(name)
    return ActionResult({"ServerlessCache": cache | {"Status": "deleting"}})


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
    for handler in (create_serverless_cache, describe_serverless_caches, delete_serverless_cache):
        setattr(ElastiCacheResponse, handler.__name__, handler)
    for name, wrap in (
        ("delete_cache_cluster", _delete_cache_cluster),
        ("delete_replication_group", _delete_replication_group),
    ):
        _ORIGINALS[name] = getattr(ElastiCacheBackend, name)
        setattr(ElastiCacheBackend, name, wrap(_ORIGINALS[name]))
