"""The cleanup page folds regions with nothing to do into one line, controls stay on top."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.cleanup import plan as planning
from roles.models import ServiceLinkedRole

BUSY = ["ap-southeast-2", "eu-west-1", "us-east-1"]  # the demo's prod clusters
IDLE = ["ap-northeast-1", "ca-central-1", "eu-central-1", "us-east-2", "us-west-1", "us-west-2"]


@pytest.fixture
def plan(sync_demo, operator):
    prod = sync_demo("acme-prod", regions=BUSY + IDLE)["acme-prod"]
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    return planning.build(role, user=operator)[0]


def test_regions_with_nothing_to_do_are_one_collapsed_line(operator_client, plan):
    html = operator_client.get(reverse("cleanup-detail", args=[plan.pk])).content.decode()
    assert [r for r in BUSY if f'data-testid="cleanup-region" data-region="{r}"' in html] == BUSY
    assert html.count('data-testid="cleanup-region"') == 3
    folded = html.split('data-testid="idle-regions"')[1].split("</details>")[0]
    assert "<details" not in folded  # one block, not one per region
    assert f"6 regions with nothing to do: {', '.join(IDLE)}</summary>" in folded
    assert folded.count('data-testid="idle-region"') == 6
    assert '<details class="idle-regions" data-testid="idle-regions">' in html  # closed
    # The confirmation form follows the short table, before the per-region steps.
    assert html.index('data-testid="idle-regions"') < html.index('data-testid="execute-form"')
    assert html.index('data-testid="execute-form"') < html.index('data-testid="region-steps"')


def test_an_unreadable_region_is_never_folded_away(operator_client, operator, sync_demo):
    prod = sync_demo("acme-prod", regions=["us-east-1", "us-west-2"])["acme-prod"]
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    plan = planning.build(role, user=operator)[0]
    plan.regions.filter(region="us-west-2").update(
        state="unread", read_error={"code": "AccessDenied", "message": "no", "request_id": "r1"}
    )
    html = operator_client.get(reverse("cleanup-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="cleanup-region" data-region="us-west-2"' in html
    assert 'data-testid="idle-regions"' not in html
