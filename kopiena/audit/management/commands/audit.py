"""``kopiena audit verify``: walk the hash chain; exit 1 naming the first bad row."""

from django.core.management.base import BaseCommand, CommandError

from kopiena.audit.selectors import audit_verify
from kopiena.audit.services import audit_flush


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks the hash chain of every event; 'flush' chains the events the "
        "delivery engine queued (the clock does this every few seconds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "flush"])

    def handle(self, *args, action, **options):
        flushed = audit_flush()
        if action == "flush":
            self.stdout.write(self.style.SUCCESS(f"{flushed} queued events appended to the chain."))
            return
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit log is NOT intact: event #{result.bad_id}: {result.reason} "
                f"({result.checked} events before it verified)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {result.checked} events verified."))
