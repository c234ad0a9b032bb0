"""What the cleanup task does in one region: the plan's steps, in order, one at a time.

No transaction or row lock is open while AWS answers: SQLite takes the whole
database's write lock for each transaction, so a lock held across a slow call
would hold up every other region and every web request. As deletions do
(roles/deletion/worker.py), each step is three moves:

1. claim, in a short transaction: the region row gets a lease (this task run's
   token, and lease_until, a bound derived from the AWS timeouts) and the step
   is marked started with its attempt number; committed.
2. the AWS call, with no transaction open; so is the re-read of a cluster's
   rolecall:protect tag (once per cluster and task run).
3. record, in a second short transaction that first checks the lease still
   carries this run's token (compare-and-set): the step's outcome and its audit
   event, committed together.

A second delivery of the same task finds a live lease and leaves without an AWS
call. A worker that dies mid-call leaves its lease to expire; the next run (the
sweeper's redispatch_overdue) repeats only that one unfinished step, whose
"already gone" answer counts as done. Retries and drain checks are scheduled
through next_run_at with short countdowns, as deletions are.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roles import jobs
from roles.audit.models import Outcome
from roles.aws.errors import AwsError
from roles.cleanup.finish import close_region, refresh_inventory
from roles.cleanup.kind import REGION_TASK
from roles.cleanup.models import CleanupPlan, CleanupRegion, CleanupStep
from roles.cleanup.steps import Client, Result, audit, lease_seconds, perform
from roles.core.models import AccountPaused
from roles.inventory.protection import protected_because
from roles.jobs import backoff

Action, Status = CleanupStep.Action, CleanupStep.Status
PlanState, RegionState = CleanupPlan.State, CleanupRegion.State
# A task arriving this early for a scheduled retry is a duplicate (seconds).
EARLY_TOLERANCE = 0.5
CONTINUE, STOP, FINISHED = "continue", "stop", "finished"


def _release(row: CleanupRegion) -> None:
    row.lease_token, row.lease_until = "", None


def _schedule(row: CleanupRegion, delay: float) -> None:
    row.state, row.next_run_at = RegionState.WAITING, timezone.now() + timedelta(seconds=delay)
    _release(row)
    row.save(update_fields=["state", "next_run_at", "lease_token", "lease_until", "updated"])
    jobs.after_commit(REGION_TASK, row.plan_id, row.region, countdown=delay)


def _apply(row: CleanupRegion, step: CleanupStep, result: Result, task_id: str) -> str:
    now, plan = timezone.now(), row.plan
    outcome = Outcome.SUCCESS
    if result.kind in ("done", "gone"):
        step.status, step.finished_at, step.note = Status.DONE, now, result.note
        step.request_id = result.request_id
        verdict = CONTINUE
    elif result.kind == "wait" and now - step.started_at < timedelta(
        seconds=settings.ROLECALL_CLEANUP_DRAIN_TIMEOUT
    ):
        step.note, step.request_id = result.note, result.request_id
        _schedule(row, backoff(step.attempts))
        verdict = STOP
    elif result.kind == "retry" and len(step.transient_errors) < settings.ROLECALL_AWS_RETRY_LIMIT:
        step.transient_errors = [*step.transient_errors, result.error.as_dict()]
        _schedule(row, backoff(len(step.transient_errors)))
        outcome, verdict = Outcome.FAILURE, STOP
    else:
        if result.error is None:
            result.error = AwsError("DrainTimeout", f"Services did not drain: {result.note}.")
        error = result.error
        step.status, step.finished_at = Status.FAILED, now
        step.error_code, step.error_message = error.code, error.message
        step.request_id = error.request_id
        outcome = Outcome.DENIED if error.denied else Outcome.FAILURE
        verdict = _close_region(row, RegionState.STOPPED)
    step.save()
    audit(plan, step, result, task_id, outcome)
    return verdict


def _close_region(row: CleanupRegion, state: str) -> str:
    return FINISHED if close_region(row, state) else STOP


def _skip_protected(row: CleanupRegion, reason: str) -> str:
    row.steps.filter(status=Status.PENDING).update(
        status=Status.SKIPPED,
        note=reason,
        finished_at=timezone.now(),
    )
    return _close_region(row, RegionState.DONE)


def _skip_cluster(row: CleanupRegion, step: CleanupStep, reason: str, task_id: str) -> str:
    """Mark every pending step of the cluster skipped; the region goes on with the rest."""
    skipped = row.steps.filter(status=Status.PENDING, cluster_arn=step.cluster_arn)
    count = skipped.update(
        status=Status.SKIPPED,
        note=f"Protected since planning: {reason}",
        finished_at=timezone.now(),
    )
    result = Result("skipped", note=f"{count} step(s) skipped: {reason}")
    audit(row.plan, step, result, task_id, Outcome.DENIED)
    return CONTINUE


def _locked_region(plan_id: int, region: str) -> CleanupRegion | None:
    """The region row, locked until the (short) transaction ends; never across AWS."""
    return (
        CleanupRegion.objects.select_for_update(of=("self",), no_key=True)
        .select_related("plan", "plan__account")
        .filter(plan_id=plan_id, region=region)
        .first()
    )


@dataclass
class Claim:
    row: CleanupRegion
    step: CleanupStep
    started: bool  # False: the cluster's protect tag must be read first


def _claim(plan_id: int, region: str, token: str, client_for) -> Claim | str:
    """Take (or renew) the region's lease and pick its next step, in one short transaction."""
    with transaction.atomic():
        row = _locked_region(plan_id, region)
        if row is None:
            return STOP
        plan, now = row.plan, timezone.now()
        if plan.state not in (PlanState.QUEUED, PlanState.RUNNING) or row.state in (
            CleanupRegion.TERMINAL
        ):
            return STOP
        if row.lease_token != token and row.lease_until and row.lease_until > now:
            return STOP  # another delivery of this task is working on the region
        early = now + timedelta(seconds=EARLY_TOLERANCE)
        if row.next_run_at and row.next_run_at > early:
            return STOP  # a duplicate; the scheduled run will come
        reason = protected_because(
            role_name=plan.role_name,
            role_arn=plan.role_arn,
            account_id=plan.account.aws_account_id,
        )
        if reason:
            return _skip_protected(row, f"Protected since planning: {reason}")
        try:
            plan.account.refuse_changes()
        except AccountPaused as exc:
            return _skip_protected(row, f"Since planning, {exc}")
        step = row.steps.filter(status=Status.PENDING).order_by("order").first()
        if step is None:
            return _close_region(row, RegionState.DONE)
        row.state, row.next_run_at = RegionState.RUNNING, None
        row.started = row.started or now
        row.lease_token, row.lease_until = token, now + timedelta(seconds=lease_seconds(step))
        row.save(
            update_fields=[
                "state",
                "next_run_at",
                "started",
                "lease_token",
                "lease_until",
                "updated",
            ]
        )
        step.region = row
        started = client_for(plan).knows(step.cluster_arn)
        if started:
            step.attempts += 1
            step.started_at = step.started_at or now
            step.save(update_fields=["attempts", "started_at"])
        return Claim(row, step, started)


