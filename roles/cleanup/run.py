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

import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from roles.aws import ecs, sts
from roles.aws.errors import AwsError
from roles.aws.session import AccountSession
from roles.cleanup.plan import cluster_protection
from roles.cleanup.service import dispatch_region
from roles.deletion.worker import backoff
from roles.models import (
    AuditEvent,
    CleanupPlan,
    CleanupRegion,
    CleanupStep,
    Notification,
    Outcome,
)
from roles.notify import notify
from roles.protection import protected_because

Action, Status = CleanupStep.Action, CleanupStep.Status
PlanState, RegionState = CleanupPlan.State, CleanupRegion.State
# A task arriving this early for a scheduled retry is a duplicate (seconds).
EARLY_TOLERANCE = 0.5
SERVICE_GONE = {"ServiceNotFoundException", "ServiceNotActiveException", "ClusterNotFoundException"}
GONE = {
    Action.SCALE_DOWN: SERVICE_GONE,
    Action.DELETE_SERVICE: SERVICE_GONE,
    Action.DEREGISTER: {"ClusterNotFoundException"},
    Action.WAIT_FOR_DRAIN: {"ClusterNotFoundException"},
    Action.DELETE_CLUSTER: {"ClusterNotFoundException"},
}
CONTINUE, STOP, FINISHED = "continue", "stop", "finished"
# AWS calls one claim may cover: AssumeRole for the region's client, the step's
# call (or the cluster's tags) and a confirming read.
CALLS_PER_CLAIM = 3
# Seconds for the database work between the claim and the record.
LEASE_SLACK = 5


@dataclass
class Result:
    kind: str  # done | gone | wait | retry | failed
    request_id: str = ""
    error: AwsError | None = None
    note: str = ""


class _Client:
    """One ECS client per task run and region, created on first use (AssumeRole)."""

    def __init__(self, account, region: str) -> None:
        self.account, self.region, self._ecs = account, region, None
        self.answers_as = ""  # the account sts:GetCallerIdentity names for this session
        self._protection: dict[str, str | None] = {}

    def knows(self, cluster_arn: str) -> bool:
        return cluster_arn in self._protection

    def protection(self, cluster_arn: str) -> str | None:
        """Why a cluster must not be touched now, read once per task run: the account
        the credentials really reach must be the one the plan was made in (the
        cluster ARN's, as AWS reported it), and a rolecall:protect tag added after
        planning still stops the steps. AWS calls: never made inside a transaction."""
        if cluster_arn not in self._protection:
            api = self.get()
            planned_in = cluster_arn.split(":")[4]
            if planned_in != self.answers_as or planned_in != self.account.aws_account_id:
                self._protection[cluster_arn] = (
                    f"the plan was made in account {planned_in}, but the account is now "
                    f"{self.account.aws_account_id} and its credentials reach "
                    f"{self.answers_as}: nothing is touched"
                )
                return self._protection[cluster_arn]
            found = ecs.describe_clusters(api, [cluster_arn])
            self._protection[cluster_arn] = cluster_protection(found[0]) if found else None
        return self._protection[cluster_arn]

    def get(self):
        if self._ecs is None:
            # One attempt per call: retries are scheduled here and recorded on the step.
            session = AccountSession(self.account.target(), attempts=1)
            self.answers_as = sts.identity(session).account
            self._ecs = session.client("ecs", self.region)
        return self._ecs


