"""Pending deliveries as the sweeper sees them (roles/jobs/__init__.py Operation).

A pending delivery is due at next_attempt_at. Its task is normally published
after the commit that wrote it, or as a short countdown after a failed attempt;
a long wait between attempts has no message at all, and a message can be lost.
So the sweeper sends every delivery overdue by more than the grace. Unlike the
other operations, a re-send is not audited: for a receiver down for an hour it is
routine, and the delivery log on the webhook's page shows every attempt. What is
counted is re-sends with no attempt in between (the task resets the count): past
ROLECALL_SWEEPER_MAX_DISPATCHES the delivery fails, audited, rather than being
sent for ever to a worker that keeps dying on it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from roles import jobs
from roles.jobs import Operation
from roles.notifications.delivery import audit_end, task
from roles.notifications.models import Delivery

State = Delivery.State
# At most this many deliveries per sweep: the rest wait for the next one.
BATCH = 500


def _overdue_q(grace: float) -> Q:
    return Q(state=State.PENDING, next_attempt_at__lt=timezone.now() - timedelta(seconds=grace))


def give_up(row: Delivery) -> None:
    error = jobs.gave_up("delivery", row, row.state)
    row.state, row.error, row.next_attempt_at = State.FAILED, error["message"], None
    row.save(update_fields=["state", "error", "next_attempt_at"])
    audit_end(row)


def prepare(row: Delivery) -> None:
    # Due again only a full grace from now, whether or not the publish goes through.
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["next_attempt_at"])


def redispatch(row: Delivery) -> bool:
    return jobs.publish(task(row), row.pk)


def sent(row: Delivery) -> None:
    jobs.counted(row)


# SKIP LOCKED: a delivery being sent right now is not overdue, whatever it says.
DELIVERIES = Operation(
    name="delivery",
    model=Delivery,
    overdue_q=_overdue_q,
    related=("webhook", "user"),
    order=("next_attempt_at", "pk"),
    batch=BATCH,
    skip_locked=True,
    give_up=give_up,
    redispatch=redispatch,
    sent=sent,
    prepare=prepare,
)
