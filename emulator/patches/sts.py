"""Patch to moto's STS AssumeRole: only roles that exist and trust the caller.

moto hands out credentials for any role ARN, even one that does not exist.  AWS
answers AccessDenied (HTTP 403) unless the role exists, its trust policy allows the
caller's account (or the caller itself) to ``sts:AssumeRole``, and any
``sts:ExternalId`` condition matches the ExternalId given.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.sts.responses import TokenResponse

from ..faults import render_error

ROLE_ARN_RE = re.compile(r"^arn:aws:iam::(?P<account>\d{12}):role/(?P<rest>.+)$")

_ORIGINALS: dict[str, object] = {}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_allows(principal, caller_account: str, caller_arn: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for entry in _as_list(principal.get("AWS")):
        if entry in ("*", caller_account, f"arn:aws:iam::{caller_account}:root", caller_arn):
            return True
    return False


def _conditions_hold(condition: dict | None, external_id: str | None) -> bool:
    for operator, tests in (condition or {}).items():
        for key, expected in tests.items():
            if key.lower() != "sts:externalid":
                continue  # other condition keys are not modelled
            values = [str(v) for v in _as_list(expected)]
            if operator in ("StringEquals", "StringLike") and external_id not in values:
                return False
    return True


def trust_allows(
    document: str, caller_account: str, caller_arn: str, external_id: str | None
) -> bool:
    try:
        policy = json.loads(unquote(document)) if isinstance(document, str) else document
    except ValueError:
        return False
    for statement in _as_list(policy.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action"))
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        if not _principal_allows(statement.get("Principal"), caller_account, caller_arn):
            continue
        if _conditions_hold(statement.get("Condition"), external_id):
            return True
    return False


def assume_role(self: TokenResponse):
    role_arn = self._get_param("RoleArn") or ""
    external_id = self._get_param("ExternalId")
    _, caller_arn, caller_account = self.backend.get_caller_identity(
        self.get_access_key(), self.region
    )
    match = ROLE_ARN_RE.match(role_arn)
    role = None
    if match:
        backend = iam_backends[match["account"]]["aws"]
        role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
    if role is None or not trust_allows(
        role.assume_role_policy_document, caller_account, caller_arn, external_id
    ):
        status, headers, body = render_error(
            "sts",
            "AccessDenied",
            f"User: {caller_arn} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}",
        )
        headers.pop("x-amzn-RequestId")  # moto adds its own request id, in body and header
        headers["status"] = str(status)
        return status, headers, body.decode("utf-8")
    return _ORIGINALS["assume_role"](self)


def apply() -> None:
    if "assume_role" in _ORIGINALS:
        return
    _ORIGINALS["assume_role"] = TokenResponse.assume_role
    TokenResponse.assume_role = assume_role
