"""Two processes appending at once must not fork the chain."""

import subprocess
import sys

import pytest

from roles.audit.verify import verify
from roles.models import AuditEvent
from tests.support.processes import ROOT, process_env

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

WRITER = """
import django, sys
django.setup()
from roles.models import AuditEvent
for i in range(int(sys.argv[1])):
    AuditEvent.objects.record("sync.started", details={"writer": sys.argv[2], "i": i})
"""


def test_concurrent_appends_from_two_processes_keep_the_chain_valid(transactional_db):
    per_writer = 150
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(per_writer), name],
            cwd=ROOT,
            env=process_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for proc in writers:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert AuditEvent.objects.count() == 2 * per_writer
    writers_seen = {e["writer"] for e in AuditEvent.objects.values_list("details", flat=True)}
    assert writers_seen == {"a", "b"}
    verdict = verify()
    assert verdict.ok, verdict
    assert verdict.count == 2 * per_writer
