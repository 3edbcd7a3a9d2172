"""``kopiena backup`` writes a restorable copy of the database it runs on."""

from __future__ import annotations

import sqlite3
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kopiena.teams.models import Workspace


@pytest.mark.django_db(transaction=True)
def test_backup_contains_the_data_and_refuses_to_overwrite(tmp_path, workspace):
    target = tmp_path / ("copy.sqlite3" if connection.vendor == "sqlite" else "copy.pgdump")
    out = StringIO()
    call_command("backup", "--output", str(target), stdout=out)
    assert target.exists() and "Backup written" in out.getvalue()
    if connection.vendor == "sqlite":
        names = [row[0] for row in sqlite3.connect(target).execute("SELECT name FROM teams_workspace")]
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
        )
        assert "teams_workspace" in listing.stdout
        names = list(Workspace.objects.values_list("name", flat=True))
    assert workspace.name in names
    with pytest.raises(CommandError):
        call_command("backup", "--output", str(target), stdout=StringIO())