def _perform(client: _Client, step: CleanupStep) -> Result:
    cluster, arn = step.cluster_arn, step.resource_arn
    try:
        api = client.get()
        if step.action == Action.SCALE_DOWN:
            return Result("done", ecs.scale_service_to_zero(api, cluster, arn).request_id)
        if step.action == Action.DELETE_SERVICE:
            return Result("done", ecs.delete_service(api, cluster, arn).request_id)
        if step.action == Action.DEREGISTER:
            return Result("done", ecs.deregister_container_instance(api, cluster, arn).request_id)
        if step.action == Action.DELETE_CLUSTER:
            return Result("done", ecs.delete_cluster(api, cluster).request_id)
        services = list(
            CleanupStep.objects.filter(
                region_id=step.region_id, cluster_arn=cluster, action=Action.DELETE_SERVICE
            ).values_list("resource_arn", flat=True)
        )
        drain = ecs.undrained_services(api, cluster, services)
        if drain.busy:
            return Result("wait", drain.request_id, note=f"{len(drain.busy)} still running tasks")
        return Result("done", drain.request_id, note="Every service has drained.")
    except AwsError as exc:
        if exc.code in GONE.get(step.action, ()):
            return Result("gone", exc.request_id, exc, note=f"Already gone ({exc.code}).")
        if step.action == Action.DEREGISTER and exc.code == "InvalidParameterException":
            # AWS's answer for an unknown instance; make sure that is what it meant.
            try:
                if ecs.container_instance_gone(client.get(), cluster, arn):
                    return Result("gone", exc.request_id, exc, note="Already deregistered.")
            except AwsError:
                pass
        return Result("retry" if exc.retryable else "failed", exc.request_id, exc)


def _audit(plan, step: CleanupStep, result: Result, task_id: str, outcome: str) -> None:
    error = result.error.as_dict() if result.error else {}
    AuditEvent.objects.record(
        "cleanup.step",
        actor_name="system",
        outcome=outcome,
        target_arn=step.resource_arn,
        account_id=plan.account.aws_account_id,
        region=step.region.region,
        aws_request_id=result.request_id,
        task_id=task_id,
        details={
            "cleanup_plan": plan.pk,
            "step": step.order,
            "action": step.action,
            "cluster": step.cluster_arn,
            "result": result.kind,
            "attempt": step.attempts,
            "note": result.note,
            "error": error,
        },
    )


def lease_seconds(step: CleanupStep) -> float:
    """How long one claim may take: every AWS call it covers at its full timeouts."""
    calls = CALLS_PER_CLAIM
    if step.action == Action.WAIT_FOR_DRAIN:
        services = CleanupStep.objects.filter(
            region_id=step.region_id, cluster_arn=step.cluster_arn, action=Action.DELETE_SERVICE
        ).count()
        calls += math.ceil(services / ecs.SERVICE_BATCH)
    per_call = settings.ROLECALL_AWS_CONNECT_TIMEOUT + settings.ROLECALL_AWS_READ_TIMEOUT
    return float(calls * per_call + LEASE_SLACK)


def _release(row: CleanupRegion) -> None:
    row.lease_token, row.lease_until = "", None


def _schedule(row: CleanupRegion, delay: float) -> None:
    row.state, row.next_run_at = RegionState.WAITING, timezone.now() + timedelta(seconds=delay)
    _release(row)
    row.save(update_fields=["state", "next_run_at", "lease_token", "lease_until", "updated"])
    plan_id, region = row.plan_id, row.region
    transaction.on_commit(lambda: dispatch_region(plan_id, region, countdown=delay))


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
        denied = error.code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
        outcome = Outcome.DENIED if denied else Outcome.FAILURE
        verdict = _close_region(row, RegionState.STOPPED)
    step.save()
    _audit(plan, step, result, task_id, outcome)
    return verdict


def _close_region(row: CleanupRegion, state: str) -> str:
    row.state, row.finished, row.next_run_at = state, timezone.now(), None
    _release(row)
    row.save(
        update_fields=["state", "finished", "next_run_at", "lease_token", "lease_until", "updated"]
    )
    return FINISHED if finish_plan(row.plan_id) else STOP


