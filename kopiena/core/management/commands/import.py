"""``kopiena import FILE --workspace SLUG [--dry-run] [--account ID] [--user NAME]``: bulk-import posts.

The same importer as Calendar → Import (CSV or XLSX; Kopiena, Hootsuite or Sprout format, detected):
every row is checked first and the file is written all or nothing. A tqdm bar follows the planning pass.
Exits non-zero, listing each problem with its row and column, when anything is wrong.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kopiena.publishing.importers import posts_import, read_table
from kopiena.teams.models import Membership, Role
from kopiena.teams.selectors import access_workspace


class Command(BaseCommand):
    help = "Import posts from a CSV/XLSX file into a workspace's calendar (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--account", help="account id for files without an account column")
        parser.add_argument("--user", help="import as this user (default: the workspace's first owner)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        memberships = Membership.objects.filter(workspace__slug=options["workspace"]).select_related("user")
        if options["user"]:
            membership = memberships.filter(user__username=options["user"]).first()
        else:
            membership = memberships.filter(role=Role.OWNER).order_by("created_at").first()
        if membership is None:
            raise CommandError("no such workspace, or that user is not a member of it")
        access = access_workspace(actor=membership.user, slug=options["workspace"])
        content = path.read_bytes()
        total = max(len(read_table(content, path.name)) - 1, 1)
        with tqdm(total=total, unit="row", file=self.stderr._out, disable=None) as bar:
            result = posts_import(
                access=access,
                content=content,
                filename=path.name,
                default_account=options["account"],
                dry_run=options["dry_run"],
                on_row=lambda: bar.update(1),
            )
        for problem in result.problems:
            self.stderr.write(f"row {problem.row}, column {problem.column or '-'}: {problem.message}")
        if not result.ok:
            raise CommandError(f"nothing imported: {len(result.problems)} problem(s) in {result.rows} rows")
        for note in result.notes:
            self.stdout.write(f"row {note.row}, column {note.column}: {note.message}")
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(
            f"{result.rows} rows ({result.format} format) checked; {verb} {result.created} posts, "
            f"{result.scheduled} scheduled."
        )
