"""A worker that dies in the middle of a campaign: the campaign goes on, no role twice."""

import pytest

from roles.campaigns import select
from roles.models import Campaign, CampaignRole, DeletionRequest, ServiceLinkedRole
from tests.faults.helpers import DELETE, STAGING, calls, events, notes
from tests.support.campaigns import approved
from tests.support.processes import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker]

# Two deletions at a time in the account, so the kill finds some sent and some waiting.
CAMPAIGN_ENV = {"ROLECALL_CAMPAIGN_PER_ACCOUNT": "2"}


def test_11_a_worker_killed_mid_campaign(
    fault_record, accounts, emulator, processes, operator, approver
):
    record = fault_record(11, "Worker killed (SIGKILL) in the middle of a campaign")
    emulator.control.set_deletion(mode="seconds", seconds=3)
    ready = ServiceLinkedRole.objects.filter(account__aws_account_id=STAGING, verdict="ready")
    campaign = select.draft("staging", ready, user=operator, selection={})
    roles = campaign.roles.filter(state=CampaignRole.State.PENDING).count()
    assert roles >= 4
    first = processes.worker(**CAMPAIGN_ENV)
    campaign = approved(campaign, approver)  # its first advance is published on commit

    def some_sent_some_waiting() -> bool:
        sent = DeletionRequest.objects.filter(campaign=campaign, state="in_progress").count()
        return sent >= 1 and campaign.roles.filter(state="pending").exists()

    wait_for(some_sent_some_waiting, timeout=60, interval=0.05, message="never under way")
    first.kill()
    processes.worker(**CAMPAIGN_ENV)
    processes.beat()

    def finished() -> bool:
        campaign.refresh_from_db()
        return campaign.state == Campaign.State.FINISHED

    output = "".join(line for w in processes.workers for line in w.output[-30:])
    wait_for(finished, timeout=180, message=f"campaign still {campaign.state}\n{output}")

    outcomes = list(
        campaign.roles.filter(state__in=CampaignRole.ACTED_ON).values_list("state", flat=True)
    )
    assert outcomes == ["succeeded"] * roles
    per_role = DeletionRequest.objects.filter(campaign=campaign).values_list("role_id", flat=True)
    assert len(per_role) == len(set(per_role)) == roles  # one request per role
    assert calls(emulator, DELETE) == roles  # one DeleteServiceLinkedRole per role
    finished_notes = [n for n in notes(approver) if "finished" in n[1]]
    assert finished_notes == [
        ("success", f"{campaign.headline} finished: {roles} succeeded, 0 failed, 0 skipped")
    ]
    assert len(events("campaign.finished")) == 1
    record.injected = (
        f"a campaign of {roles} roles in one account, two deletions at a time; kill -9 of the "
        "worker while one was IN_PROGRESS at AWS and others waited; a new worker and beat started"
    )
    record.outcome = (
        f"FINISHED: {roles} succeeded; one DeletionRequest per role; the sweeper re-dispatched "
        f"{len(events('deletion.redispatched'))} deletion step(s) and "
        f"{len(events('campaign.redispatched'))} campaign advance(s); one notification each"
    )
    record.aws_calls = {DELETE: calls(emulator, DELETE)}
    record.data_lost = 0
