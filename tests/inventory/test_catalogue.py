"""The catalogue (roles/inventory/catalogue.json): docs/catalogue.md says what the code
does, every entry is cited, and every catalogue reader's actions are in the read role
and nowhere else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from emulator import member_roles
from roles.aws.blockers import READERS
from roles.aws.readers import collect
from roles.inventory import catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_docs_catalogue_is_written_from_the_catalogue_and_the_readers():
    done = subprocess.run(
        [sys.executable, "scripts/catalogue_doc.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "ROLECALL_ENV_FILE": ""},
    )
    assert done.returncode == 0, done.stderr


def test_every_entry_names_its_page_and_quotes_it_or_says_why_not():
    for entry in catalogue.entries():
        assert entry.service and entry.source, entry
        assert entry.where in {"region", "account", "organization", "none", "refused"}, entry
        assert entry.verdict in {"reader", "not_checked", "refused"}, entry
        if entry.verdict != "reader":
            assert entry.why, entry.service
        for read in entry.reads:
            assert read["action"].count(":") == 1, read


def test_every_catalogue_reader_reads_a_catalogued_service():
    assert sorted(set(collect()) - set(catalogue.by_principal())) == []


def _actions(logical_id: str) -> set[str]:
    role = member_roles.role(logical_id, "222222222222")
    return {
        action
        for document in role.policies.values()
        for statement in document["Statement"]
        for action in member_roles.as_actions(statement)
    }


def test_each_reader_action_is_in_the_read_role_and_the_change_role_gains_none():
    needed = {action for reader in READERS.values() for action in reader.actions}
    read, change = _actions("ReadRole"), _actions("ChangeRole")
    assert sorted(needed - read) == []
    catalogue_actions = {a for reader in collect().values() for a in reader.actions}
    assert catalogue_actions & change == set()
