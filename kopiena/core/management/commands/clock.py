"""``kopiena clock``: enqueue the periodic tasks of ``settings.PERIODIC_TASKS``. Safe to run twice:
only the elected leader enqueues; another clock waits and takes over when the leader goes away."""

from django.core.management.base import BaseCommand

from kopiena.core.tasks_runtime.clock import Clock
from kopiena.core.tasks_runtime.embedded import install_stop_signals


class Command(BaseCommand):
    help = "Enqueue periodic background tasks on schedule (leader-elected; run one or two)."

    def handle(self, *args, **options):
        clock = Clock()
        install_stop_signals(clock.stop_event.set)
        for entry in clock.entries:
            self.stdout.write(f"  every {entry.every_seconds:g} s: {entry.path}")
        self.stdout.write(f"Clock {clock.clock_id} started. Ctrl-C stops it.")
        self.stdout.flush()
        clock.run()
