"""The audit history: append-only, hash-chained, written through one entry point.

Every state change in rolecall, from a view or from a Celery task, calls
``AuditEvent.objects.record(...)``. Rows are never updated or deleted by the
application; on PostgreSQL, triggers (migration 0004) refuse it outright, and
``verify_audit`` detects any edit through the SHA-256 chain (roles/audit/chain.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone

from roles.audit import chain
from roles.audit.actions import ACTIONS

SYSTEM = "system"

# Arbitrary constant key for pg_advisory_xact_lock: appends are serialized so
# two writers can never both extend the chain from the same previous hash.
_APPEND_LOCK_KEY = 0x726F6C6563616C6C  # "rolecall"


class Outcome(models.TextChoices):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class UnknownAction(ValueError):
    """An action missing from roles/audit/actions.py: a misspelt name would write an
    event that no filter, label or report knows. Refused before anything is written."""


def _from_request(request, actor, source_ip, details):
    """The actor, source IP and details a view's event takes from its request."""
    from roles.audit.request import client_ip

    if actor is None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if source_ip is None:
        source_ip = client_ip(request)
    # Through the REST API: which token (roles/api/auth.py ApiAccess).
    via_api = getattr(request, "rolecall_api_token", None)
    if via_api is not None:
        details = {**(details or {}), "via": "api"}
        if via_api:
            details["api_token"] = via_api
    return actor, source_ip, details


class AuditEventManager(models.Manager):
    def record(
        self,
        action: str,
        *,
        actor=None,
        actor_name: str | None = None,
        outcome: str = Outcome.SUCCESS,
        source_ip: str | None = None,
        target_arn: str = "",
        account_id: str = "",
        region: str = "",
        aws_request_id: str = "",
        deletion_task_id: str = "",
        task_id: str = "",
        details: dict[str, Any] | None = None,
        request=None,
    ) -> AuditEvent:
        """Append one event to the chain.

        Runs inside the caller's transaction when there is one, so an event
        and the change it describes commit (or roll back) together. ``request``
        fills in the actor and source IP for views; tasks pass neither and are
        recorded as "system" unless they name the user they act for. An action
        roles/audit/actions.py does not list raises UnknownAction.
        """
        if action not in ACTIONS:
            raise UnknownAction(f"{action!r} is not an audit action (roles/audit/actions.py).")
        if request is not None:
            actor, source_ip, details = _from_request(request, actor, source_ip, details)
        if actor_name is None:
            actor_name = actor.get_username() if actor is not None else SYSTEM
        text = chain.clean_text
        event = self.model(
            actor=actor,
            actor_name=text(actor_name)[:150],
            outcome=str(outcome),
            action=action,
            source_ip=source_ip,
            target_arn=text(target_arn),
            account_id=text(account_id),
            region=text(region),
            aws_request_id=text(aws_request_id),
            deletion_task_id=text(deletion_task_id),
            task_id=text(task_id),
            details=chain.jsonable(details or {}),
        )
        with transaction.atomic(using=self.db):
            self._lock_chain()
            last = self.order_by("-seq").values_list("seq", "hash").first()
            event.seq, event.prev_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
            event.time = timezone.now()
            event.hash = chain.event_hash(event)
            event.save(force_insert=True)
        return event

    def _lock_chain(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
        # SQLite: settings open every transaction with BEGIN IMMEDIATE, which
        # already takes the database's single write lock before the read above.


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True, editable=False)
    time = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Copied at write time: the record outlives the user it names.
    actor_name = models.CharField(max_length=150, editable=False)
    source_ip = models.GenericIPAddressField(null=True, editable=False)
    action = models.CharField(max_length=64, editable=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, editable=False)
    target_arn = models.CharField(max_length=2048, blank=True, editable=False)
    account_id = models.CharField(max_length=12, blank=True, editable=False)
    region = models.CharField(max_length=32, blank=True, editable=False)
    aws_request_id = models.CharField(max_length=128, blank=True, editable=False)
    deletion_task_id = models.CharField(max_length=512, blank=True, editable=False)
    task_id = models.CharField(max_length=255, blank=True, editable=False)
    details = models.JSONField(default=dict, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # Lower-cased text of every searchable field, kept by the database itself.
    # The audit page's free-text search (roles/audit/filters.py) matches it;
    # on PostgreSQL a trigram index (migration 0006) keeps that fast at millions of rows.
    search = models.GeneratedField(
        expression=Lower(
            Concat(
                "actor_name",
                models.Value(" "),
                "action",
                models.Value(" "),
                "target_arn",
                models.Value(" "),
                "account_id",
                models.Value(" "),
                "aws_request_id",
                models.Value(" "),
                "deletion_task_id",
                models.Value(" "),
                Cast("details", models.TextField()),
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = AuditEventManager()

    class Meta:
        ordering = ["-seq"]
        # Every filter of the audit page pairs with seq for keyset pagination
        # (roles/audit/filters.py): each stays an index range scan at any depth.
        indexes = [
            models.Index(fields=["action", "-seq"], name="audit_action_seq"),
            models.Index(fields=["actor_name", "-seq"], name="audit_actor_seq"),
            models.Index(fields=["account_id", "-seq"], name="audit_account_seq"),
            models.Index(fields=["target_arn", "-seq"], name="audit_target_seq"),
            models.Index(fields=["outcome", "-seq"], name="audit_outcome_seq"),
            models.Index(fields=["deletion_task_id"], name="audit_deletion_task"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_name} ({self.outcome})"

    def save(self, *args, **kwargs):
        if not kwargs.get("force_insert"):
            raise ValueError("Audit events are append-only; use AuditEvent.objects.record().")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
