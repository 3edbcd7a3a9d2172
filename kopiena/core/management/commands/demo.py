"""``kopiena demo [--serve]``: load (or refresh) the demo workspace; with --serve, run everything."""

from django.core.management.base import BaseCommand

from kopiena.core.demo import DEMO_PEOPLE, demo_load
from kopiena.core.tasks_runtime.embedded import prepare_database, serve, task_log_level
from kopiena.sandbox.demo import start_demo_sandbox


class Command(BaseCommand):
    help = "Load the demo coffee-roastery workspace (idempotent); --serve then runs like `kopiena run`."

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="then serve web + worker + clock")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **options):
        task_log_level(options["verbosity"])
        prepare_database(stdout=self.stdout, migrate=not options["no_migrate"])
        ctx = demo_load(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready: {ctx.workspace.name}"))
        if not options["serve"]:
            self._print_login(ctx, url=None)
            return
        start_demo_sandbox(stdout=self.stdout)  # the local platform the demo's sandbox account talks to
        serve(
            host=options["host"],
            port=options["port"],
            stdout=self.stdout,
            after_start=lambda url: self._print_login(ctx, url=url),
        )

    def _print_login(self, ctx, *, url: str | None) -> None:
        rule = "=" * 64
        lines = [rule]
        if url:
            lines.append(f"  Open      {url}")
        owner = ctx.owner
        lines += [
            f"  Username  {owner.username}   (owner, {owner.get_full_name()})",
            f"  Password  {ctx.password}",
            "  Everyone in the team has the same password:",
        ]
        lines += [f"    {p.username:<9} {p.role}" for p in DEMO_PEOPLE]
        lines.append(rule)
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
