"""``kopiena worker``: run background tasks (start as many as the load needs, on any machine)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kopiena.core.heap import freeze_startup_objects
from kopiena.core.tasks_runtime.embedded import install_stop_signals, task_log_level
from kopiena.core.tasks_runtime.worker import Worker


class Command(BaseCommand):
    help = "Run queued background tasks until stopped (SIGTERM/Ctrl-C finishes running tasks first)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues", default="", help="comma-separated queue names (default: every configured queue)"
        )
        parser.add_argument("--concurrency", type=int, default=1, help="tasks run in parallel (threads)")
        parser.add_argument(
            "--interval", type=float, default=0.25, help="seconds between polls when nothing is due"
        )
        parser.add_argument("--worker-id", default=None, help="unique id (default: host:pid:random)")

    def handle(self, *args, **options):
        configured = list(settings.TASKS["default"].get("QUEUES") or ["default"])
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()] or configured
        unknown = sorted(set(queues) - set(configured))
        if unknown:
            raise CommandError(f"unknown queue(s) {', '.join(unknown)}; configured: {', '.join(configured)}")
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1")
        worker = Worker(
            queues=queues,
            concurrency=options["concurrency"],
            poll_interval_seconds=options["interval"],
            worker_id=options["worker_id"],
        )
        task_log_level(options["verbosity"])
        install_stop_signals(worker.stop_event.set)
        freeze_startup_objects()
        self.stdout.write(f"Worker {worker.worker_id} on queues {', '.join(queues)}. Ctrl-C stops it.")
        self.stdout.flush()
        worker.run()
