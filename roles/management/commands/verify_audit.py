from django.core.management.base import BaseCommand

from roles.audit.verify import verify


class Command(BaseCommand):
    help = (
        "Verify the audit history's hash chain (HMAC-SHA256 when ROLECALL_AUDIT_HMAC_KEY is "
        "set, else plain SHA-256); exit 1 naming the first broken event."
    )

    def handle(self, *args, **options):
        verdict = verify()
        if verdict.ok:
            self.stdout.write(f"OK: {verdict.count} events, chain intact ({verdict.mode})")
            return
        self.stderr.write(
            f"BROKEN at sequence number {verdict.broken_seq}: {verdict.reason} "
            f"({verdict.count} events verified before it; {verdict.mode})"
        )
        raise SystemExit(1)
