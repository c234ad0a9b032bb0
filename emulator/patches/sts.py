"""Patch to moto's STS AssumeRole: only roles that exist and trust the caller.

moto hands out credentials for any role ARN, even one that does not exist, and
ignores SourceIdentity and session tags.  AWS answers AccessDenied (HTTP 403)
unless the role exists and its trust policy allows the caller (its account, or the
caller itself) every action the request needs: ``sts:AssumeRole``, plus
``sts:SetSourceIdentity`` when a SourceIdentity is given and ``sts:TagSession``
when session tags are (IAM User Guide, "Monitor and control actions taken with
assumed roles" and "Passing session tags in AWS STS"), with the statement's
conditions evaluated against ``sts:ExternalId``, ``sts:SourceIdentity``,
``aws:TagKeys`` and ``aws:RequestTag/<key>``.  The source identity and tags are
kept on moto's AssumedRole (``source_identity``, ``session_tags``) so that the
emulator can record them with every call made with its credentials, as CloudTrail
does.  SourceIdentity and DurationSeconds are validated as the AssumeRole API
reference gives (2-64 characters of ``[\\w+=,.@-]``, not starting ``aws:``; 900
seconds up to the role's maximum session duration).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse

from ..faults import render_error
from ..policy_eval import action_matches, applies, as_list

ROLE_ARN_RE = re.compile(r"^arn:aws:iam::(?P<account>\d{12}):role/(?P<rest>.+)$")

_ORIGINALS: dict[str, object] = {}


ASSUMED_RE = re.compile(r"^arn:aws:sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/")


def _principal_allows(principal, caller_account: str, caller_arn: str) -> bool:
    """A trust policy's Principal against the caller. A role's ARN names every session
    of that role, as AWS matches it against the caller's assumed-role ARN."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    names = {"*", caller_account, f"arn:aws:iam::{caller_account}:root", caller_arn}
    for entry in as_list(principal.get("AWS")):
        if entry in names:
            return True
        assumed = ASSUMED_RE.match(caller_arn)
        role = ROLE_ARN_RE.match(str(entry))
        if assumed and role and role["account"] == assumed["account"]:
            if role["rest"].rsplit("/", 1)[-1] == assumed["role"]:
                return True
    return False


SOURCE_IDENTITY_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
TAG_RE = re.compile(r"^Tags\.member\.(\d+)\.(Key|Value)$")


def trust_allows(
    document: str,
    caller_account: str,
    caller_arn: str,
    external_id: str | None,
    *,
    source_identity: str | None = None,
    tags: dict[str, str] | None = None,
) -> bool:
    """Whether the trust policy allows every action this AssumeRole request needs."""
    try:
        policy = json.loads(unquote(document)) if isinstance(document, str) else document
    except ValueError:
        return False
    context: dict[str, object] = {}
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if source_identity is not None:
        context["sts:SourceIdentity"] = source_identity
    if tags:
        context["aws:TagKeys"] = list(tags)
        context.update({f"aws:RequestTag/{key}": value for key, value in tags.items()})
    needed = ["sts:AssumeRole"]
    if source_identity is not None:
        needed.append("sts:SetSourceIdentity")
    if tags:
        needed.append("sts:TagSession")
    statements = [
        statement
        for statement in as_list(policy.get("Statement"))
        if _principal_allows(statement.get("Principal"), caller_account, caller_arn)
        and applies(statement, context)
    ]

    def allowed(action: str) -> bool:
        matching = [s for s in statements if action_matches(s, action)]
        if any(s.get("Effect") == "Deny" for s in matching):
            return False  # an explicit deny wins
        return any(s.get("Effect") == "Allow" for s in matching)

    return all(allowed(action) for action in needed)


def _tags(response: TokenResponse) -> dict[str, str]:
    found: dict[str, dict[str, str]] = {}
    for name, values in response.querystring.items():
        match = TAG_RE.match(name)
        if match and values:
            found.setdefault(match[1], {})[match[2]] = values[0]
    return {tag["Key"]: tag.get("Value", "") for _, tag in sorted(found.items()) if "Key" in tag}


def _validation_error(message: str):
    status, headers, body = render_error("sts", "ValidationError", message, 400)
    headers.pop("x-amzn-RequestId")
    headers["status"] = str(status)
    return status, headers, body.decode("utf-8")


def assume_role(self: TokenResponse):
    role_arn = self._get_param("RoleArn") or ""
    external_id = self._get_param("ExternalId")
    source_identity = self._get_param("SourceIdentity")
    tags = _tags(self)
    _, caller_arn, caller_account = self.backend.get_caller_identity(
        self.get_access_key(), self.region
    )
    if source_identity is not None and (
        not SOURCE_IDENTITY_RE.match(source_identity) or source_identity.startswith("aws:")
    ):
        return _validation_error(
            f"1 validation error detected: Value '{source_identity}' at 'sourceIdentity' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[\\w+=,.@-]*"
        )
    match = ROLE_ARN_RE.match(role_arn)
    role = None
    if match:
        backend = iam_backends[match["account"]]["aws"]
        role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
    if role is None or not trust_allows(
        role.assume_role_policy_document,
        caller_account,
        caller_arn,
        external_id,
        source_identity=source_identity,
        tags=tags,
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
    duration = self._get_int_param("DurationSeconds", 3600)
    if not 900 <= duration <= int(role.max_session_duration or 3600):
        return _validation_error(
            f"The requested DurationSeconds exceeds the MaxSessionDuration set for this "
            f"role, or is under 900: {duration}"
        )
    answer = _ORIGINALS["assume_role"](self)
    assumed = sts_backends[match["account"]]["aws"].assumed_roles[-1]
    assumed.source_identity = source_identity or ""
    assumed.session_tags = tags
    return answer


def apply() -> None:
    if "assume_role" in _ORIGINALS:
        return
    _ORIGINALS["assume_role"] = TokenResponse.assume_role
    TokenResponse.assume_role = assume_role
