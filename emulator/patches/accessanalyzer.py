"""IAM Access Analyzer, which moto 5.2.5 lacks (its calls answered HTTP 500).

Analyzers live per account and Region, as in AWS ("IAM Access Analyzer is Regional",
docs/readiness.md).  ``server.EmulatorApp`` sends every call signed for the
``access-analyzer`` service to ``handle``, which speaks the service's REST-JSON wire
format: CreateAnalyzer (``PUT /analyzer``), ListAnalyzers (``GET /analyzer``, with
``maxResults`` / ``nextToken`` and the ``type`` filter), GetAnalyzer and DeleteAnalyzer
(``GET`` / ``DELETE /analyzer/{analyzerName}``).  Other operations answer 501.

Creating an analyzer creates ``AWSServiceRoleForAccessAnalyzer`` if the account has none:
AWS recreates the role "when you next create an analyzer".  ``usage.access_analyzer``
reads the analyzers when that role's deletion finishes.  Everything runs under
``state.LOCK``; ``reset`` empties the store when a scenario is loaded.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

from moto.iam.models import iam_backends

from .. import restops
from ..awsrequest import raw_path

SERVICE = "access-analyzer"
PRINCIPAL = "access-analyzer.amazonaws.com"
ROLE_NAME = "AWSServiceRoleForAccessAnalyzer"
TYPES = (
    "ACCOUNT",
    "ORGANIZATION",
    "ACCOUNT_UNUSED_ACCESS",
    "ORGANIZATION_UNUSED_ACCESS",
    "ACCOUNT_INTERNAL_ACCESS",
    "ORGANIZATION_INTERNAL_ACCESS",
)
# botocore's AnalyzerName shape: 1 to 255 characters of this pattern.
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,254}")


@dataclass
class Analyzer:
    name: str
    arn: str
    type: str
    created_at: datetime
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "ACTIVE"

    def summary(self) -> dict:
        """The AnalyzerSummary shape."""
        return {
            "arn": self.arn,
            "name": self.name,
            "type": self.type,
            "createdAt": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tags": dict(self.tags),
            "status": self.status,
        }


# (account, region) -> analyzer name -> analyzer, in creation order.
ANALYZERS: dict[tuple[str, str], dict[str, Analyzer]] = {}


class AnalyzerError(Exception):
    """An Access Analyzer error: code, HTTP status and the shape's extra fields."""

    def __init__(self, code: str, status: int, message: str, **fields: object):
        super().__init__(message)
        self.code, self.status, self.message, self.fields = code, status, message, fields


def reset() -> None:
    ANALYZERS.clear()


def analyzer_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"


