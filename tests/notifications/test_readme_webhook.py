"""The webhook receiver snippets of docs/notifications.md, run as written: its Python
verify() accepts what rolecall sends and refuses a tampered body or an old timestamp, and
its openssl example signs as rolecall does."""

import re
import subprocess
import time

import pytest

from roles.models import Delivery
from roles.notifications import delivery
from tests.support.docs import doc_text
from tests.support.outbound import SECRET, route, tell, webhook
from tests.support.receivers import http_receiver


def section() -> str:
    return doc_text("notifications.md")


def readme_verify():
    (snippet,) = re.findall(r"```python\n(.*?)```", section(), flags=re.S)
    namespace: dict = {}
    exec(compile(snippet, "docs/notifications.md", "exec"), namespace)  # noqa: S102 - our docs
    return namespace["verify"]


@pytest.fixture(autouse=True)
def local_receivers(settings):
    settings.ROLECALL_DEMO = (
        True  # http:// on 127.0.0.1 (tests/notifications/test_webhook_addresses.py)
    )


def test_the_readme_verify_accepts_rolecalls_events_and_nothing_else(operator):
    verify = readme_verify()
    with http_receiver() as receiver:
        hook = webhook(receiver.url)
        route(operator, webhooks=[hook])
        (row,) = tell([operator])
        assert delivery.deliver(row.pk) == Delivery.State.DELIVERED
        (received,) = receiver.requests
    assert verify(SECRET, received.headers, received.body)
    assert not verify("whsec_another", received.headers, received.body)
    assert not verify(SECRET, received.headers, received.body + b" ")
    old = {**received.headers, "X-Rolecall-Timestamp": str(int(time.time()) - 301)}
    assert not verify(SECRET, old, received.body)


def test_the_readme_openssl_example_signs_as_rolecall_does(db):
    (block,) = re.findall(r"```sh\n(.*?)```", section(), flags=re.S)
    assert "secret='whsec_...'" in block and "https://receiver.example.com/rolecall" in block
    with http_receiver() as receiver:
        script = block.replace("whsec_...", SECRET).replace(
            "https://receiver.example.com/rolecall", receiver.url
        )
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        (received,) = receiver.wait_for(1)
    assert readme_verify()(SECRET, received.headers, received.body)
