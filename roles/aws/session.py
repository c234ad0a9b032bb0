"""Per-account boto3 sessions: role assumption, retry policy, timeouts, call counting.

Credentials come from the standard boto3 chain (environment, AWS_PROFILE,
instance role...). An account with a role ARN is reached by sts:AssumeRole
from those credentials, with its external id. AWS_ENDPOINT_URL (the local
emulator) is honoured by botocore itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import boto3
from botocore.config import Config
from django.conf import settings

from roles.aws.errors import AwsError


@dataclass(frozen=True)
class Target:
    """What rolecall needs to reach one AWS account."""

    account_id: str
    role_arn: str = ""
    external_id: str = ""
    session_name: str = "rolecall"


class CallCounter:
    """Counts HTTP requests sent to AWS (retries included), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0

    def __call__(self, **kwargs) -> None:
        with self._lock:
            self.total += 1


def _config() -> Config:
    return Config(
        retries={"mode": "standard", "max_attempts": settings.ROLECALL_AWS_MAX_ATTEMPTS},
        connect_timeout=settings.ROLECALL_AWS_CONNECT_TIMEOUT,
        read_timeout=settings.ROLECALL_AWS_READ_TIMEOUT,
        max_pool_connections=settings.ROLECALL_AWS_MAX_POOL,
    )


class AccountSession:
    """Clients for one account, created once per (service, region) and shared by threads."""

    def __init__(self, target: Target, counter: CallCounter | None = None) -> None:
        self.target = target
        self.counter = counter or CallCounter()
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self._session = self._base_session()
        if target.role_arn:
            self._session = self._assumed_session()

    def _base_session(self) -> boto3.session.Session:
        session = boto3.session.Session()
        session.events.register("before-send", self.counter)
        return session

    def _assumed_session(self) -> boto3.session.Session:
        sts = self._session.client(
            "sts", region_name=settings.ROLECALL_AWS_HOME_REGION, config=_config()
        )
        kwargs = {"RoleArn": self.target.role_arn, "RoleSessionName": self.target.session_name}
        if self.target.external_id:
            kwargs["ExternalId"] = self.target.external_id
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except Exception as exc:
            raise AwsError.from_exception(exc, "AssumeRole") from exc
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        session.events.register("before-send", self.counter)
        return session

    def client(self, service: str, region: str | None = None):
        region = region or settings.ROLECALL_AWS_HOME_REGION
        key = (service, region)
        with self._lock:  # boto3 sessions are not thread-safe; clients are.
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=region, config=_config()
                )
            return self._clients[key]

    @property
    def calls(self) -> int:
        return self.counter.total
