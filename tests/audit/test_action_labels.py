"""Timelines speak words: every audit action has a label, and no page shows a raw code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from roles.audit.actions import ACTIONS
from roles.audit.templatetags import action_label
from roles.deletion.service import request_deletion
from roles.models import AuditEvent, ServiceLinkedRole

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = sorted({code.split(".")[0] for code in ACTIONS})
CODE = re.compile(r"\b(?:" + "|".join(PREFIXES) + r")\.[a-z_]+\b")
ACTION_CELL = re.compile(r'data-testid="action">([^<]*)<')


def test_every_action_the_code_records_has_a_label():
    used = set()
    for path in [*ROOT.joinpath("roles").rglob("*.py"), *ROOT.joinpath("dashboard").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        used |= set(re.findall("[\"'](" + CODE.pattern + ")[\"']", path.read_text()))
    assert "auth.denied" in used and "deletion.requested" in used
    assert sorted(used - set(ACTIONS)) == []
    assert all(label and not CODE.search(label) for label in ACTIONS.values())


def test_an_unlisted_action_still_reads_as_words():
    assert action_label("auth.denied") == "Permission denied"
    assert action_label("deletion.approval_voided") == "Approval voided (evidence changed)"
    assert action_label("account.id_repointed") == "Account: id repointed"


@pytest.fixture
def denied(sync_demo, operator, viewer_client, settings):
    """A deletion waiting for approval, and a viewer's refused attempt to approve it."""
    settings.ROLECALL_REQUIRE_APPROVAL = True
    prod = sync_demo("acme-prod", regions=["us-east-1"])["acme-prod"]
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForEC2Spot")
    deletion = request_deletion(role, user=operator).request
    response = viewer_client.post(reverse("deletion-approve", args=[deletion.pk]), {"comment": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="auth.denied", target_arn=role.arn).exists()
    return role, deletion


def actions_shown(html: str) -> list[str]:
    cells = ACTION_CELL.findall(html)
    assert cells, "no timeline rendered"
    return cells


@pytest.mark.parametrize("page", ["deletion", "role", "audit"])
def test_timelines_show_words_not_codes(operator_client, denied, page):
    role, deletion = denied
    url = {
        "deletion": reverse("deletion-detail", args=[deletion.pk]),
        "role": reverse("role-detail", args=[role.pk]),
        "audit": reverse("audit"),
    }[page]
    cells = actions_shown(operator_client.get(url).content.decode())
    assert "Permission denied" in cells and "Deletion requested" in cells
    assert [c for c in cells if CODE.search(c)] == []
