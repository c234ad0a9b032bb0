"""Deletion outcomes per week on /deletions/ (roles/accounts/charts.py deletion_weeks)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.deletion import charts as activity
from roles.models import Account, DeletionRequest, ServiceLinkedRole
from tests.inventory.test_large_pages import page_queries


def role(account: Account, n: int) -> ServiceLinkedRole:
    principal = f"s{n}.amazonaws.com"
    return ServiceLinkedRole.objects.create(
        account=account,
        account_name=account.name,
        arn=f"arn:aws:iam::{account.aws_account_id}:role/aws-service-role/{principal}/R{n}",
        name=f"R{n}",
        path=f"/aws-service-role/{principal}/",
        service_principal=principal,
    )


def ended(account: Account, state: str, weeks_ago: int, n: int) -> DeletionRequest:
    target = role(account, n)
    finished = timezone.now() - timedelta(weeks=weeks_ago)
    return DeletionRequest.objects.create(
        role=target,
        account=account,
        role_arn=target.arn,
        role_name=target.name,
        requested_by_name="alice",
        state=state,
        finished=finished,
    )


@pytest.fixture
def history(db):
    """This week: 2 succeeded, 1 error; two weeks ago: 1 failed, 1 rejected; 20 weeks
    ago (out of the chart): 1 succeeded; another account: 1 succeeded this week; and
    one still running."""
    prod = Account.objects.create(aws_account_id="111111111111", name="prod")
    other = Account.objects.create(aws_account_id="222222222222", name="other")
    for n, (state, weeks) in enumerate(
        [
            ("succeeded", 0),
            ("succeeded", 0),
            ("error", 0),
            ("failed", 2),
            ("rejected", 2),
            ("succeeded", 20),
        ]
    ):
        ended(prod, state, weeks, n)
    ended(other, "succeeded", 0, 50)
    running = ended(prod, "in_progress", 0, 60)
    DeletionRequest.objects.filter(pk=running.pk).update(finished=None)
    return prod


def week_rows(html: str) -> list[list[str]]:
    body = html.split('data-testid="deletion-activity-table"')[1].split("</tbody>")[0]
    return [
        re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])
    ]


def test_it_counts_outcomes_per_week(viewer_client, history):
    response = viewer_client.get(reverse("deletions"))
    weeks = response.context["weeks"]
    assert len(weeks) == activity.WEEKS
    assert weeks[-1].counts == {"succeeded": 3, "failed": 1, "rejected": 0}
    assert weeks[-3].counts == {"succeeded": 0, "failed": 1, "rejected": 1}
    assert sum(sum(w.counts.values()) for w in weeks) == 6
    today = timezone.localdate()
    assert weeks[-1].start == today - timedelta(days=today.weekday())
    html = response.content.decode()
    rows = week_rows(html)
    assert rows[-1] == [weeks[-1].start.isoformat(), "3", "1", "0"]
    assert rows[-3][1:] == ["0", "1", "1"]
    titles = [unescape(t) for t in re.findall(r'<g data-testid="bar"><title>([^<]*)<', html)]
    assert titles[-1] == f"Week of {weeks[-1].start:%Y-%m-%d}: 3 succeeded, 1 failed, 0 rejected"
    assert 'aria-labelledby="deletion-weeks-title deletion-weeks-desc"' in html
    assert "The last 12 weeks: 3 succeeded, 2 failed, 1 rejected." in html


def test_it_follows_the_account_filter(viewer_client, history):
    weeks = viewer_client.get(reverse("deletions"), {"account": history.pk}).context["weeks"]
    assert weeks[-1].counts == {"succeeded": 2, "failed": 1, "rejected": 0}


def test_a_bad_filter_is_still_a_400(viewer_client, history):
    assert viewer_client.get(reverse("deletions"), {"state": "nonsense"}).status_code == 400


def test_the_page_makes_the_same_queries_for_few_or_many_weeks(viewer_client, history):
    viewer_client.get(reverse("deletions"))
    before, _ = page_queries(viewer_client, reverse("deletions"))
    for n in range(40):
        ended(history, ["succeeded", "failed", "rejected", "error"][n % 4], n % 12, 100 + n)
    assert page_queries(viewer_client, reverse("deletions"))[0] == before
