"""Name the operation of a REST call from botocore's service model.

Query calls (IAM, EC2, RDS...) name their operation in ``Action`` and JSON calls (ECS,
Config...) in ``X-Amz-Target``; REST services (EKS, GuardDuty, Security Hub, IAM
Access Analyzer) name it only through the HTTP method and the path, as each
operation's ``http.requestUri`` in the model gives it.  Without this the call counter
and the faults would see ``eks:Unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import botocore.session

# SigV4 signing names whose botocore model is called something else (the catalogue's
# services declare theirs in emulator/linked/).
MODEL_NAMES = {"access-analyzer": "accessanalyzer"}
# Signing names whose IAM action prefix is something else.
IAM_PREFIXES: dict[str, str] = {}
# Signing names whose IAM action is the HTTP method, not the operation (API Gateway).
METHOD_ACTIONS: set[str] = set()


def _add_catalogue() -> None:
    from . import linked

    for signing_name, (model, prefix) in linked.signing().items():
        MODEL_NAMES.setdefault(signing_name, model)
        if prefix != signing_name:
            IAM_PREFIXES.setdefault(signing_name, prefix)
    METHOD_ACTIONS.update(linked.by_method())


_add_catalogue()
REST_PROTOCOLS = ("rest-json", "rest-xml")
PLACEHOLDER = re.compile(r"\{(?P<name>[^}+]+)(?P<greedy>\+?)\}")


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    path: re.Pattern[str]
    # Fixed query keys in the requestUri ("/tags/{arn}?tagKeys" needs tagKeys).
    query: frozenset[str]
    # Literal characters: among routes that match, the most specific one wins
    # ("/detector/{id}/findings" over "/detector/{id}").
    weight: int


@lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def _route(operation: str, http: dict) -> Route:
    uri, _, fixed_query = http["requestUri"].partition("?")
    pattern, literal, last = "", 0, 0
    for placeholder in PLACEHOLDER.finditer(uri):
        text = uri[last : placeholder.start()]
        pattern += re.escape(text)
        literal += len(text)
        group = ".+" if placeholder["greedy"] else "[^/]+"
        pattern += f"(?P<{_group(placeholder['name'])}>{group})"
        last = placeholder.end()
    pattern += re.escape(uri[last:])
    literal += len(uri) - last
    keys = frozenset(part.split("=", 1)[0] for part in fixed_query.split("&") if part)
    return Route(
        operation,
        http["method"].upper(),
        re.compile(f"{pattern}/?"),
        keys,
        literal + len(keys),
    )


def _group(name: str) -> str:
    # Regex group names must be identifiers; model names are ("Bucket", "resourceArn").
    return re.sub(r"\W", "_", name)


@lru_cache(maxsize=64)
def routes(service: str) -> tuple[Route, ...]:
    """The REST routes of a service by its signing name; empty for non-REST services."""
    try:
        model = _session().get_service_model(MODEL_NAMES.get(service, service))
    except Exception:  # noqa: BLE001 - an unknown service simply has no routes
        return ()
    if model.protocol not in REST_PROTOCOLS:
        return ()
    found = [_route(name, model.operation_model(name).http) for name in model.operation_names]
    return tuple(sorted(found, key=lambda r: -r.weight))


def match(service: str, method: str, raw_path: str, query: dict) -> tuple[str, dict] | None:
    """(operation, path parameters) for a REST call, or None when nothing matches.

    ``raw_path`` is the path as sent (still percent-encoded), so that an ARN in a path
    parameter (``/tags/arn%3Aaws%3A...%2Fname``) stays one segment.
    """
    method = method.upper()
    for route in routes(service):
        if route.method != method or not route.query <= query.keys():
            continue
        found = route.path.fullmatch(raw_path)
        if found:
            return route.operation, {k: unquote(v) for k, v in found.groupdict().items()}
    return None
