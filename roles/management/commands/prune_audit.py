"""Remove audit events older than the retention period, leaving a checkpoint.

The checkpoint event records the last pruned sequence number and its hash;
verify_audit accepts the shortened history only through it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from roles.audit.models import AuditEvent
from roles.audit.verify import PRUNE_ACTION


class Command(BaseCommand):
    help = "Delete audit events older than ROLECALL_AUDIT_RETENTION_DAYS, writing a checkpoint."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="Override ROLECALL_AUDIT_RETENTION_DAYS for this run."
        )

    def handle(self, *args, days=None, **options):
        days = settings.ROLECALL_AUDIT_RETENTION_DAYS if days is None else days
        if days is None or days <= 0:
            self.stdout.write(
                "Retention is unlimited (ROLECALL_AUDIT_RETENTION_DAYS=0): nothing pruned."
            )
            return
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            AuditEvent.objects._lock_chain()
            last = (
                AuditEvent.objects.filter(time__lt=cutoff)
                .exclude(action=PRUNE_ACTION)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            if last is None:
                self.stdout.write(f"No events older than {days} days.")
                return
            through_seq, through_hash = last
            # The checkpoint is written first so it is never itself pruned away.
            AuditEvent.objects.record(
                PRUNE_ACTION,
                details={
                    "pruned_through_seq": through_seq,
                    "continues_from_hash": through_hash,
                    "retention_days": days,
                    "cutoff": cutoff.isoformat(),
                },
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL rolecall.audit_prune = 'on'")
            deleted, _ = AuditEvent.objects.filter(seq__lte=through_seq).delete()
        self.stdout.write(f"Pruned {deleted} events through #{through_seq}; checkpoint written.")
