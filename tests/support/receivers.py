"""Real local receivers for outbound notifications: an HTTP server for webhooks and
an SMTP server (aiosmtpd) for email, each on 127.0.0.1 in a thread of the test."""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def wait_for(items: list, count: int, timeout: float, what: str) -> list:
    """`items` once another thread has appended `count` of them (bounded)."""
    deadline = time.monotonic() + timeout
    while len(items) < count:
        assert time.monotonic() < deadline, f"{len(items)} of {count} {what} came"
        time.sleep(0.05)
    return items


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status in `statuses` (the last one repeats),
    after sleeping `delays[n]` seconds for the n-th request (none past the list)."""

    statuses: list[int] = field(default_factory=lambda: [200])
    delays: list[float] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted, requests or not (TLS, garbage...)
    url: str = ""
    port: int = 0

    def answer(self, number: int) -> tuple[int, float]:
        status = self.statuses[min(number, len(self.statuses) - 1)]
        return status, self.delays[number] if number < len(self.delays) else 0.0

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        return wait_for(self.requests, count, timeout, "requests")


@contextmanager
def http_receiver(port: int = 0, **kwargs) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 (on `port`, to bring back one that was down)."""
    receiver = Receiver(**kwargs)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                number = len(receiver.requests)
                receiver.requests.append(Received(self.path, dict(self.headers), body))
            status, delay = receiver.answer(number)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender gave up (timed out) before the answer

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def verify_request(self, request, client_address) -> bool:
            with lock:
                receiver.connections += 1
            return True

    Server.allow_reuse_address = True
    server = Server(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    receiver.url = f"http://127.0.0.1:{receiver.port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port nothing listens on (a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def verify(secret: str, received: Received) -> bool:
    """What docs/notifications.md tells a receiver to do (without the age check)."""
    timestamp = received.headers["X-Rolecall-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received.headers["X-Rolecall-Signature"], f"v1={expected}")


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)
    port: int = 0
    refusals: list[str] = field(default_factory=list)  # answers to the first messages

    def wait_for(self, count: int, timeout: float = 30) -> list:
        return wait_for(self.messages, count, timeout, "emails")


@contextmanager
def smtp_server(*refusals: str) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 collecting what it receives."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    box = Mailbox(refusals=list(refusals))

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            if box.refusals:
                return box.refusals.pop(0)
            box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    # aiosmtpd connects to its own port to check it started: it needs a fixed one.
    box.port = closed_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
