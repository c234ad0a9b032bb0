"""Recognise an AWS call from its WSGI environ: service, operation, region, account.

Region and service come from the SigV4 credential scope, the operation from the
query ``Action`` (IAM, STS, EC2), the ``X-Amz-Target`` header (ECS JSON) or, for REST
services (EKS, GuardDuty, Security Hub, Access Analyzer), the method and path as
botocore's model maps them (``restops``), or the method alone where it is the IAM
action (API Gateway, ``restops.METHOD_ACTIONS``).  The account is the one moto resolves for
the access key (assumed-role keys belong to the role's account; any other key is the
hub account).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote

from moto.iam.models import get_account_id_from, iam_backends

from . import restops

CREDENTIAL_RE = re.compile(
    r"Credential=(?P<key>[^/,\s]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request"
)


@dataclass
class AwsCall:
    service: str
    action: str
    region: str
    access_key: str
    account: str = ""
    params: dict[str, str] = field(default_factory=dict)
    path: str = ""  # the request's path, as sent (REST services name resources in it)

    @property
    def operation(self) -> str:
        """The IAM action: the signing name is its prefix, except where it is not
        (restops.IAM_PREFIXES: CloudWatch signs as "monitoring")."""
        return f"{restops.IAM_PREFIXES.get(self.service, self.service)}:{self.action}"


def _read_body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    # Put the body back for moto, which reads it again.
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def identify(environ: dict) -> AwsCall | None:
    match = CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    service = match["service"].lower()
    params: dict[str, str] = {}
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        action = target.rsplit(".", 1)[-1]
    else:
        query = environ.get("QUERY_STRING", "")
        body = b""
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = _read_body(environ)
        raw = parse_qs(query) | parse_qs(body.decode("utf-8", "replace"))
        params = {k: v[0] for k, v in raw.items() if v}
        if service in restops.METHOD_ACTIONS:  # API Gateway: "apigateway:GET"
            action = environ.get("REQUEST_METHOD", "GET").upper()
        else:
            action = params.get("Action") or _rest_action(environ, service, query) or "Unknown"
    return AwsCall(
        service, action, match["region"], match["key"], params=params, path=raw_path(environ)
    )


def raw_path(environ: dict) -> str:
    """The request path as sent, still percent-encoded (PATH_INFO is decoded)."""
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if uri:
        return uri.split("?", 1)[0]
    return quote(environ.get("PATH_INFO", ""), safe="/")


def _rest_action(environ: dict, service: str, query: str) -> str | None:
    found = restops.match(
        service,
        environ.get("REQUEST_METHOD", "GET"),
        raw_path(environ),
        parse_qs(query, keep_blank_values=True),
    )
    return found[0] if found else None


def resolve_account(call: AwsCall, environ: dict) -> str | None:
    """Account the call acts in, or None for temporary credentials nobody issued.

    Call with ``state.LOCK`` held (reads moto's IAM state).  moto treats an unknown key
    as the default account; for temporary (``ASIA...``) keys that would silently turn
    stale AssumeRole credentials (e.g. from before a reset) into hub credentials, where
    AWS refuses them.  Long-term keys of any value still mean the hub account.
    """
    explicit = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if explicit:
        return explicit
    if call.access_key.startswith("ASIA"):
        for account_id, account in list(iam_backends.items()):
            if call.access_key in account["aws"].access_keys:
                return account_id
        return None
    return get_account_id_from(call.access_key)
