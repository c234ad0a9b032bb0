"""Patch to moto's ElastiCache responses: DescribeServerlessCaches, which moto lacks.

rolecall reads serverless caches beside cache clusters and replication groups
(docs/readiness.md, ElastiCache).  The emulator does not model serverless caches, so
every Region answers an empty list instead of moto's error for an unknown action.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.elasticache.responses import ElastiCacheResponse


def describe_serverless_caches(self: ElastiCacheResponse) -> ActionResult:
    return ActionResult({"ServerlessCaches": []})


def apply() -> None:
    ElastiCacheResponse.describe_serverless_caches = describe_serverless_caches
