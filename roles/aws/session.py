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
    """What rolecall needs to reach one AWS account.

    A change session (roles/aws/change.py) also names who asked (the source
    identity), session tags (who approved, which rolecall request) and a short
    duration; AWS keeps the first two on every call the session makes.
    """

    account_id: str
    role_arn: str = ""
    external_id: str = ""
    session_name: str = "rolecall"
    source_identity: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    duration_seconds: int | None = None


class CallCounter:
    """Counts HTTP requests sent to AWS (retries included), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0

    def __call__(self, **kwargs) -> None:
        with self._lock:
            self.total += 1


def _config(attempts: int | None = None) -> Config:
    return Config(
        retries={
            "mode": "standard",
            "total_max_attempts": attempts or settings.ROLECALL_AWS_MAX_ATTEMPTS,
        },
        connect_timeout=settings.ROLECALL_AWS_CONNECT_TIMEOUT,
        read_timeout=settings.ROLECALL_AWS_READ_TIMEOUT,
        max_pool_connections=settings.ROLECALL_AWS_MAX_POOL,
    )


_shared: boto3.session.Session | None = None
# boto3 sessions are not thread-safe; clients are. Every client is created
# under this lock from one process-wide session, so each service model is
# loaded from disk once per process instead of once per account.
_create_lock = threading.Lock()


def _client(service: str, region: str, credentials: dict | None, attempts: int | None):
    global _shared
    with _create_lock:
        if _shared is None:
            _shared = boto3.session.Session()
        return _shared.client(
            service, region_name=region, config=_config(attempts), **(credentials or {})
        )


class AccountSession:
    """Clients for one account, created once per (service, region) and shared by threads."""

    def __init__(
        self, target: Target, counter: CallCounter | None = None, *, attempts: int | None = None
    ) -> None:
        """attempts: botocore's total attempts per call. The deletion worker passes 1:
        it schedules its own retries through the database and records each error."""
        self.target = target
        self.counter = counter or CallCounter()
        self.attempts = attempts
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self._credentials: dict | None = None
        self.assumed_arn = ""  # AssumeRole's AssumedRoleUser ARN: who AWS sees calling
        if target.role_arn:
            self._credentials = self._assume()

    def _assume(self) -> dict:
        sts = self._new_client("sts", settings.ROLECALL_AWS_HOME_REGION, None)
        kwargs = {"RoleArn": self.target.role_arn, "RoleSessionName": self.target.session_name}
        if self.target.external_id:
            kwargs["ExternalId"] = self.target.external_id
        if self.target.source_identity:
            kwargs["SourceIdentity"] = self.target.source_identity
        if self.target.tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in self.target.tags]
        if self.target.duration_seconds:
            kwargs["DurationSeconds"] = self.target.duration_seconds
        try:
            answer = sts.assume_role(**kwargs)
        except Exception as exc:
            raise AwsError.from_exception(exc, "AssumeRole") from exc
        creds = answer["Credentials"]
        self.assumed_arn = answer.get("AssumedRoleUser", {}).get("Arn", "")
        return {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }

    def _new_client(self, service: str, region: str, credentials: dict | None):
        client = _client(service, region, credentials, self.attempts)
        client.meta.events.register("before-send", self.counter)
        return client

    def client(self, service: str, region: str | None = None):
        region = region or settings.ROLECALL_AWS_HOME_REGION
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._new_client(service, region, self._credentials)
            return self._clients[key]

    @property
    def calls(self) -> int:
        return self.counter.total
