"""Injected faults, and AWS error responses in each service's wire format.

A fault matches calls by operation (``"iam:DeleteServiceLinkedRole"``, ``"ecs:*"`` or
``"*"``) and optionally account and region.  ``count`` fails the next N matching
calls, ``rate`` a random fraction of them, neither every one.

A fault with ``delay_ms`` instead of ``error`` lets the call through and holds back
its *response*: the backend has already acted when the client times out or dies,
which is how a worker killed between an AWS call and its database write is staged.

Errors are rendered the way the service's protocol does it, so botocore raises
``ClientError`` with ``Error.Code`` and ``ResponseMetadata.RequestId`` set:
IAM/STS query XML (``<ErrorResponse>``), EC2 XML (``<Response><Errors>``), ECS JSON
(``__type`` plus the ``x-amzn-RequestId`` header) and REST-JSON (EKS, GuardDuty, Security
Hub, Access Analyzer: the code in the ``x-amzn-ErrorType`` header, ``message`` in the body).
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import random
import threading
import uuid
from dataclasses import asdict, dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import botocore.session

from .restops import MODEL_NAMES

PROTOCOLS = {
    "iam": "query",
    "sts": "query",
    "ec2": "ec2",
    "ecs": "json",
    "cloudtrail": "json",
    "config": "json",
    "organizations": "json",
    "eks": "rest-json",
    "guardduty": "rest-json",
    "securityhub": "rest-json",
    "access-analyzer": "rest-json",
}
XML_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}

# The generic names a test asks for, as each service spells them on the wire.
# The JSON and REST services name a refusal AccessDeniedException in their models.
_JSON_DENIED = {"AccessDenied": "AccessDeniedException"}
ALIASES = {
    "ecs": {
        "Throttling": "ThrottlingException",
        "AccessDenied": "AccessDeniedException",
        "ServiceFailure": "ServerException",
    },
    **{
        service: _JSON_DENIED
        for service in (
            "cloudtrail",
            "config",
            "organizations",
            "eks",
            "guardduty",
            "securityhub",
            "access-analyzer",
        )
    },
    "ec2": {
        "Throttling": "RequestLimitExceeded",
        "AccessDenied": "UnauthorizedOperation",
        "ServiceFailure": "InternalError",
    },
}

STATUS = {
    "Throttling": 400,
    "ThrottlingException": 400,
    "RequestLimitExceeded": 503,
    "AccessDenied": 403,
    "AccessDeniedException": 400,
    "UnauthorizedOperation": 403,
    "ServiceFailure": 500,
    "ServerException": 500,
    "InternalError": 500,
    "InternalFailure": 500,
    "ServiceUnavailable": 503,
}


@lru_cache(maxsize=8)
def _model_statuses(service: str) -> dict[str, tuple[int, bool]]:
    """code -> (HTTP status, whether the model states it) for a service's modelled errors."""
    try:
        session = botocore.session.get_session()
        model = session.get_service_model(MODEL_NAMES.get(service, service))
    except Exception:  # noqa: BLE001 - an unknown service simply has no modelled errors
        return {}
    statuses = {}
    for shape in model.error_shapes:
        error = shape.metadata.get("error", {})
        code = error.get("code", shape.name)
        statuses[code] = (error.get("httpStatusCode", 400), "httpStatusCode" in error)
        statuses[shape.name] = statuses[code]
    return statuses


@lru_cache(maxsize=64)
def protocol_of(service: str) -> str:
    """The wire protocol of a service by its signing name: the table above, else the one
    botocore's clients speak to it (the catalogue's services, emulator/linked/: a model
    may list several, Directory Service's CBOR first, and clients pick JSON); "query" if
    unknown."""
    if service in PROTOCOLS:
        return PROTOCOLS[service]
    try:
        model = botocore.session.get_session().get_service_model(MODEL_NAMES.get(service, service))
    except Exception:  # noqa: BLE001 - an unknown service answers as the query services do
        return "query"
    # The protocol botocore speaks, not the model's first: CloudWatch, DataSync and Shield
    # list smithy-rpc-v2-cbor first but botocore calls them in JSON.
    protocol = model.resolved_protocol
    return protocol if protocol in ("json", "rest-json", "ec2") else "query"


def wire_code(service: str, error: str) -> str:
    if service not in ALIASES and protocol_of(service) in ("json", "rest-json"):
        # The JSON and REST services name a refusal AccessDeniedException in their models.
        return _JSON_DENIED.get(error, error)
    return ALIASES.get(service, {}).get(error, error)


