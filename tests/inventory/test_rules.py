"""The documented rules (roles/inventory/rules.py) cover the emulator's catalogue and cite what
docs/readiness.md or docs/catalogue.md read."""

from __future__ import annotations

from pathlib import Path

from emulator.policies import CATALOGUE
from roles.aws.blockers import READERS, reader_for
from roles.inventory import catalogue
from roles.inventory.models import ECS_PRINCIPAL
from roles.inventory.rules import RULES, rule_for

DOCS = Path(__file__).resolve().parents[2] / "docs"
READING = (DOCS / "readiness.md").read_text() + (DOCS / "catalogue.md").read_text()
FIRST = {  # the services docs/readiness.md reads in full, with rules of their own
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "autoscaling.amazonaws.com",
    "rds.amazonaws.com",
    "elasticache.amazonaws.com",
    "eks.amazonaws.com",
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "config.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "sso.amazonaws.com",
    "organizations.amazonaws.com",
    "trustedadvisor.amazonaws.com",
    "support.amazonaws.com",
    "spot.amazonaws.com",
}


def test_every_catalogued_service_has_a_rule_citing_a_page_of_the_reading():
    assert sorted(set(CATALOGUE) - set(RULES)) == []
    assert sorted(set(catalogue.by_principal()) - set(RULES)) == []
    uncited = {p: r.source for p, r in RULES.items() if f"<{r.source}>" not in READING}
    assert uncited == {}


def test_a_rule_is_checked_exactly_where_rolecall_has_a_reader():
    read = {p for p in RULES if p == ECS_PRINCIPAL or reader_for(p) is not None}
    assert {p for p, r in RULES.items() if r.checked} == read
    assert sorted(set(read) - {ECS_PRINCIPAL}) == sorted(READERS)
    # Of the first services, Trusted Advisor, Support and EC2 Spot: nothing a member
    # account can read.
    assert sorted(FIRST - read) == [
        "spot.amazonaws.com",
        "support.amazonaws.com",
        "trustedadvisor.amazonaws.com",
    ]
    assert all(r.found for r in RULES.values() if r.checked)
    assert rule_for("example.amazonaws.com") is None


def test_a_catalogue_rule_not_read_says_why_and_quotes_aws():
    for principal, entry in catalogue.by_principal().items():
        rule = RULES[principal]
        assert rule.quote == entry.quote
        if rule.checked or not rule.deletable:
            assert rule.why == ""
        else:
            assert rule.why, principal
    assert RULES["redshift.amazonaws.com"].checked
    kafka = RULES["kafka.amazonaws.com"]
    assert not kafka.checked and "no deletion section" in kafka.why


def test_only_support_and_the_kms_roles_are_forbidden():
    assert sorted(p for p, r in RULES.items() if not r.deletable) == [
        "cks.kms.amazonaws.com",
        "mrk.kms.amazonaws.com",
        "support.amazonaws.com",
    ]
