"""Deletions and cleanups driven through their worker steps in this process, no broker.

Each step is called as its task would call it (roles/deletion/worker.py,
roles/cleanup/run.py), the wait scheduled before it made due at once; the real
worker processes are tested in tests/deletion/test_deletion_worker.py and
tests/cleanup/test_cleanup_worker.py. The sweeper's re-dispatch is here too, limited to
cleanup regions, for the lease tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models
from django.utils import timezone

from roles.cleanup import plan as planning
from roles.cleanup import run
from roles.cleanup.operation import CLEANUPS
from roles.cleanup.service import request_execution
from roles.deletion import worker
from roles.inventory.sync.service import run_sync
from roles.jobs.sweeper import sweep
from roles.models import CleanupPlan, CleanupRegion, DeletionRequest, ServiceLinkedRole

Row = TypeVar("Row", bound=models.Model)


def _step_until(row: Row, done: Callable[[Row], bool], step: Callable[[Row], None], limit: int):
    """Re-read row and take one step until done(row); a row still going after limit
    steps fails the test instead of looping."""
    for _ in range(limit):
        row.refresh_from_db()
        if done(row):
            return row
        step(row)
    raise AssertionError(f"{row._meta.model_name} #{row.pk} still {row.state} after {limit} steps")


def drive_deletion(deletion: DeletionRequest, *, max_steps: int = 20) -> DeletionRequest:
    """Submit and poll until the request ends or waits for an approver."""

    def done(d: DeletionRequest) -> bool:
        return not d.is_active or d.state == DeletionRequest.State.AWAITING_APPROVAL

    def step(d: DeletionRequest) -> None:
        DeletionRequest.objects.filter(pk=d.pk).update(next_poll_at=timezone.now())
        if d.state == DeletionRequest.State.QUEUED:
            worker.submit(d.pk, task_id="test")
        else:
            worker.poll(d.pk, task_id="test")

    return _step_until(deletion, done, step, max_steps)


def drive_cleanup(plan: CleanupPlan, *, max_steps: int = 50) -> CleanupPlan:
    """Run every unfinished region until the plan ends; then the inventory re-read
    it queued, as the sync worker would."""

    def done(p: CleanupPlan) -> bool:
        return p.state not in (CleanupPlan.State.QUEUED, CleanupPlan.State.RUNNING)

    def step(p: CleanupPlan) -> None:
        CleanupRegion.objects.filter(plan=p).update(next_run_at=timezone.now())
        for row in p.regions.exclude(state__in=CleanupRegion.TERMINAL):
            run.run_region(p.pk, row.region, task_id="test")

    plan = _step_until(plan, done, step, max_steps)
    if plan.resync_id:
        run_sync(plan.resync_id, task_id="test")
        plan.refresh_from_db()
    return plan


def planned_and_queued(account, user) -> CleanupPlan:
    """A new plan for the account's ECS role, its execution requested by user."""
    role = ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")
    plan, created = planning.build(role, user=user)
    assert created
    return request_execution(plan, user=user)


def redispatch_overdue(grace: float | None = None) -> list[tuple[int, str]]:
    """One sweep of cleanup regions only, answering as (plan id, region) pairs."""
    sent = sweep(grace, operations=(CLEANUPS,)).cleanups
    rows = CleanupRegion.objects.filter(pk__in=sent).values_list("pk", "plan_id", "region")
    where = {pk: (plan_id, region) for pk, plan_id, region in rows}
    return [where[pk] for pk in sent]
