"""The emulator's WSGI application and HTTP server.

Every request that is not for the control endpoint is an AWS call for moto.  On
the way in it is counted, delayed by the configured latency (outside the lock, so
concurrent calls overlap), possibly answered with an injected fault, and then
dispatched into moto's server application under ``state.LOCK``; a response-delay
fault then holds the answer back after moto has acted.  A call made with
assumed-role credentials is first added to the trail and, with IAM enforcement on,
judged against the role's policies (``enforce``).  Services moto has no backend
for (``OWN_SERVICES``: IAM Access Analyzer) are answered by the emulator's own handler
at that same point, so they are counted, delayed and faulted like any other call.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from http import HTTPStatus

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from . import control, deletion, enforce, patches
from .awsrequest import AwsCall, identify, resolve_account
from .faults import FAULTS, Fault, default_message, render_error, wire_code
from .patches import accessanalyzer
from .state import LOCK, RUN, is_read

patches.apply()

INVALID_TOKEN = "The security token included in the request is invalid."

# Signing name -> handler(environ, account, region) -> (status, headers, body), for
# services moto has no backend for.
OWN_SERVICES: dict[str, Callable[[dict, str, str], tuple[int, dict[str, str], bytes]]] = {
    accessanalyzer.SERVICE: accessanalyzer.handle,
}


class EmulatorApp:
    def __init__(self) -> None:
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict, start_response):
        refused = control.refusal(environ)
        if refused is not None:
            return control.refuse(refused, start_response)
        path = environ.get("PATH_INFO", "")
        if path == control.PREFIX or path.startswith(control.PREFIX + "/"):
            return control.handle(environ, start_response)
        call = identify(environ)
        if call is None:  # unsigned: moto's own endpoints and the like; not an AWS call
            with LOCK:
                return self._dispatch(environ, start_response)
        entry, body, assumed = {}, {}, None
        with LOCK:
            account = resolve_account(call, environ)
            call.account = account or "unknown"
            if account is not None:
                assumed = enforce.session_for(call)
            if assumed is not None:  # CloudTrail records refused calls too
                entry, body = enforce.record(call, environ, assumed)
        RUN.calls.record(call.operation, call.account, call.region)
        if not is_read(call.action):
            RUN.writes += 1
        if account is None:
            return self._invalid_token(call, start_response)
        delay = RUN.latency.seconds_for(call.region)
        if delay:
            time.sleep(delay)
        fault = FAULTS.match(call.operation, call.account, call.region)
        if fault is not None:
            entry["error"] = wire_code(call.service, fault.error)
            return self._fault(call, fault, start_response)
        with LOCK:
            if assumed is not None and RUN.enforce_iam:
                refused = enforce.refusal(call, body, assumed)
                if refused is not None:
                    entry["error"] = wire_code(call.service, "AccessDenied")
                    answer = render_error(call.service, entry["error"], refused)
                    return self._respond(answer, start_response)
            deletion.tick()
            own = OWN_SERVICES.get(call.service)
            if own is not None:
                answer = self._respond(own(environ, call.account, call.region), start_response)
            else:
                answer = self._dispatch(environ, start_response)
        # The backend has acted; a response delay holds the answer back (outside the lock).
        late = FAULTS.match(call.operation, call.account, call.region, delayed=True)
        if late is not None:
            time.sleep(late.delay_ms / 1000.0)
        return answer

    def _dispatch(self, environ: dict, start_response) -> list[bytes]:
        """Run moto to completion while the caller holds the lock, then answer."""
        captured: dict = {}
        chunks: list[bytes] = []

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.moto(environ, capture)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        start_response(captured["status"], captured["headers"])
        return [b"".join(chunks)]

    def _fault(self, call: AwsCall, fault: Fault, start_response) -> list[bytes]:
        code = wire_code(call.service, fault.error)
        message = fault.message or default_message(
            call.service, code, call.operation, self._caller_arn(call), self._resource(call)
        )
        return self._respond(
            render_error(call.service, code, message, fault.status), start_response
        )

    def _invalid_token(self, call: AwsCall, start_response) -> list[bytes]:
        # What AWS answers for temporary credentials it does not know (or no longer knows).
        code, status = {
            "ecs": ("UnrecognizedClientException", 400),
            "ec2": ("AuthFailure", 401),
        }.get(call.service, ("InvalidClientTokenId", 403))
        return self._respond(
            render_error(call.service, code, INVALID_TOKEN, status), start_response
        )

    @staticmethod
    def _respond(answer, start_response) -> list[bytes]:
        status, headers, body = answer
        headers["Content-Length"] = str(len(body))
        start_response(f"{status} {_reason(status)}", list(headers.items()))
        return [body]

    @staticmethod
    def _caller_arn(call: AwsCall) -> str:
        with LOCK:
            assumed = enforce.session_for(call)
        return assumed.arn if assumed else f"arn:aws:sts::{call.account}:user/moto"

    @staticmethod
    def _resource(call: AwsCall) -> str:
        if call.service == "iam" and "RoleName" in call.params:
            return f"arn:aws:iam::{call.account}:role/{call.params['RoleName']}"
        return call.params.get("RoleArn", "*")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class QuietHandler(MotoRequestHandler):
    """No per-request log lines unless asked for (they would flood a test run)."""

    verbose = False

    def log_request(self, *args, **kwargs) -> None:
        if self.verbose:
            super().log_request(*args, **kwargs)


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so a busy port is one clear error (OSError)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(256)
    except OSError:
        sock.close()
        raise
    return sock


def create_server(sock: socket.socket, host: str, verbose: bool = False) -> BaseWSGIServer:
    handler = type("Handler", (QuietHandler,), {"verbose": verbose})
    port = sock.getsockname()[1]
    server = make_server(
        host, port, EmulatorApp(), threaded=True, request_handler=handler, fd=sock.fileno()
    )
    server.daemon_threads = True
    return server