def status_for(service: str, code: str) -> int:
    # A status the service's model states wins: AccessDeniedException is 403 for the
    # REST services and 400 for ECS, whose model states none.
    modelled = _model_statuses(service).get(code)
    if modelled and modelled[1]:
        return modelled[0]
    return STATUS.get(code) or (modelled[0] if modelled else 400)


def default_message(service: str, code: str, operation: str, caller: str, resource: str) -> str:
    if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded"):
        return "Rate exceeded"
    if code in ("AccessDenied", "AccessDeniedException"):
        return f"User: {caller} is not authorized to perform: {operation} on resource: {resource}"
    if code == "UnauthorizedOperation":
        return "You are not authorized to perform this operation."
    if status_for(service, code) >= 500:
        return "We encountered an internal error. Please try again."
    return f"The request could not be completed ({code})."


def render_error(
    service: str, code: str, message: str, status: int | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of an AWS error response for ``service``."""
    status = status or status_for(service, code)
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    protocol = protocol_of(service)
    if protocol == "json":
        headers["Content-Type"] = "application/x-amz-json-1.1"
        body = json.dumps({"__type": code, "message": message})
    elif protocol == "rest-json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = code
        body = json.dumps({"message": message})
    elif protocol == "ec2":
        headers["Content-Type"] = "text/xml;charset=UTF-8"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
    else:
        headers["Content-Type"] = "text/xml"
        kind = "Receiver" if status >= 500 else "Sender"
        namespace = XML_NAMESPACES.get(service, "")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        body = (
            f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return status, headers, body.encode("utf-8")


class FaultError(ValueError):
    """A fault specification that cannot be used."""


@dataclass
class Fault:
    id: int
    operation: str
    error: str
    count: int | None = None
    rate: float | None = None
    account: str | None = None
    region: str | None = None
    message: str | None = None
    status: int | None = None
    delay_ms: float | None = None
    hits: int = 0

    def matches(self, operation: str, account: str, region: str) -> bool:
        if self.account and self.account != account:
            return False
        if self.region and self.region != region:
            return False
        return fnmatch.fnmatchcase(operation, self.operation)


class FaultRegistry:
    FIELDS = {
        "operation",
        "error",
        "delay_ms",
        "count",
        "rate",
        "account",
        "region",
        "message",
        "status",
    }

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._faults: list[Fault] = []
        self._random = random.Random()

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def add(self, specs: list[dict]) -> list[dict]:
        parsed = [self._parse(spec) for spec in specs]
        with self._lock:
            for fault in parsed:
                fault.id = next(self._ids)
                self._faults.append(fault)
        return [asdict(f) for f in parsed]

    def _parse(self, spec: dict) -> Fault:
        if not isinstance(spec, dict):
            raise FaultError("each fault must be an object")
        unknown = set(spec) - self.FIELDS
        if unknown:
            raise FaultError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        operation, error = spec.get("operation"), spec.get("error")
        if not isinstance(operation, str) or not (operation == "*" or ":" in operation):
            raise FaultError('"operation" must look like "iam:GetRole", "ecs:*" or "*"')
        delay = spec.get("delay_ms")
        if delay is not None:
            if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay <= 0:
                raise FaultError('"delay_ms" must be a number > 0')
            if error is not None:
                raise FaultError('give "error" or "delay_ms", not both')
        elif not isinstance(error, str) or not error:
            raise FaultError('"error" must be an error code such as "Throttling"')
        count, rate = spec.get("count"), spec.get("rate")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise FaultError('"count" must be a positive integer')
        if rate is not None and (not isinstance(rate, (int, float)) or not 0 < rate <= 1):
            raise FaultError('"rate" must be a number in (0, 1]')
        if count is not None and rate is not None:
            raise FaultError('give "count" or "rate", not both')
        status = spec.get("status")
        if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
            raise FaultError('"status" must be an HTTP error status')
        return Fault(
            0,
            operation,
            error or "",
            count,
            rate,
            spec.get("account"),
            spec.get("region"),
            spec.get("message"),
            status,
            None if delay is None else float(delay),
        )

    def match(
        self, operation: str, account: str, region: str, *, delayed: bool = False
    ) -> Fault | None:
        """The fault to apply to this call, if any (consumes one use of a counted fault).

        delayed=False looks at error faults (applied before the backend runs),
        delayed=True at response delays (applied after it has run).
        """
        with self._lock:
            for fault in self._faults:
                if (fault.delay_ms is not None) != delayed:
                    continue
                if not fault.matches(operation, account, region):
                    continue
                if fault.rate is not None and self._random.random() >= fault.rate:
                    continue
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def listing(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]


FAULTS = FaultRegistry()