def _skip_protected(row: CleanupRegion, reason: str) -> str:
    row.steps.filter(status=Status.PENDING).update(
        status=Status.SKIPPED,
        note=f"Protected since planning: {reason}",
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
    _audit(row.plan, step, result, task_id, Outcome.DENIED)
    return CONTINUE


def _locked_region(plan_id: int, region: str) -> CleanupRegion | None:
    """The region row, locked until the (short) transaction ends; never across AWS."""
    return (
        CleanupRegion.objects.select_for_update(of=("self",))
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
            return _skip_protected(row, reason)
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
        started = client_for(plan.account).knows(step.cluster_arn)
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
                _audit(claim.row.plan, step, result, task_id, outcome)
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
    client, step = client_for(claim.row.plan.account), claim.step
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
    return _record(claim, token, task_id, _perform(client, step))


def run_region(plan_id: int, region: str, task_id: str = "") -> None:
    """Run the region's pending steps until it ends or must wait (the task's body)."""
    CleanupPlan.objects.filter(pk=plan_id, state=PlanState.QUEUED).update(
        state=PlanState.RUNNING, started=timezone.now()
    )
    clients: dict = {}
    token = secrets.token_hex(16)

    def client_for(account) -> _Client:
        return clients.setdefault(region, _Client(account, region))

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


# --- the end of a plan -------------------------------------------------------------


def finish_plan(plan_id: int) -> bool:
    """Close the plan once every region has ended. Called in a region's short claim or
    record transaction (no AWS call in it), after the region's state was saved; the
    plan row lock makes exactly one region the last."""
    plan = CleanupPlan.objects.select_for_update().select_related("account").get(pk=plan_id)
    if plan.state not in (PlanState.QUEUED, PlanState.RUNNING):
        return False
    if plan.regions.exclude(state__in=CleanupRegion.TERMINAL).exists():
        return False
    counts = {s: plan.steps.filter(status=s).count() for s in Status.values}
    unread = plan.regions.filter(state=RegionState.UNREAD).count()
    if counts[Status.FAILED] == 0 and counts[Status.SKIPPED] == 0 and not unread:
        state, level = PlanState.SUCCEEDED, Notification.Level.SUCCESS
    elif counts[Status.DONE] == 0:
        state, level = PlanState.FAILED, Notification.Level.ERROR
    else:
        state, level = PlanState.PARTIAL, Notification.Level.WARNING
    plan.state, plan.finished = state, timezone.now()
    plan.save(update_fields=["state", "finished", "updated"])
    AuditEvent.objects.record(
        "cleanup.finished",
        actor_name="system",
        outcome=Outcome.SUCCESS if state == PlanState.SUCCEEDED else Outcome.FAILURE,
        target_arn=plan.role_arn,
        account_id=plan.account.aws_account_id,
        details={"cleanup_plan": plan.pk, "state": state, "steps": counts},
    )
    stopped = [
        f"{s.region.region}: {s.action} {s.resource_arn} refused: {s.error_code} "
        f"(request id {s.request_id or 'none'})"
        for s in plan.steps.filter(status=Status.FAILED).select_related("region")
    ]
    body = f"{counts[Status.DONE]} steps done, {counts[Status.SKIPPED]} skipped."
    notify(
        [plan.requested_by, plan.confirmed_by, plan.approved_by],
        f"Cleanup for {plan.role_name} in {plan.account.name} {state}",
        level=level,
        body="\n".join([body, *stopped, *plan.protected_notes]),
        link=reverse("cleanup-detail", args=[plan.pk]),
    )
    return True


def refresh_inventory(plan_id: int) -> None:
    """Re-read the account once the plan ended, so the role's readiness and a
    deletion's evidence show what is left (the plan page's "Delete the role now")."""
    from roles.sync.service import run_sync, start_sync

    plan = CleanupPlan.objects.select_related("account").get(pk=plan_id)
    run = start_sync(plan.account, reason=f"cleanup #{plan.pk} ended")
    CleanupPlan.objects.filter(pk=plan_id).update(resync=run)
    run_sync(run.pk)


def redispatch_overdue(grace: float | None = None) -> list[tuple[int, str]]:
    """Send the task again for every region that should be running and shows no progress:
    a lost message, or a worker that died (once its lease has expired)."""
    grace = settings.ROLECALL_SWEEPER_GRACE if grace is None else grace
    now = timezone.now()
    cutoff = now - timedelta(seconds=grace)
    rows = (
        CleanupRegion.objects.filter(
            plan__state__in=(PlanState.QUEUED, PlanState.RUNNING),
            state__in=(RegionState.PENDING, RegionState.RUNNING, RegionState.WAITING),
            updated__lte=cutoff,
        )
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=cutoff))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .values_list("plan_id", "region")
    )
    sent = []
    for plan_id, region in rows:
        if dispatch_region(plan_id, region):
            sent.append((plan_id, region))
    return sent