def _record(
    claim: Claim,
    token: str,
    task_id: str,
    result: Result | None = None,
    *,
    protected: str = "",
    counts_attempt: bool = False,
) -> str:
    """Record what AWS answered, if the lease is still this run's (compare-and-set)."""
    with transaction.atomic():
        row = _locked_region(claim.row.plan_id, claim.row.region)
        step = CleanupStep.objects.filter(pk=claim.step.pk).first()
        if step is None:
            return STOP
        if counts_attempt:
            step.attempts += 1
            step.started_at = step.started_at or timezone.now()
        if row is None or row.lease_token != token:
            if result is not None:
                # The lease expired and another run took the step over: the call is
                # still audited, its outcome is left to the run that holds the lease.
                result.note = (
                    f"Not recorded: the region's lease passed to another run. {result.note}".strip()
                )
                step.region = claim.row
                failed = result.kind in ("retry", "failed")
                outcome = Outcome.FAILURE if failed else Outcome.SUCCESS
                audit(claim.row.plan, step, result, task_id, outcome)
            return STOP
        if step.status != Status.PENDING:
            return STOP
        step.region = row
        if protected:
            return _skip_cluster(row, step, protected, task_id)
        return _apply(row, step, result, task_id)


def _step(plan_id: int, region: str, client_for, token: str, task_id: str) -> str:
    claim = _claim(plan_id, region, token, client_for)
    if not isinstance(claim, Claim):
        return claim
    client, step = client_for(claim.row.plan), claim.step
    if not claim.started:
        # The cluster's protect tag, read with no transaction open.
        try:
            reason = client.protection(step.cluster_arn)
        except AwsError as exc:
            kind = "retry" if exc.retryable else "failed"
            result = Result(kind, exc.request_id, exc)
            return _record(claim, token, task_id, result, counts_attempt=True)
        if reason:
            return _record(claim, token, task_id, protected=reason)
        return CONTINUE  # the next claim starts the step
    return _record(claim, token, task_id, perform(client, step))


def run_region(plan_id: int, region: str, task_id: str = "") -> None:
    """Run the region's pending steps until it ends or must wait (the task's body)."""
    CleanupPlan.objects.filter(pk=plan_id, state=PlanState.QUEUED).update(
        state=PlanState.RUNNING, started=timezone.now()
    )
    clients: dict = {}
    token = secrets.token_hex(16)

    def client_for(plan) -> Client:
        return clients.setdefault(region, Client(plan, region))

    try:
        while True:
            verdict = _step(plan_id, region, client_for, token, task_id)
            if verdict == FINISHED:
                refresh_inventory(plan_id)
            if verdict != CONTINUE:
                return
    finally:
        # Leaving early (an exception, the time limit): the next run need not
        # wait for the lease to expire.
        CleanupRegion.objects.filter(plan_id=plan_id, region=region, lease_token=token).update(
            lease_token="", lease_until=None
        )
