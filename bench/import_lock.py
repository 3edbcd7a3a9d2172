"""Import bench: how long a bulk import takes, and how long other people's saves wait meanwhile.

    .venv/bin/python bench/import_lock.py [--engine sqlite|postgres] [--rows 4000]

Seeds a workspace with two accounts (no cadence limits, so every row schedules), builds a ``--rows`` row
CSV in our format, then runs the preview (dry run) and the real import. While each runs, another thread
saves a draft every 100 ms (``post_create``, as another person's save) and records how long each save
took. Prints JSON: the import's seconds, the other saves' count, p50/max wait, and any that failed
("database is locked" before the planning pass became read-only).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.publishing_setup import (
    bench_database_url,
    create_database,
    drop_database,
    migrate,
    percentile,
    setup_django,
)


def seed():
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.policy.schema import PolicyDocument
    from kopiena.policy.selectors import policy_current_data
    from kopiena.policy.services import policy_save
    from kopiena.teams.models import Role, User
    from kopiena.teams.selectors import access_workspace
    from kopiena.teams.services import membership_add, workspace_create

    owner = User.objects.create_user(username="owner", email="o@example.lv", password="bench-password-1")
    other = User.objects.create_user(username="other", email="x@example.lv", password="bench-password-1")
    workspace = workspace_create(owner=owner, name="Bench", timezone="Europe/Riga")
    membership_add(access=None, workspace=workspace, user=other, role=Role.MANAGER)
    access = access_workspace(actor=owner, slug=workspace.slug)
    data = policy_current_data(workspace=workspace)
    data["publishing"]["cadence"]["default"] = {
        "max_per_day": None,
        "max_per_week": None,
        "min_gap_minutes": 0,
        "quiet_hours": [],
        "manager_may_override": True,
    }
    data["publishing"]["content_mix"]["default"]["targets"] = {}
    policy_save(access=access, document=PolicyDocument.model_validate(data))
    accounts = [
        ConnectedAccount.objects.create(
            workspace=workspace, platform="mastodon", name=name, base_url="https://social.example"
        )
        for name in ("Mastodon", "Bluesky")
    ]
    return access, access_workspace(actor=other, slug=workspace.slug), accounts


def build_csv(rows: int, accounts) -> bytes:
    from kopiena.publishing.importers import OUR_COLUMNS

    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=2)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUR_COLUMNS)
    writer.writeheader()
    for n in range(rows):
        writer.writerow(
            {
                "scheduled_at": (start + timedelta(minutes=17 * n)).isoformat(timespec="minutes"),
                "account": accounts[n % 2].name,
                "text": f"Ieraksts numur {n}",
                "content_type": "photo",
                **{
                    c: "" for c in OUR_COLUMNS if c not in ("scheduled_at", "account", "text", "content_type")
                },
            }
        )
    return buffer.getvalue().encode()


def measure(access, other, account, content: bytes, *, dry_run: bool) -> dict:
    from django.db import connection

    from kopiena.publishing.importers import posts_import
    from kopiena.publishing.services import post_create

    waits, failures, done = [], [], threading.Event()

    def saver():
        try:
            while not done.is_set():
                started = time.monotonic()
                try:
                    post_create(access=other, account_ids=[account.pk], text="Cita cilvēka melnraksts")
                    waits.append(time.monotonic() - started)
                except Exception as exc:
                    failures.append(f"{type(exc).__name__}: {exc}"[:120])
                time.sleep(0.1)
        finally:
            connection.close()

    thread = threading.Thread(target=saver)
    thread.start()
    started = time.monotonic()
    result = posts_import(access=access, content=content, filename="plan.csv", dry_run=dry_run)
    seconds = time.monotonic() - started
    done.set()
    thread.join()
    assert result.ok, result.problems[:3]
    return {
        "import_seconds": round(seconds, 2),
        "other_saves": len(waits),
        "other_save_wait_ms_p50": round(percentile(waits, 50) * 1000, 1),
        "other_save_wait_ms_max": round(max(waits, default=0) * 1000, 1),
        "other_saves_failed": len(failures),
        "failure_example": failures[0] if failures else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=4000)
    args = parser.parse_args()
    tmpdir = tempfile.mkdtemp(prefix="kopiena-import-")
    url = bench_database_url("import_lock", args.engine, tmpdir)
    create_database(url)
    setup_django(url, tmpdir)
    migrate()
    try:
        access, other, accounts = seed()
        content = build_csv(args.rows, accounts)
        report = {"engine": args.engine, "rows": args.rows, "bytes": len(content)}
        report["preview"] = measure(access, other, accounts[0], content, dry_run=True)
        report["import"] = measure(access, other, accounts[0], content, dry_run=False)
        print(json.dumps(report, indent=2))
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
