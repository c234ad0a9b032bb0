"""The documented rules (roles/rules.py) cover the emulator's catalogue and cite what
docs/readiness.md read."""

from __future__ import annotations

from pathlib import Path

from emulator.policies import CATALOGUE
from roles.rules import RULES, rule_for

READING = (Path(__file__).resolve().parents[1] / "docs" / "readiness.md").read_text()


def test_every_catalogued_service_has_a_rule_citing_a_page_of_the_reading():
    assert sorted(set(CATALOGUE) - set(RULES)) == []
    uncited = {p: r.source for p, r in RULES.items() if f"<{r.source}>" not in READING}
    assert uncited == {}


def test_only_ecs_is_checked_and_only_support_is_not_deletable():
    assert [p for p, r in RULES.items() if r.checked] == ["ecs.amazonaws.com"]
    assert [p for p, r in RULES.items() if not r.deletable] == ["support.amazonaws.com"]
    assert rule_for("example.amazonaws.com") is None
