"""Helpers to run the emulator from tests and benchmarks (standard library only).

with EmulatorProcess("demo") as emulator:
    emulator.control.add_faults({"operation": "iam:GetRole", "error": "Throttling"})
    iam = boto3.client("iam", endpoint_url=emulator.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

READY_PREFIX = "rolecall emulator listening on "
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control call failed."""


class EmulatorControl:
    """Client for the ``/_emulator/...`` control endpoint."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            f"{self.url}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise EmulatorError(f"{method} /_emulator/{path}: HTTP {error.code} {detail}") from None

    def health(self) -> dict:
        return self._call("GET", "health")

    def state(self) -> dict:
        """The scenario, its parameters, the knobs and the writes since the reset."""
        return self._call("GET", "state")

    def reset(self, scenario: str = "demo", **params: int) -> dict:
        return self._call("POST", "reset", {"scenario": scenario, "params": params})

    def set_latency(self, ms: float, regions: dict[str, float] | None = None) -> dict:
        body: dict = {"ms": ms}
        if regions is not None:
            body["regions"] = regions
        return self._call("POST", "latency", body)

    def add_faults(self, *faults: dict) -> dict:
        return self._call("POST", "faults", {"faults": list(faults)})

    def faults(self) -> list[dict]:
        return self._call("GET", "faults")["faults"]

    def clear_faults(self) -> dict:
        return self._call("DELETE", "faults")

    def set_deletion(
        self,
        mode: str | None = None,
        seconds: float | None = None,
        polls: int | None = None,
        partial_usage: bool | None = None,
        forget_task_on_success: bool | None = None,
    ) -> dict:
        settings = {
            "mode": mode,
            "seconds": seconds,
            "polls": polls,
            "partial_usage": partial_usage,
            "forget_task_on_success": forget_task_on_success,
        }
        return self._call("POST", "deletion", {k: v for k, v in settings.items() if v is not None})

    def calls(self) -> dict:
        return self._call("GET", "calls")

    def reset_calls(self) -> dict:
        return self._call("DELETE", "calls")

    def enforce_iam(self, enabled: bool) -> dict:
        """Judge assumed-role calls against the role's policies (a reset returns to
        the command line's choice)."""
        return self._call("POST", "enforce", {"enabled": enabled})

    def trail(self, operation: str = "", account: str = "", source_identity: str = "") -> list:
        """The calls made with assumed-role credentials, oldest first, as CloudTrail
        would show them (source identity, session tags), optionally filtered."""
        body = {"operation": operation, "account": account, "source_identity": source_identity}
        return self._call("GET", "trail", body)["calls"]

    def clear_trail(self) -> dict:
        return self._call("DELETE", "trail")

    def set_role_last_used(
        self, account: str, role_name: str, date: str | None, region: str | None = None
    ) -> dict:
        return self._call(
            "POST",
            "role-last-used",
            {"account": account, "role_name": role_name, "date": date, "region": region},
        )

    def publish_policy_version(self, policy_name: str, document: dict) -> dict:
        """AWS publishes a new default version of an AWS managed policy, in every account."""
        return self._call(
            "POST", "managed-policy-version", {"policy_name": policy_name, "document": document}
        )

    def set_opted_in_regions(self, account: str, regions: list[str]) -> dict:
        """The opt-in Regions ``account`` has enabled (the others are not-opted-in)."""
        return self._call("POST", "regions", {"account": account, "opted_in": regions})

    def set_trusted_advisor(self, account: str, enabled: bool) -> dict:
        """Trusted Advisor on or off in ``account`` (AWS: its console's Preferences)."""
        return self._call("POST", "trusted-advisor", {"account": account, "enabled": enabled})


class EmulatorProcess:
    """Run ``python -m emulator --port 0`` as a subprocess for the length of a ``with``."""

    def __init__(
        self,
        scenario: str = "demo",
        *extra_args: str,
        host: str = "127.0.0.1",
        startup_timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ):
        self.scenario = scenario
        self.args = [
            sys.executable,
            "-m",
            "emulator",
            "--host",
            host,
            "--port",
            "0",
            "--scenario",
            scenario,
            *extra_args,
        ]
        self.startup_timeout = startup_timeout
        self.env = env
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.control: EmulatorControl | None = None
        self._stderr = None

    def start(self) -> EmulatorProcess:
        self._stderr = tempfile.TemporaryFile()
        env = {**os.environ, **(self.env or {})}
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.process = subprocess.Popen(
            self.args,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        line = self._read_ready_line()
        self.url = line[len(READY_PREFIX) :].split(" ", 1)[0]
        self.control = EmulatorControl(self.url)
        # Keep draining stdout so the child can never block on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _read_ready_line(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        found: list[str] = []

        def read() -> None:
            for line in self.process.stdout:
                if line.startswith(READY_PREFIX):
                    found.append(line.strip())
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        if not found:
            self.stop()
            raise EmulatorError(f"emulator did not become ready: {self.stderr_text().strip()}")
        return found[0]

    def _drain(self) -> None:
        try:
            for _ in self.process.stdout:
                pass
        except (ValueError, OSError):
            pass

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned), or time out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
