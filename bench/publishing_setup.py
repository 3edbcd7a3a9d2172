"""Shared set-up for the publishing benches: a private database, Django, and seeded deliveries.

Benches never touch the development or test databases: SQLite gets a temporary file, PostgreSQL a
``bench_<name>`` database that is created at start and dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"


def bench_database_url(name: str, engine: str, tmpdir: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmpdir}/{name}.sqlite3"
    parts = urlsplit(os.environ.get("KOPIENA_BENCH_PG_URL", PG_DEFAULT))
    return urlunsplit(parts._replace(path=f"/bench_{name}"))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def create_database(url: str) -> None:
    if url.startswith("postgres"):
        name = urlsplit(url).path.lstrip("/")
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(url, f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    if url.startswith("postgres"):
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
    elif url.startswith("sqlite:///"):
        # A full-size run leaves gigabytes in the temporary directory otherwise.
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)


def setup_django(database_url: str, var_dir: str | None = None) -> None:
    """Point Django at the bench database (must run before anything imports settings)."""
    os.environ["KOPIENA_DATABASE_URL"] = database_url
    os.environ["KOPIENA_VAR_DIR"] = var_dir or tempfile.mkdtemp(prefix="kopiena-bench-")
    os.environ.setdefault("KOPIENA_SECRET_KEYS", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("KOPIENA_LOG_LEVEL", "ERROR")
    # As deployed: with DEBUG on, Django keeps and formats every statement, which costs the hot path ~10 %.
    os.environ.setdefault("KOPIENA_DEBUG", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kopiena.config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed_deliveries(
    *,
    accounts: int,
    deliveries: int,
    base_url: str,
    first_due: datetime,
    spread_seconds: float,
    platform: str,
    label: str = "bench",
):
    """One workspace, ``accounts`` accounts on ``base_url``, and ``deliveries`` one-account posts whose
    deliveries fall due evenly over ``spread_seconds`` from ``first_due``. Written in bulk (the benches
    measure delivery, not the editorial services). Returns the workspace."""
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.publishing.models import Delivery, Post, PostState, Variant
    from kopiena.teams.models import Membership, Role, User, Workspace

    owner = User.objects.create_user(username=label, email=f"{label}@example.lv", password="bench-password-1")
    workspace = Workspace.objects.create(name=label, slug=label)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    account_rows = ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace,
            platform=platform,
            name=f"Account {i}",
            base_url=base_url,
            approval_required=False,
        )
        for i in range(accounts)
    )
    step = spread_seconds / max(deliveries, 1)
    dues = [first_due + timedelta(seconds=i * step) for i in range(deliveries)]
    posts = Post.objects.bulk_create(
        Post(
            workspace=workspace,
            author=owner,
            text=f"Bench post {i}",
            state=PostState.SCHEDULED,
            scheduled_at=due,
        )
        for i, due in enumerate(dues)
    )
    variants = Variant.objects.bulk_create(
        Variant(post=post, account=account_rows[i % accounts], text=post.text) for i, post in enumerate(posts)
    )
    Delivery.objects.bulk_create(
        Delivery(
            workspace=workspace,
            post=post,
            variant=variant,
            account_id=variant.account_id,
            due_at=due,
            next_attempt_at=due,
        )
        for post, variant, due in zip(posts, variants, dues, strict=True)
    )
    return workspace


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
