from django.core.management.base import BaseCommand

from roles.audit import rails


class Command(BaseCommand):
    help = (
        "Record the safety-rail settings (approval, protected lists, re-authentication) in the "
        "audit history if they changed since the last record. Run at every deployment start."
    )

    def handle(self, *args, **options):
        event = rails.record_if_changed()
        if event is None:
            self.stdout.write("Safety-rail settings unchanged.")
            return
        if event.details["before"] is None:
            self.stdout.write(f"Recorded the safety-rail settings as audit event #{event.seq}.")
            return
        before = event.details["before"]
        for name in event.details["changed"]:
            self.stdout.write(f"{name}: {before.get(name)!r} -> {event.details['after'][name]!r}")
        for what in event.details["weakened"]:
            self.stdout.write(f"Weakened: {what}")
        self.stdout.write(f"Recorded as audit event #{event.seq}.")
