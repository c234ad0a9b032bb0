"""The documented rules (roles/inventory/rules.py) cover the emulator's catalogue and cite what
docs/readiness.md read."""

from __future__ import annotations

from pathlib import Path

from emulator.policies import CATALOGUE
from roles.aws.blockers import READERS, reader_for
from roles.inventory.models import ECS_PRINCIPAL
from roles.inventory.rules import RULES, rule_for

READING = (Path(__file__).resolve().parents[2] / "docs" / "readiness.md").read_text()


def test_every_catalogued_service_has_a_rule_citing_a_page_of_the_reading():
    assert sorted(set(CATALOGUE) - set(RULES)) == []
    uncited = {p: r.source for p, r in RULES.items() if f"<{r.source}>" not in READING}
    assert uncited == {}


def test_a_rule_is_checked_exactly_where_rolecall_has_a_reader_and_only_support_is_forbidden():
    read = {p for p in RULES if p == ECS_PRINCIPAL or reader_for(p) is not None}
    assert {p for p, r in RULES.items() if r.checked} == read
    assert sorted(set(read) - {ECS_PRINCIPAL}) == sorted(READERS)
    # Trusted Advisor and EC2 Spot: nothing a member account can read.
    assert sorted(set(RULES) - read) == [
        "spot.amazonaws.com",
        "support.amazonaws.com",
        "trustedadvisor.amazonaws.com",
    ]
    assert all(r.found for r in RULES.values() if r.checked)
    assert [p for p, r in RULES.items() if not r.deletable] == ["support.amazonaws.com"]
    assert rule_for("example.amazonaws.com") is None
