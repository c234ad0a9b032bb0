"""AWS errors as one domain exception carrying what the user must see."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

# Worth another try later: AWS said so, or never answered.
RETRYABLE = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ServiceFailure",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
    "ServerException",
    "Timeout",
    "ConnectionError",
}
# AWS refused the caller: its role lacks the permission. Audited as denied, not failed.
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


@dataclass
class AwsError(Exception):
    code: str
    message: str
    request_id: str = ""
    operation: str = ""
    http_status: int | None = None

    def __str__(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        op = f"{self.operation}: " if self.operation else ""
        return f"{op}{self.code}: {self.message}{rid}"

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE

    @property
    def denied(self) -> bool:
        """AWS refused the caller (the role lacks the permission), rather than failing."""
        return self.code in DENIED

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "operation": self.operation,
        }

    @classmethod
    def from_exception(cls, exc: Exception, operation: str = "") -> AwsError:
        if isinstance(exc, AwsError):
            return exc
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            meta = exc.response.get("ResponseMetadata", {})
            return cls(
                code=error.get("Code", "Unknown"),
                message=error.get("Message", str(exc)),
                request_id=meta.get("RequestId", ""),
                operation=operation or getattr(exc, "operation_name", ""),
                http_status=meta.get("HTTPStatusCode"),
            )
        if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
            return cls("Timeout", str(exc), operation=operation)
        if isinstance(exc, EndpointConnectionError | ConnectionClosedError):
            return cls("ConnectionError", str(exc), operation=operation)
        if isinstance(exc, NoCredentialsError):
            return cls("NoCredentials", str(exc), operation=operation)
        if isinstance(exc, BotoCoreError):
            return cls(type(exc).__name__, str(exc), operation=operation)
        raise exc


def call(client, operation: str, **kwargs):
    """client.<operation>(**kwargs), with any failure raised as AwsError."""
    try:
        return getattr(client, operation)(**kwargs)
    except AwsError:
        raise
    except Exception as exc:
        raise AwsError.from_exception(exc) from exc
