"""``kopiena audit verify|flush|anchor``.

* ``verify`` walks the keyed hash chain and checks it against the last anchor; exit 1 naming the first bad
  row. It only reads: events the delivery engine queued and the clock has not chained yet are counted.
* ``flush`` chains the queued events now (the clock does it every few seconds).
* ``anchor`` writes the chain's head to the anchor file now (the clock does it every minute).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kopiena.audit.selectors import audit_verify
from kopiena.audit.services import audit_anchor_write, audit_flush


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks the keyed hash chain of every event against the last anchor "
        "(read-only); 'flush' chains the events the delivery engine queued (the clock does this every few "
        "seconds); 'anchor' writes the chain's head to the anchor file (the clock does this every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "flush", "anchor"])

    def handle(self, *args, action, **options):
        if action == "flush":
            flushed = audit_flush()
            self.stdout.write(self.style.SUCCESS(f"{flushed} queued events appended to the chain."))
            return
        if action == "anchor":
            anchor = audit_anchor_write()
            where = settings.AUDIT_ANCHOR_PATH
            if anchor is None:
                self.stdout.write(f"Anchor unchanged (no new events, or none at all): {where}")
            else:
                self.stdout.write(self.style.SUCCESS(f"Anchored event #{anchor.id} in {where}."))
            return
        result = audit_verify()
        notes = []
        if result.legacy:
            notes.append(f"{result.legacy} of them from before the chain was keyed")
        if result.anchor_id is None:
            notes.append(f"no anchor yet in {settings.AUDIT_ANCHOR_PATH}")
        else:
            notes.append(f"anchored up to #{result.anchor_id}")
        if result.pending:
            notes.append(f"{result.pending} queued events not chained yet (the clock chains them)")
        if not result.ok:
            raise CommandError(
                f"Audit log is NOT intact: event #{result.bad_id}: {result.reason} "
                f"({result.checked} events before it verified; {'; '.join(notes)})."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {result.checked} events verified ({'; '.join(notes)}).")
        )
