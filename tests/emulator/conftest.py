"""Fixtures: one emulator process for the whole test run, reset to a scenario per test.

Every test talks to it through boto3 over HTTP, as rolecall does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # make the emulator package importable without installing it
    sys.path.insert(0, str(ROOT))

from emulator.testing import EmulatorProcess  # noqa: E402

HUB = "123456789012"
PROD = "111111111111"
STAGING = "222222222222"
SANDBOX = "333333333333"
LEGACY = "444444444444"  # SUSPENDED in the demo organization, with no roles
EXTERNAL_ID = "rolecall-demo"

# No automatic retries: tests count every call and see every injected fault.
# (botocore reads retries["max_attempts"] as retries *after* the first attempt.)
NO_RETRY = Config(
    retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=30
)


@pytest.fixture(scope="session")
def emulator():
    # Poll-count deletion keeps lifecycle tests fast; tests that need wall time switch.
    with EmulatorProcess("demo", "--deletion-polls", "2") as process:
        yield process


@pytest.fixture
def control(emulator):
    emulator.control.reset("demo")
    return emulator.control


class Aws:
    """boto3 clients for any account: the hub directly, others through AssumeRole."""

    def __init__(self, url: str):
        self.url = url
        self._credentials: dict[str, dict] = {}

    def client(self, service: str, region: str = "us-east-1", account: str = HUB):
        if account == HUB:
            keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        else:
            keys = self.credentials(account)
        return boto3.client(
            service, endpoint_url=self.url, region_name=region, config=NO_RETRY, **keys
        )

    def forget(self) -> None:
        """Drop cached AssumeRole credentials (a reset invalidates them)."""
        self._credentials.clear()

    def credentials(self, account: str) -> dict:
        if account not in self._credentials:
            sts = self.client("sts")
            answer = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/RolecallAudit",
                RoleSessionName="rolecall",
                ExternalId=EXTERNAL_ID,
            )
            creds = answer["Credentials"]
            self._credentials[account] = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        return self._credentials[account]


@pytest.fixture
def aws(emulator, control):
    """Clients against a freshly reset demo scenario."""
    return Aws(emulator.url)
