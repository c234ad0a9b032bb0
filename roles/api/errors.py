"""Every API error is JSON with a stable `code` and a `message`.

    {"code": "invalid", "message": "...", "errors": {"confirm": ["..."]}}
    {"code": "active_request_exists", "message": "...", "existing": "https://.../api/v1/deletions/7/"}
    {"code": "aws_error", "message": "...", "aws": {"code": "NoSuchEntity", "request_id": "..."}}

Codes: invalid, invalid_parameter, not_authenticated, authentication_failed,
permission_denied, reauth_required, not_found, method_not_allowed,
unsupported_media_type, parse_error, refused, active_request_exists,
aws_error, throttled (with Retry-After).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from roles.aws.errors import AwsError
from roles.web.params import InvalidParameter


class Conflict(exceptions.APIException):
    """409: the rails refuse this now (a protected role, a state that forbids it...)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(self, message: str, *, code: str = "refused", **extra):
        super().__init__(message, code)
        self.extra = extra


def _message(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_message(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_message(v)}" for k, v in detail.items())
    return str(detail)


def handler(exc, context):
    if isinstance(exc, InvalidParameter):
        return _answer(400, "invalid_parameter", str(exc))
    if isinstance(exc, AwsError):
        body = {"aws": {"code": exc.code, "request_id": exc.request_id}}
        return _answer(502, "aws_error", f"AWS refused: {exc.code}: {exc.message}", **body)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        # roles/access/permissions.py deny(): already audited; the args name the attempt.
        exc = exceptions.PermissionDenied(str(exc) or "this")
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real fault: Django's 500 page and its log
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return _answer(400, "invalid", _message(detail), headers=response, errors=errors)
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes()
        code = code if isinstance(code, str) else exc.default_code
        if isinstance(exc, exceptions.PermissionDenied) and code == "permission_denied":
            message = f"Not allowed: {exc.detail}."
        else:
            message = _message(exc.detail)
        extra = getattr(exc, "extra", {})
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra = {**extra, "retry_after": response.get("Retry-After")}
        return _answer(response.status_code, code, message, headers=response, **extra)
    return response


def _answer(status_code: int, code: str, message: str, *, headers=None, **extra) -> Response:
    response = Response({"code": code, "message": message, **extra}, status=status_code)
    for name in ("Retry-After", "WWW-Authenticate", "Allow"):
        if headers is not None and headers.has_header(name):
            response[name] = headers[name]
    return response


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that names no operation (dashboard/urls.py)."""
    return JsonResponse({"code": "not_found", "message": "No such API operation."}, status=404)
