"""The REST API example (docs/api.md), run as written against a live server.

The only change is the address: the page names `make run`'s port (8000), the
test's server listens on a port of its own.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.docs import doc_text
from tests.support.processes import process_env

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def readme_api_block() -> str:
    (block,) = re.findall(r"```sh\n(.*?)```", doc_text("api.md"), flags=re.S)
    return block


def test_the_readme_lists_ready_roles_with_a_token_it_makes(live_server, sync_demo, operator):
    sync_demo("acme-staging")
    block = readme_api_block()
    assert "http://127.0.0.1:8000/api/v1/roles/" in block
    script = block.replace("http://127.0.0.1:8000", live_server.url)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["results"], body
    assert {row["verdict"] for row in body["results"]} == {"ready"}
    assert "AWSServiceRoleForECS" in {row["name"] for row in body["results"]}
