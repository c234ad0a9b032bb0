from django.core.management.base import BaseCommand

from roles.audit.verify import verify


class Command(BaseCommand):
    help = "Verify the audit history's SHA-256 chain; exit 1 naming the first broken event."

    def handle(self, *args, **options):
        verdict = verify()
        if verdict.ok:
            self.stdout.write(f"OK: {verdict.count} events, chain intact")
            return
        self.stderr.write(
            f"BROKEN at sequence number {verdict.broken_seq}: {verdict.reason} "
            f"({verdict.count} events verified before it)"
        )
        raise SystemExit(1)
