"""One cleanup step against AWS: the ECS client of a region, the call, its answer.

Nothing here touches the database's locks; roles/cleanup/run.py claims a step
before calling perform() and records the Result after, each in its own short
transaction.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings

from roles.audit.models import AuditEvent
from roles.aws import ecs
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.cleanup.models import CleanupStep
from roles.cleanup.plan import cluster_protection

Action, Status = CleanupStep.Action, CleanupStep.Status
SERVICE_GONE = {"ServiceNotFoundException", "ServiceNotActiveException", "ClusterNotFoundException"}
GONE = {
    Action.SCALE_DOWN: SERVICE_GONE,
    Action.DELETE_SERVICE: SERVICE_GONE,
    Action.DEREGISTER: {"ClusterNotFoundException"},
    Action.WAIT_FOR_DRAIN: {"ClusterNotFoundException"},
    Action.DELETE_CLUSTER: {"ClusterNotFoundException"},
}
# AWS calls one claim may cover: AssumeRole and GetCallerIdentity of the change
# session, the step's call (or the cluster's tags) and a confirming read.
CALLS_PER_CLAIM = 4
# Seconds for the database work between the claim and the record.
LEASE_SLACK = 5


@dataclass
class Result:
    kind: str  # done | gone | wait | retry | failed
    request_id: str = ""
    error: AwsError | None = None
    note: str = ""
    changed_as: str = ""  # the change session's ARN, for a step that changed something


class Client:
    """The ECS clients of one task run and region, each created on first use: the read
    session's (protection and drain reads) and the change session's (the steps'
    calls; roles/aws/change.py), which is the read session's when the account has
    no change role."""

    def __init__(self, plan, region: str) -> None:
        self.plan, self.account, self.region = plan, plan.account, region
        self._ecs = self._change_ecs = None
        self.answers_as = ""  # the account sts:GetCallerIdentity names for the read session
        self.changes_as = ""  # the change session's ARN, as AWS sees it
        self.changes_in = ""  # and its account
        self._reader_arn = ""
        self._change_started = 0.0
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
            self.change()
            reached = {self.account.aws_account_id, self.answers_as, self.changes_in}
            if reached != {planned_in}:
                self._protection[cluster_arn] = (
                    f"the plan was made in account {planned_in}, but the account is now "
                    f"{self.account.aws_account_id} and its credentials reach "
                    f"{self.answers_as} (changes: {self.changes_in}): nothing is touched"
                )
                return self._protection[cluster_arn]
            found = ecs.describe_clusters(api, [cluster_arn])
            self._protection[cluster_arn] = cluster_protection(found[0]) if found else None
        return self._protection[cluster_arn]

    def get(self):
        if self._ecs is None:
            # One attempt per call: retries are scheduled here and recorded on the step.
            aws = AccountAws.for_account(self.account, attempts=1)
            identity = aws.identity()
            self.answers_as, self._reader_arn = identity.account, identity.arn
            self._ecs = aws.ecs(self.region)
        return self._ecs

    def change(self):
        """The change session's ECS client, assumed again before its session (of
        ROLECALL_CHANGE_SESSION_SECONDS) could expire within a minute."""
        renew_at = self._change_started + settings.ROLECALL_CHANGE_SESSION_SECONDS - 60
        if self._change_ecs is not None and self.account.separates_changes:
            if time.monotonic() >= renew_at:
                self._change_ecs = None
        if self._change_ecs is None:
            self._change_started = time.monotonic()
            if not self.account.separates_changes:
                self._change_ecs = self.get()
                self.changes_in, self.changes_as = self.answers_as, self._reader_arn
            else:
                aws = AccountAws.for_change(self.account, self.plan.aws_change())
                identity = aws.identity()
                if self.changes_in and identity.account != self.changes_in:
                    # A renewed session must reach the account protection() checked.
                    raise AwsError(
                        "WrongAccount",
                        f"The change role now acts in account {identity.account}, not "
                        f"{self.changes_in}: nothing is changed.",
                        operation="GetCallerIdentity",
                    )
                self.changes_in, self.changes_as = identity.account, identity.arn
                self._change_ecs = aws.ecs(self.region)
        return self._change_ecs


def perform(client: Client, step: CleanupStep) -> Result:
    """The step's call through the change session (a drain check through the read
    session), and what AWS answered."""
    result = _perform(client, step)
    if step.action != Action.WAIT_FOR_DRAIN:
        result.changed_as = client.changes_as
    return result


# The call each change step makes, with the change session's ECS client.
CHANGES = {
    Action.SCALE_DOWN: lambda api, step: ecs.scale_service_to_zero(
        api, step.cluster_arn, step.resource_arn
    ),
    Action.DELETE_SERVICE: lambda api, step: ecs.delete_service(
        api, step.cluster_arn, step.resource_arn
    ),
    Action.DEREGISTER: lambda api, step: ecs.deregister_container_instance(
        api, step.cluster_arn, step.resource_arn
    ),
    Action.DELETE_CLUSTER: lambda api, step: ecs.delete_cluster(api, step.cluster_arn),
}


def _perform(client: Client, step: CleanupStep) -> Result:
    try:
        if step.action in CHANGES:
            return Result("done", CHANGES[step.action](client.change(), step).request_id)
        return _drained(client, step)
    except AwsError as exc:
        return _refused(client, step, exc)


def _drained(client: Client, step: CleanupStep) -> Result:
    """The drain check: have the cluster's services stopped every task?"""
    services = list(
        CleanupStep.objects.filter(
            region_id=step.region_id, cluster_arn=step.cluster_arn, action=Action.DELETE_SERVICE
        ).values_list("resource_arn", flat=True)
    )
    drain = ecs.undrained_services(client.get(), step.cluster_arn, services)
    if drain.busy:
        return Result("wait", drain.request_id, note=f"{len(drain.busy)} still running tasks")
    return Result("done", drain.request_id, note="Every service has drained.")


def _refused(client: Client, step: CleanupStep, exc: AwsError) -> Result:
    """What an AWS error means for the step: already gone, worth a retry, or failed."""
    if exc.code in GONE.get(step.action, ()):
        return Result("gone", exc.request_id, exc, note=f"Already gone ({exc.code}).")
    if step.action == Action.DEREGISTER and exc.code == "InvalidParameterException":
        # AWS's answer for an unknown instance; make sure that is what it meant.
        try:
            if ecs.container_instance_gone(client.get(), step.cluster_arn, step.resource_arn):
                return Result("gone", exc.request_id, exc, note="Already deregistered.")
        except AwsError:
            pass
    return Result("retry" if exc.retryable else "failed", exc.request_id, exc)


def audit(plan, step: CleanupStep, result: Result, task_id: str, outcome: str) -> None:
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
            "changed_as": result.changed_as,
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
