"""The campaign benchmark (bench/campaign.py) runs at a tiny size with the Procfile's
own workers and prints what docs/performance.md quotes: the campaign against the sequential
sum of single deletions, the AWS calls against their minimum, and its page's queries
running and idle."""

from __future__ import annotations

import re

import pytest

from bench.campaign import scheduled_polls
from tests.support.bench import run_worker_bench
from tests.support.docs import doc_text

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

COMMAND = ".venv/bin/python -m bench.campaign"
CAMPAIGN = re.compile(
    r"campaign: (\d+) roles in ([\d.]+) s from approval to finished "
    r"\((\d+) succeeded, (\d+) failed, (\d+) skipped\)"
)
SEQUENTIAL = re.compile(r"sequential sum: ([\d.]+) s \(mean of (\d+) single deletions")
DELETES = re.compile(r"DeleteServiceLinkedRole: (\d+) \(minimum (\d+), one per role\)")
STATUSES = re.compile(
    r"GetServiceLinkedRoleDeletionStatus: (\d+) \(minimum (\d+): (\d+) per role, .*; "
    r"(\d+) on schedule: (\d+) per role"
)
PAGE = re.compile(
    r"(/campaigns/\d+/(?: \(htmx\))?): queries running (\d+), idle (\d+); "
    r"median ([\d.]+) ms running \((\d+) fetches\), ([\d.]+) ms idle"
)
DRAFT = re.compile(r"  as a draft: queries (\d+) for (\d+) roles \(1 account\), (\d+) for (\d+)")
SUMMARY = re.compile(
    r"summary: (\d+) roles in ([\d.]+) s, ([\d.]+) of the sequential sum \(([\d.]+) s\); "
    r"DeleteServiceLinkedRole (\d+) / (\d+), GetServiceLinkedRoleDeletionStatus (\d+) / (\d+) "
    r"\((\d+) on schedule\); page queries (\d+) running / (\d+) idle"
)


def one(pattern: re.Pattern, lines: list[str]) -> re.Match:
    found = [m for line in lines if (m := pattern.match(line))]
    assert len(found) == 1, (pattern.pattern, lines)
    return found[0]


def test_the_fewest_status_calls_follow_the_poll_schedule(settings):
    settings.ROLECALL_POLL_BACKOFF_START, settings.ROLECALL_POLL_BACKOFF_CAP = 1, 30
    # Polls 1 s, 3 s, 7 s ... after the submit: the first at or after the task's end.
    assert scheduled_polls({"mode": "seconds", "seconds": 3.0, "polls": 2}) == 2
    assert scheduled_polls({"mode": "seconds", "seconds": 0.5, "polls": 2}) == 1
    assert scheduled_polls({"mode": "seconds", "seconds": 0.0, "polls": 2}) == 1
    assert scheduled_polls({"mode": "seconds", "seconds": 3.5, "polls": 2}) == 3
    assert scheduled_polls({"mode": "polls", "seconds": 3.0, "polls": 2}) == 3


@pytest.mark.worker
@pytest.mark.postgresql
def test_the_campaign_benchmark_runs_as_the_readme_shows_it():
    options = ["--accounts", "3", "--roles-per-account", "3", "--singles", "2"]
    lines = run_worker_bench("campaign", *options, "--timeout", "120")
    assert any(line.startswith("Procfile: worker --queues celery,sync") for line in lines)

    campaign = one(CAMPAIGN, lines)
    roles, seconds = int(campaign.group(1)), float(campaign.group(2))
    assert roles >= 4  # 3 accounts x 3 roles, less those the draft set apart
    assert (int(campaign.group(3)), int(campaign.group(4)), int(campaign.group(5))) == (
        roles,
        0,
        0,
    )
    sequential = one(SEQUENTIAL, lines)
    assert int(sequential.group(2)) == 2
    # Every role deleted once: one DeleteServiceLinkedRole each; status calls at least
    # one each (the emulator's 3 s task tells its outcome to one call made after it),
    # 2 each when the polls (1 s, 3 s after the submit) come on time.
    deletes = one(DELETES, lines)
    assert int(deletes.group(1)) == int(deletes.group(2)) == roles
    statuses = one(STATUSES, lines)
    calls, fewest, per_role, scheduled, polls = map(int, statuses.groups())
    assert (fewest, per_role, scheduled, polls) == (roles, 1, 2 * roles, 2)
    assert roles <= calls <= 3 * roles

    pages = {m.group(1): m for line in lines if (m := PAGE.match(line))}
    assert len(pages) == 2, lines  # the page and the fragment it polls
    for page in pages.values():
        assert page.group(2) == page.group(3)  # queries running == idle
        assert int(page.group(5)) >= 1 and float(page.group(4)) > 0
    drafts = [m for line in lines if (m := DRAFT.match(line))]
    assert len(drafts) == 2
    for d in drafts:  # a draft of more roles reads the same queries
        assert int(d.group(4)) > int(d.group(2)) and d.group(1) == d.group(3), d.group(0)

    summary = SUMMARY.match(lines[-1])
    assert summary, lines[-1]
    assert int(summary.group(1)) == roles and float(summary.group(2)) == seconds
    # The figures are the benchmark's to print (docs/performance.md), not a timed
    # test's to judge on a shared machine: here only that it ran the roles at once.
    ratio = float(summary.group(3))
    assert 0 < ratio < 1, lines
    assert abs(ratio - seconds / float(summary.group(4))) < 0.01
    assert summary.group(5) == summary.group(6) == str(roles)
    assert summary.group(8) == str(roles) and summary.group(9) == str(2 * roles)
    assert summary.group(10) == summary.group(11)  # queries running == idle
    assert f"`{COMMAND}`" in doc_text("performance.md")
