"""The catalogue's linked services, one module per service: which roles it creates and
what holds them, as the emulator models it.

Each module gives:

- ``ROLES``: ``(principal, role name)`` for each of its service-linked roles, the names
  as the service's guide writes them (``policies.CATALOGUE`` adds them; the emulator
  attaches no managed policy to these, docs/readiness.md "Emulator fidelity");
- ``CHECKS``: principal -> ``check(task)``, the usage a deletion task of that role
  fails with (``[{"Region", "Resources"}]``), read from moto's backends (or the
  emulator's own store where moto has none);
- optionally ``UNDELETABLE``: principals whose role AWS does not allow deleting at all;
- optionally ``SIGNING``: SigV4 signing name -> ``(botocore model name, IAM action
  prefix)`` where either differs from the signing name (``"es": ("opensearch", "es")``),
  so that the emulator names the call's operation and action as AWS does;
- optionally ``BY_METHOD``: signing names whose IAM actions are the call's HTTP method
  (API Gateway's management calls are all ``apigateway:GET``, ``apigateway:POST``...).

``usage.CHECKS`` adds them to its own. Functions run under ``state.LOCK``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable


def per_region(backends, account: str, arns: Callable[[object], Iterable[str]]) -> list[dict]:
    """One usage entry per region of ``account`` where ``arns(backend)`` finds anything."""
    usage = []
    for region, backend in sorted(backends[account].items()):
        found = sorted(arns(backend))
        if found:
            usage.append({"Region": region, "Resources": found})
    return usage


def merge(*usages: list[dict]) -> list[dict]:
    """Several resource kinds of one service as one list: one entry per region."""
    regions: dict[str, list[str]] = {}
    for usage in usages:
        for entry in usage:
            regions.setdefault(entry["Region"], []).extend(entry["Resources"])
    return [{"Region": r, "Resources": sorted(arns)} for r, arns in sorted(regions.items())]


def modules() -> list:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]


def roles() -> list[tuple[str, str]]:
    return [role for module in modules() for role in module.ROLES]


def checks() -> dict[str, Callable]:
    found: dict[str, Callable] = {}
    for module in modules():
        for principal, check in module.CHECKS.items():
            if principal in found:
                raise ValueError(f"{principal} is checked twice ({module.__name__})")
            found[principal] = check
    return found


def signing() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for module in modules():
        found.update(getattr(module, "SIGNING", {}))
    return found


def undeletable() -> set[str]:
    return {p for module in modules() for p in getattr(module, "UNDELETABLE", ())}


def by_method() -> set[str]:
    return {name for module in modules() for name in getattr(module, "BY_METHOD", ())}
