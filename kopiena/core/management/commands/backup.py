"""``kopiena backup [--output PATH]``: a consistent copy of the database while Kopiena keeps running.

SQLite: the online backup API (readers and writers carry on; the copy is a point-in-time snapshot).
PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore --clean --dbname …``).
Credentials stay encrypted in the copy; keep ``KOPIENA_SECRET_KEYS`` safe separately, or it is useless.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kopiena.core.clock import now


class Command(BaseCommand):
    help = "Write a consistent backup of the database (SQLite file copy or pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: var/backups/kopiena-<UTC time>.<ext>)")

    def handle(self, *args, **options):
        vendor = connection.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"backups of {vendor} databases are not supported")
        ext = "sqlite3" if vendor == "sqlite" else "pgdump"
        target = Path(
            options["output"] or Path(settings.VAR_DIR) / "backups" / f"kopiena-{now():%Y%m%dT%H%M%SZ}.{ext}"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise CommandError(f"{target} exists; refusing to overwrite a backup")
        if vendor == "sqlite":
            self._sqlite(target)
        else:
            self._postgres(target)
        target.chmod(0o600)
        self.stdout.write(f"Backup written: {target} ({target.stat().st_size} bytes)")

    def _sqlite(self, target: Path) -> None:
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()

    def _postgres(self, target: Path) -> None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
        db = settings.DATABASES["default"]
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}  # never on the command line
        command = [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={db['NAME']}"]
        if db.get("HOST"):
            command.append(f"--host={db['HOST']}")
        if db.get("PORT"):
            command.append(f"--port={db['PORT']}")
        if db.get("USER"):
            command.append(f"--username={db['USER']}")
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            target.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
