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

With IAM enforcement on, the caller's identity policies are judged too, on the role's
ARN, for each of those actions: across accounts they must allow them; within one
account a trust policy naming the caller itself is enough, one naming only its account
needs their Allow, and an explicit deny in them always refuses (STS API reference,
AssumeRole; IAM User Guide, "Cross-account policy evaluation logic").  The caller is
an assumed role's session, an IAM user with access keys, or, for the hub's other
long-term keys, a session of rolecall's principal role ``rolecall``, which
GetCallerIdentity names too (``emulator/member_roles.py`` creates it with the policy
of ``deploy/aws/rolecall-principal.yaml``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.sts.models import STSBackend, sts_backends
from moto.sts.responses import TokenResponse

from .. import enforce, member_roles, organization
from ..faults import render_error
from ..policy_eval import DENY, IMPLICIT, action_matches, applies, as_list, decide
from ..state import HUB_ACCOUNT, RUN

ROLE_ARN_RE = re.compile(r"^arn:aws:iam::(?P<account>\d{12}):role/(?P<rest>.+)$")

_ORIGINALS: dict[str, object] = {}


ASSUMED_RE = re.compile(r"^arn:aws:sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/")


def _principal_allows(principal, caller_account: str, caller_arn: str, *, accounts=True) -> bool:
    """A trust policy's Principal against the caller. A role's ARN names every session
    of that role, as AWS matches it against the caller's assumed-role ARN. With
    ``accounts`` false, only a statement naming the caller itself counts, not one naming
    its account (or everyone)."""
    if principal == "*":
        return accounts
    if not isinstance(principal, dict):
        return False
    names = {caller_arn}
    if accounts:
        names |= {"*", caller_account, f"arn:aws:iam::{caller_account}:root"}
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


def request_context(
    external_id: str | None, source_identity: str | None, tags: dict[str, str] | None
) -> dict[str, object]:
    """The condition keys an AssumeRole request itself carries."""
    context: dict[str, object] = {}
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if source_identity is not None:
        context["sts:SourceIdentity"] = source_identity
    if tags:
        context["aws:TagKeys"] = list(tags)
        context.update({f"aws:RequestTag/{key}": value for key, value in tags.items()})
    return context


def needed_actions(source_identity: str | None, tags: dict[str, str] | None) -> list[str]:
    """What an AssumeRole request must be allowed: sts:AssumeRole, sts:SetSourceIdentity
    with a source identity, sts:TagSession with session tags."""
    needed = ["sts:AssumeRole"]
    if source_identity is not None:
        needed.append("sts:SetSourceIdentity")
    if tags:
        needed.append("sts:TagSession")
    return needed


def trust_allows(
    document: str,
    caller_account: str,
    caller_arn: str,
    external_id: str | None,
    *,
    source_identity: str | None = None,
    tags: dict[str, str] | None = None,
    accounts: bool = True,
) -> bool:
    """Whether the trust policy allows every action this AssumeRole request needs (with
    ``accounts`` false: allows them to the caller itself, not only to its account)."""
    try:
        policy = json.loads(unquote(document)) if isinstance(document, str) else document
    except ValueError:
        return False
    context = request_context(external_id, source_identity, tags)
    needed = needed_actions(source_identity, tags)
    statements = [
        statement
        for statement in as_list(policy.get("Statement"))
        if _principal_allows(
            statement.get("Principal"), caller_account, caller_arn, accounts=accounts
        )
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


@dataclass(frozen=True)
class Caller:
    """Who makes an AssumeRole request: the ARN AWS names it by (a session's, for a
    role), its account, the ARN of aws:PrincipalArn (the role, for a session) and its
    identity policies."""

    arn: str
    account: str
    principal_arn: str
    documents: list[dict]


def _principal_role(backend: STSBackend, arn: str):
    """rolecall's principal role, when moto's stand-in identity for the hub's long-term
    keys is asked for and the role exists; else None."""
    if backend.account_id != HUB_ACCOUNT or arn != f"arn:aws:sts::{HUB_ACCOUNT}:user/moto":
        return None
    roles = iam_backends[HUB_ACCOUNT]["aws"].roles.values()
    return next((r for r in roles if r.arn == member_roles.PRINCIPAL), None)


def get_caller_identity(self: STSBackend, access_key_id: str, region: str):
    found = _ORIGINALS["get_caller_identity"](self, access_key_id, region)
    role = _principal_role(self, found[1])
    if role is None:
        return found
    return f"{role.id}:rolecall", member_roles.PRINCIPAL_SESSION, HUB_ACCOUNT


def caller(backend: STSBackend, access_key: str, region: str) -> Caller:
    """The caller behind ``access_key`` and its identity policies (LOCK held)."""
    assumed = backend.get_assumed_role_from_access_key(access_key)
    if assumed is not None:
        documents = enforce.role_documents(assumed.role_arn, assumed.account_id)
        return Caller(assumed.arn, assumed.account_id, assumed.role_arn, documents)
    account = backend.account_id
    user = iam_backends[account]["aws"].get_user_from_access_key_id(access_key)
    if user is not None:
        return Caller(user.arn, account, user.arn, enforce.user_documents(user, account))
    _, arn, account = backend.get_caller_identity(access_key, region)
    if arn == member_roles.PRINCIPAL_SESSION:
        documents = enforce.role_documents(member_roles.PRINCIPAL, HUB_ACCOUNT)
        return Caller(arn, account, member_roles.PRINCIPAL, documents)
    return Caller(arn, account, arn, [])


def identity_refusal(who: Caller, role, request: dict, *, trusted_itself: bool) -> str | None:
    """Why the caller's identity policies refuse this AssumeRole, or None.

    Across accounts they must allow every action the request needs; within one
    account a trust policy naming the caller itself is enough, and only an explicit
    deny in them refuses (IAM User Guide, "Policy evaluation logic")."""
    context = {
        **request_context(request["external_id"], request["source_identity"], request["tags"]),
        "aws:PrincipalArn": who.principal_arn,
        "aws:PrincipalAccount": who.account,
        "aws:ResourceAccount": role.account_id,
    }
    held = organization.of(role.account_id)
    if held is not None:
        context["aws:ResourceOrgID"] = held.id
    needs_allow = who.account != role.account_id or not trusted_itself
    for action in needed_actions(request["source_identity"], request["tags"]):
        verdict = decide(who.documents, action, role.arn, context)
        if verdict == DENY:
            because = "with an explicit deny in an identity-based policy"
        elif verdict == IMPLICIT and needs_allow:
            because = f"because no identity-based policy allows the {action} action"
        else:
            continue
        return (
            f"User: {who.arn} is not authorized to perform: {action} "
            f"on resource: {role.arn} {because}"
        )
    return None


def _access_denied(message: str):
    status, headers, body = render_error("sts", "AccessDenied", message)
    headers.pop("x-amzn-RequestId")  # moto adds its own request id, in body and header
    headers["status"] = str(status)
    return status, headers, body.decode("utf-8")


def _refusal(response: TokenResponse, role_arn: str, request: dict) -> tuple[object, str | None]:
    """(the role, why AWS refuses to let this caller assume it or None) (LOCK held)."""
    who = caller(response.backend, response.get_access_key(), response.region)
    match = ROLE_ARN_RE.match(role_arn)
    role = None
    if match:
        backend = iam_backends[match["account"]]["aws"]
        role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
    trust = role.assume_role_policy_document if role is not None else None
    judged = {k: request[k] for k in ("source_identity", "tags")}
    if role is None or not trust_allows(
        trust, who.account, who.arn, request["external_id"], **judged
    ):
        return role, (
            f"User: {who.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )
    if not RUN.enforce_iam:
        return role, None
    itself = trust_allows(
        trust, who.account, who.arn, request["external_id"], **judged, accounts=False
    )
    return role, identity_refusal(who, role, request, trusted_itself=itself)


def assume_role(self: TokenResponse):
    role_arn = self._get_param("RoleArn") or ""
    source_identity = self._get_param("SourceIdentity")
    request = {
        "external_id": self._get_param("ExternalId"),
        "source_identity": source_identity,
        "tags": _tags(self),
    }
    if source_identity is not None and (
        not SOURCE_IDENTITY_RE.match(source_identity) or source_identity.startswith("aws:")
    ):
        return _validation_error(
            f"1 validation error detected: Value '{source_identity}' at 'sourceIdentity' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[\\w+=,.@-]*"
        )
    role, refused = _refusal(self, role_arn, request)
    if refused is not None:
        return _access_denied(refused)
    duration = self._get_int_param("DurationSeconds", 3600)
    if not 900 <= duration <= int(role.max_session_duration or 3600):
        return _validation_error(
            f"The requested DurationSeconds exceeds the MaxSessionDuration set for this "
            f"role, or is under 900: {duration}"
        )
    answer = _ORIGINALS["assume_role"](self)
    assumed = sts_backends[role.account_id]["aws"].assumed_roles[-1]
    assumed.source_identity = source_identity or ""
    assumed.session_tags = request["tags"]
    return answer


def apply() -> None:
    if "assume_role" in _ORIGINALS:
        return
    _ORIGINALS["assume_role"] = TokenResponse.assume_role
    TokenResponse.assume_role = assume_role
    _ORIGINALS["get_caller_identity"] = STSBackend.get_caller_identity
    STSBackend.get_caller_identity = get_caller_identity
