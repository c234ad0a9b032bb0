"""The control endpoint, ``/_emulator/...`` on the emulator's port (JSON in and out).

Tests and benchmarks use it to reset state to a scenario, add latency and faults,
tune deletion timing, read the AWS call counter and set RoleLastUsed (AWS has no
API for that).  ``emulator.testing.EmulatorControl`` is the client.

``refusal`` guards every request the emulator serves: a web page the user visits
can make the browser POST to 127.0.0.1 (a ``text/plain`` or form POST needs no
CORS preflight), and a DNS-rebound name can reach it as its own origin.  So a
request is refused unless its Host is the emulator's own address, any Origin it
carries is too, and a POST to the control endpoint or to moto's ``/moto-api/``
is ``application/json``, which a cross-site page cannot send without a
preflight the emulator never answers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from . import deletion, regions, scenarios, trusted_advisor
from .enforce import TRAIL
from .faults import FAULTS, FaultError
from .patches.iam import publish_version
from .scenarios.common import iam
from .state import HUB_ACCOUNT, LOCK, RUN, Latency

PREFIX = "/_emulator"
MOTO_API = "/moto-api"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _number(body: dict, key: str, minimum: float = 0) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ControlError(400, f'"{key}" must be a number >= {minimum}')
    return value


def _own_hosts(environ: dict) -> set[str]:
    port = environ.get("SERVER_PORT", "")
    bound = environ.get("SERVER_NAME", "")
    if ":" in bound and not bound.startswith("["):
        bound = f"[{bound}]"  # an IPv6 address as it appears in a Host header
    return {f"{name}:{port}".lower() for name in (*LOCAL_NAMES, bound) if name}


def is_control_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in (PREFIX, MOTO_API))


def refusal(environ: dict) -> str | None:
    """Why this request must not be served, or None (see the module docstring)."""
    own = _own_hosts(environ)
    host = environ.get("HTTP_HOST", "").strip().lower()
    if host not in own:
        return f"Host {host or '(none)'!r} is not this emulator's address"
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        scheme, _, rest = origin.strip().lower().partition("://")
        if scheme != "http" or rest not in own:
            return f"Origin {origin!r} is not this emulator's own"
    if environ.get("REQUEST_METHOD") == "POST" and is_control_path(environ.get("PATH_INFO", "")):
        content_type = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            return "control requests must be sent as Content-Type: application/json"
    return None


def refuse(message: str, start_response) -> list[bytes]:
    body = json.dumps({"error": message}).encode("utf-8")
    start_response(
        "403 Forbidden",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def reset_everything(name: str, params: dict | None = None) -> float:
    """Rebuild every account from a scenario and return all knobs to their defaults."""
    try:
        seconds = scenarios.load(name, params)
    except scenarios.ScenarioError as error:
        raise ControlError(400, str(error)) from None
    FAULTS.clear()
    RUN.latency = Latency(base_ms=RUN.default_latency_ms)
    RUN.enforce_iam = RUN.default_enforce_iam
    RUN.calls.reset()
    RUN.params, RUN.writes = dict(params or {}), 0
    TRAIL.clear()
    return seconds


def health(body: dict) -> dict:
    return {"ok": True, "scenario": RUN.scenario}


def reset(body: dict) -> dict:
    name = body.get("scenario", RUN.scenario)
    params = body.get("params") or {}
    if not isinstance(name, str) or not isinstance(params, dict):
        raise ControlError(400, '"scenario" must be a string and "params" an object')
    seconds = reset_everything(name, params)
    return {"ok": True, "scenario": name, "build_seconds": round(seconds, 3)}


def set_latency(body: dict) -> dict:
    base = _number(body, "ms")
    regions = body.get("regions")
    if regions is not None:
        if not isinstance(regions, dict):
            raise ControlError(400, '"regions" must map region names to milliseconds')
        for region in regions:
            _number(regions, region)
    RUN.latency = Latency(
        base_ms=RUN.latency.base_ms if base is None else float(base),
        regions=RUN.latency.regions
        if regions is None
        else {r: float(ms) for r, ms in regions.items()},
    )
    return RUN.latency.as_dict()


def get_latency(body: dict) -> dict:
    return RUN.latency.as_dict()


def add_faults(body: dict) -> dict:
    specs = body.get("faults")
    if not isinstance(specs, list):
        raise ControlError(400, '"faults" must be a list of fault objects')
    try:
        added = FAULTS.add(specs)
    except FaultError as error:
        raise ControlError(400, str(error)) from None
    return {"added": added, "faults": FAULTS.listing()}


def list_faults(body: dict) -> dict:
    return {"faults": FAULTS.listing()}


def clear_faults(body: dict) -> dict:
    FAULTS.clear()
    return {"faults": []}


def set_deletion(body: dict) -> dict:
    unknown = set(body) - {"mode", "seconds", "polls", "partial_usage", "forget_task_on_success"}
    if unknown:
        raise ControlError(400, f"unknown deletion setting(s): {', '.join(sorted(unknown))}")
    mode = body.get("mode")
    if mode is not None and mode not in ("seconds", "polls"):
        raise ControlError(400, '"mode" must be "seconds" or "polls"')
    seconds = _number(body, "seconds")
    polls = body.get("polls")
    if polls is not None and (not isinstance(polls, int) or isinstance(polls, bool) or polls < 0):
        raise ControlError(400, '"polls" must be an integer >= 0')
    flags = {}
    for key in ("partial_usage", "forget_task_on_success"):
        if key in body:
            if not isinstance(body[key], bool):
                raise ControlError(400, f'"{key}" must be true or false')
            flags[key] = body[key]
    with LOCK:
        config = deletion.configure(mode=mode, seconds=seconds, polls=polls, **flags)
    return config.as_dict()


def get_deletion(body: dict) -> dict:
    return deletion.CONFIG.as_dict()


def set_enforce(body: dict) -> dict:
    enabled = body.get("enabled")
    if not isinstance(enabled, bool):
        raise ControlError(400, '"enabled" must be true or false')
    RUN.enforce_iam = enabled
    return get_enforce(body)


def get_enforce(body: dict) -> dict:
    return {"enabled": RUN.enforce_iam}


def state(body: dict) -> dict:
    """Everything that decides what a read answers, in one object: the scenario and its
    parameters, the knobs, how many calls since the reset may have changed an account,
    and the "now" its dates count back from. Two states equal but for "now" answer
    every read alike, each date moved by the difference (the test suite's sync
    snapshots rely on it: tests/support/sync.py)."""
    return {
        "scenario": RUN.scenario,
        "params": RUN.params,
        "writes": RUN.writes,
        "latency": RUN.latency.as_dict(),
        "faults": FAULTS.listing(),
        "enforce_iam": RUN.enforce_iam,
        "deletion": deletion.CONFIG.as_dict(),
        "now": RUN.now.isoformat(),
    }


def trail(body: dict) -> dict:
    match = {key: body.get(key, "") for key in ("operation", "account", "source_identity")}
    if not all(isinstance(value, str) for value in match.values()):
        raise ControlError(400, '"operation", "account" and "source_identity" must be strings')
    return {"calls": TRAIL.entries(**match)}


def clear_trail(body: dict) -> dict:
    TRAIL.clear()
    return {"ok": True}


def calls(body: dict) -> dict:
    return RUN.calls.snapshot()


def reset_calls(body: dict) -> dict:
    RUN.calls.reset()
    return RUN.calls.snapshot()


def role_last_used(body: dict) -> dict:
    account = body.get("account") or HUB_ACCOUNT
    name = body.get("role_name")
    if not isinstance(name, str) or not name:
        raise ControlError(400, '"role_name" is required')
    raw = body.get("date")
    when = None
    if raw is not None:
        try:
            when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            raise ControlError(400, f'"date" is not an ISO 8601 date-time: {raw}') from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    with LOCK:
        role = next((r for r in iam(str(account)).roles.values() if r.name == name), None)
        if role is None:
            raise ControlError(404, f"role {name} not found in account {account}")
        RUN.writes += 1
        role.last_used = when
        role.last_used_region = (body.get("region") or "us-east-1") if when else None
        return {
            "account": account,
            "role_name": name,
            "date": when.isoformat() if when else None,
            "region": role.last_used_region,
        }


def managed_policy_version(body: dict) -> dict:
    name, document = body.get("policy_name"), body.get("document")
    if not isinstance(name, str) or not name:
        raise ControlError(400, '"policy_name" is required')
    if not isinstance(document, dict) or "Statement" not in document:
        raise ControlError(400, '"document" must be a policy document object with a Statement')
    with LOCK:
        RUN.writes += 1
        try:
            return publish_version(name, document)
        except LookupError as error:
            raise ControlError(404, str(error)) from None


def _account(body: dict) -> str:
    account = body.get("account")
    if not isinstance(account, str) or len(account) != 12 or not account.isdigit():
        raise ControlError(400, '"account" must be a 12-digit account id')
    return account


def set_regions(body: dict) -> dict:
    """The opt-in Regions an account has enabled (AWS: account:EnableRegion, console)."""
    account, opt_in = _account(body), body.get("opted_in")
    if not isinstance(opt_in, list) or not all(isinstance(r, str) for r in opt_in):
        raise ControlError(400, '"opted_in" must be a list of Region names')
    with LOCK:
        try:
            regions.enable(account, opt_in)
        except ValueError as error:
            raise ControlError(400, str(error)) from None
        RUN.writes += 1
        return {"account": account, "opted_in": regions.enabled(account)}


def get_regions(body: dict) -> dict:
    return {"opted_in": {a: sorted(r) for a, r in sorted(regions.ENABLED.items())}}


def set_trusted_advisor(body: dict) -> dict:
    """Trusted Advisor on or off in an account (AWS: its console's Preferences only)."""
    account, enabled = _account(body), body.get("enabled")
    if not isinstance(enabled, bool):
        raise ControlError(400, '"enabled" must be true or false')
    with LOCK:
        trusted_advisor.set_enabled(account, enabled)
        RUN.writes += 1
    return {"account": account, "enabled": enabled}


def get_trusted_advisor(body: dict) -> dict:
    return {"disabled": sorted(trusted_advisor.DISABLED)}


ROUTES = {
    "/health": {"GET": health},
    "/state": {"GET": state},
    "/reset": {"POST": reset},
    "/latency": {"POST": set_latency, "GET": get_latency},
    "/faults": {"POST": add_faults, "GET": list_faults, "DELETE": clear_faults},
    "/deletion": {"POST": set_deletion, "GET": get_deletion},
    "/calls": {"GET": calls, "DELETE": reset_calls},
    "/enforce": {"POST": set_enforce, "GET": get_enforce},
    "/trail": {"GET": trail, "DELETE": clear_trail},
    "/role-last-used": {"POST": role_last_used},
    "/managed-policy-version": {"POST": managed_policy_version},
    "/regions": {"POST": set_regions, "GET": get_regions},
    "/trusted-advisor": {"POST": set_trusted_advisor, "GET": get_trusted_advisor},
}


def handle(environ: dict, start_response) -> list[bytes]:
    status, payload = _answer(environ)
    body = json.dumps(payload, default=str).encode("utf-8")
    reason = {
        200: "OK",
        400: "Bad Request",
        404: "Not Found",
        405: "Method Not Allowed",
        500: "Internal Server Error",
    }.get(status, "Error")
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _answer(environ: dict) -> tuple[int, Any]:
    path = environ.get("PATH_INFO", "")[len(PREFIX) :].rstrip("/")
    methods = ROUTES.get(path)
    if methods is None:
        return 404, {"error": f"unknown control path {PREFIX}{path}"}
    handler = methods.get(environ.get("REQUEST_METHOD", "GET"))
    if handler is None:
        return 405, {"error": f"use {' or '.join(sorted(methods))} for {PREFIX}{path}"}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError as error:
        return 400, {"error": f"request body is not valid JSON: {error}"}
    if not isinstance(body, dict):
        return 400, {"error": "request body must be a JSON object"}
    try:
        return 200, handler(body)
    except ControlError as error:
        return error.status, {"error": error.message}
