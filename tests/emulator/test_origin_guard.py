"""The emulator serves only its own origin: no cross-site or DNS-rebound requests.

A web page the user visits can make the browser POST to 127.0.0.1:4566 without a
CORS preflight (text/plain or form bodies); these tests send exactly what such a
page would, over HTTP, and check the emulator refuses it and changes nothing.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import boto3
import pytest

from tests.emulator.conftest import NO_RETRY

EVIL = "http://attacker.example"


def send(url: str, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        # skip_host: the test sets Host itself (or leaves the default below).
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": parts.netloc, **(headers or {})}
        if body:
            headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_attack_cross_site_text_plain_post_to_control_is_refused(emulator, control):
    body = json.dumps({"faults": [{"operation": "iam:GetRole", "error": "Throttling"}]}).encode()
    status, answer = send(
        emulator.url,
        "POST",
        "/_emulator/faults",
        body,
        {"Content-Type": "text/plain;charset=UTF-8", "Origin": EVIL},
    )
    assert status == 403
    assert "Origin" in json.loads(answer)["error"]
    assert control.faults() == []


def test_attack_cross_site_text_plain_post_to_moto_api_is_refused(emulator, aws):
    aws.client("iam").create_role(RoleName="Kept", AssumeRolePolicyDocument="{}")
    status, _ = send(
        emulator.url,
        "POST",
        "/moto-api/reset",
        b"{}",
        {"Content-Type": "text/plain", "Origin": EVIL},
    )
    assert status == 403
    assert aws.client("iam").get_role(RoleName="Kept")["Role"]["RoleName"] == "Kept"


def test_attack_cross_site_form_post_of_an_aws_action_is_refused(emulator, aws):
    aws.client("iam").create_role(RoleName="Victim", AssumeRolePolicyDocument="{}")
    status, _ = send(
        emulator.url,
        "POST",
        "/",
        b"Action=DeleteRole&RoleName=Victim&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": "null"},
    )
    assert status == 403
    assert aws.client("iam").get_role(RoleName="Victim")["Role"]["RoleName"] == "Victim"


def test_attack_dns_rebinding_wrong_host_is_refused(emulator, control):
    port = urlsplit(emulator.url).port
    body = json.dumps({"ms": 500}).encode()
    for path, method, payload in (
        ("/_emulator/latency", "POST", body),
        ("/_emulator/calls", "GET", b""),
        ("/moto-api/", "GET", b""),
    ):
        status, answer = send(
            emulator.url,
            method,
            path,
            payload,
            {"Host": f"rebind.attacker.example:{port}", "Content-Type": "application/json"},
        )
        assert status == 403, path
        assert "Host" in json.loads(answer)["error"]
    assert control._call("GET", "latency")["ms"] == 0


def test_control_post_must_be_json_even_from_its_own_origin(emulator, control):
    status, answer = send(
        emulator.url,
        "POST",
        "/_emulator/latency",
        b'{"ms": 500}',
        {"Content-Type": "text/plain", "Origin": emulator.url},
    )
    assert status == 403
    assert "application/json" in json.loads(answer)["error"]
    assert control._call("GET", "latency")["ms"] == 0


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_json_post_from_its_own_origin_works(emulator, control, name):
    port = urlsplit(emulator.url).port
    status, answer = send(
        emulator.url,
        "POST",
        "/_emulator/latency",
        b'{"ms": 7}',
        {
            "Host": f"{name}:{port}",
            "Origin": f"http://{name}:{port}",
            "Content-Type": "application/json",
        },
    )
    assert status == 200, answer
    assert json.loads(answer)["ms"] == 7
    assert control._call("GET", "latency")["ms"] == 7


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_boto3_still_works_through_either_local_name(emulator, control, name):
    port = urlsplit(emulator.url).port
    for region in ("us-east-1", "eu-west-1"):
        client = boto3.client(
            "sts",
            endpoint_url=f"http://{name}:{port}",
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=NO_RETRY,
        )
        assert client.get_caller_identity()["Account"] == "123456789012"
    ecs = boto3.client(
        "ecs",
        endpoint_url=f"http://{name}:{port}",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=NO_RETRY,
    )
    assert isinstance(ecs.list_clusters()["clusterArns"], list)


def test_moto_api_is_still_usable_from_its_own_origin(emulator, control):
    status, answer = send(emulator.url, "GET", "/moto-api/data.json")
    assert status == 200
    assert isinstance(json.loads(answer), dict)
