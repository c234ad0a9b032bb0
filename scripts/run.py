"""`make run`: prepare the demo and start every Procfile process under honcho.

Demo defaults (each can be overridden from the environment): the local
emulator as the AWS endpoint with dummy credentials, demo users, a random
SECRET_KEY kept under var/.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
BIN = Path(sys.executable).parent


def demo_environment() -> dict[str, str]:
    VAR.mkdir(exist_ok=True)
    key_file = VAR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    env = dict(os.environ)
    if "SECRET_KEY" not in env:
        env.setdefault("SECRET_KEY_FILE", str(key_file))
    env.setdefault("ROLECALL_DEMO", "true")
    env.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    env.setdefault("AWS_ACCESS_KEY_ID", "demo")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "demo")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for_emulator(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def main() -> int:
    env = demo_environment()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "close_interrupted_syncs", "--no-restart")  # demo_accounts below syncs again
    manage(env, "record_settings")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "demo_users")
    print("rolecall is starting at http://127.0.0.1:8000 (Ctrl-C stops everything).", flush=True)
    honcho = subprocess.Popen([str(BIN / "honcho"), "start", "-f", "Procfile"], cwd=ROOT, env=env)
    try:
        # The demo accounts' first sync needs the emulator answering.
        if wait_for_emulator(env["AWS_ENDPOINT_URL"]):
            manage(env, "demo_accounts")
        else:
            print("The emulator did not answer; demo accounts not set up.", file=sys.stderr)
        return honcho.wait()
    except KeyboardInterrupt:
        return honcho.wait()


if __name__ == "__main__":
    sys.exit(main())