def create(
    account: str,
    region: str,
    name: str,
    analyzer_type: str,
    tags: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Analyzer:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise _invalid("analyzerName", "must match [A-Za-z_][A-Za-z0-9_.-]*, 1 to 255 characters")
    if analyzer_type not in TYPES:
        raise _invalid("type", f"must be one of {', '.join(TYPES)}")
    analyzers = ANALYZERS.setdefault((account, region), {})
    if name in analyzers:
        raise AnalyzerError(
            "ConflictException",
            409,
            f"Analyzer {name} already exists",
            resourceId=name,
            resourceType="Analyzer",
        )
    analyzer = Analyzer(
        name,
        analyzer_arn(account, region, name),
        analyzer_type,
        (now or datetime.now(UTC)).replace(microsecond=0),
        dict(tags or {}),
    )
    analyzers[name] = analyzer
    _ensure_role(account)
    return analyzer


def _ensure_role(account: str) -> None:
    iam = iam_backends[account]["aws"]
    if not any(role.name == ROLE_NAME for role in iam.roles.values()):
        iam.create_service_linked_role(PRINCIPAL, "", "")


def get(account: str, region: str, name: str) -> Analyzer:
    analyzer = ANALYZERS.get((account, region), {}).get(name)
    if analyzer is None:
        raise AnalyzerError(
            "ResourceNotFoundException",
            404,
            f"Analyzer {name} not found",
            resourceId=name,
            resourceType="Analyzer",
        )
    return analyzer


def delete(account: str, region: str, name: str) -> None:
    get(account, region, name)
    del ANALYZERS[(account, region)][name]


def in_region(account: str, region: str, analyzer_type: str | None = None) -> list[Analyzer]:
    analyzers = ANALYZERS.get((account, region), {}).values()
    return [a for a in analyzers if analyzer_type is None or a.type == analyzer_type]


def by_region(account: str) -> dict[str, list[Analyzer]]:
    """Every Region of ``account`` that has analyzers."""
    return {
        region: list(analyzers.values())
        for (owner, region), analyzers in ANALYZERS.items()
        if owner == account and analyzers
    }


def page(analyzers: list[Analyzer], max_results: str | None, token: str | None) -> dict:
    """One ListAnalyzers page.  AWS documents no default or maximum for maxResults: without
    it every analyzer is returned.  nextToken is an opaque offset."""
    start = _offset(token) if token else 0
    if max_results is None:
        end = len(analyzers)
    else:
        try:
            size = int(max_results)
        except ValueError:
            raise _invalid("maxResults", "must be an integer") from None
        if size < 1:
            raise _invalid("maxResults", "must be at least 1")
        end = start + size
    answer: dict = {"analyzers": [a.summary() for a in analyzers[start:end]]}
    if end < len(analyzers):
        answer["nextToken"] = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode()
    return answer


def _offset(token: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise _invalid("nextToken", "is not a token this service issued")


def _invalid(name: str, problem: str) -> AnalyzerError:
    return AnalyzerError(
        "ValidationException",
        400,
        f"Invalid parameter {name}: {problem}",
        reason="fieldValidationFailed",
        fieldList=[{"name": name, "message": problem}],
    )


# --- HTTP ---------------------------------------------------------------------------------


def handle(environ: dict, account: str, region: str) -> tuple[int, dict[str, str], bytes]:
    """Answer one Access Analyzer call for ``account`` in ``region`` (status, headers, body)."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    found = restops.match(SERVICE, environ.get("REQUEST_METHOD", "GET"), raw_path(environ), query)
    try:
        if found is None:
            raise AnalyzerError("UnknownOperationException", 404, "Unknown operation")
        operation, path = found
        return _answer(200, _operation(operation, path, query, environ, account, region))
    except AnalyzerError as error:
        body = {"message": error.message, **error.fields}
        return _answer(error.status, body, error.code)


def _operation(
    operation: str, path: dict, query: dict, environ: dict, account: str, region: str
) -> dict:
    first = {key: values[0] for key, values in query.items() if values}
    if operation == "CreateAnalyzer":
        body = _json_body(environ)
        analyzer = create(
            account, region, body.get("analyzerName"), body.get("type"), body.get("tags")
        )
        return {"arn": analyzer.arn}
    if operation == "ListAnalyzers":
        analyzer_type = first.get("type")
        if analyzer_type is not None and analyzer_type not in TYPES:
            raise _invalid("type", f"must be one of {', '.join(TYPES)}")
        analyzers = in_region(account, region, analyzer_type)
        return page(analyzers, first.get("maxResults"), first.get("nextToken"))
    if operation == "GetAnalyzer":
        return {"analyzer": get(account, region, path["analyzerName"]).summary()}
    if operation == "DeleteAnalyzer":
        delete(account, region, path["analyzerName"])
        return {}
    raise AnalyzerError(
        "NotImplemented", 501, f"The emulator does not implement access-analyzer:{operation}"
    )


def _json_body(environ: dict) -> dict:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise AnalyzerError("ValidationException", 400, "The request body is not JSON") from None
    if not isinstance(body, dict):
        raise AnalyzerError("ValidationException", 400, "The request body is not an object")
    return body


def _answer(status: int, body: dict, error_code: str | None = None):
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
    if error_code:
        # REST-JSON services name the error in this header; botocore reads it from there.
        headers["x-amzn-ErrorType"] = error_code
    return status, headers, json.dumps(body).encode("utf-8")
