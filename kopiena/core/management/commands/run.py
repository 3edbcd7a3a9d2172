"""``kopiena run``: web UI + worker + clock in one process (the embedded, zero-set-up default)."""

from django.core.management.base import BaseCommand

from kopiena.core.tasks_runtime.embedded import prepare_database, serve, task_log_level
from kopiena.sandbox.demo import start_demo_sandbox


class Command(BaseCommand):
    help = "Serve the web UI and run the task worker and the clock in this process."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations")
        parser.add_argument("--threads", type=int, default=8, help="web server threads")
        parser.add_argument("--concurrency", type=int, default=1, help="task worker threads")
        parser.add_argument("--no-worker", action="store_true", help="web and clock only")
        parser.add_argument("--no-clock", action="store_true", help="web and worker only")

    def handle(self, *args, **options):
        task_log_level(options["verbosity"])
        prepare_database(stdout=self.stdout, migrate=not options["no_migrate"])
        start_demo_sandbox(stdout=self.stdout)  # only when a workspace has the demo's sandbox account
        serve(
            host=options["host"],
            port=options["port"],
            stdout=self.stdout,
            web_threads=options["threads"],
            worker_concurrency=options["concurrency"],
            with_worker=not options["no_worker"],
            with_clock=not options["no_clock"],
        )
