"""KOPIENA_DATABASE_URL → Django's DATABASES entry."""

from pathlib import Path

import pytest

from kopiena.config.env import parse_database_url


def test_postgres_prepares_repeated_statements_unless_told_not_to():
    options = parse_database_url("postgres://kopiena:s%40lt@db.example:6432/kopiena", base_dir=Path("/x"))
    assert options["ENGINE"] == "django.db.backends.postgresql"
    assert (options["USER"], options["PASSWORD"], options["HOST"], options["PORT"]) == (
        "kopiena",
        "s@lt",
        "db.example",
        "6432",
    )
    assert options["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}

    pooled = parse_database_url(
        "postgres://db/kopiena?prepare_threshold=none&sslmode=require", base_dir=Path("/x")
    )
    assert pooled["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None, "sslmode": "require"}
    plain = parse_database_url(
        "postgresql://db/k?server_side_binding=false&prepare_threshold=2", base_dir=Path("/")
    )
    assert plain["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": 2}


def test_sqlite_paths_and_unknown_schemes():
    assert (
        parse_database_url("sqlite:///var/k.sqlite3", base_dir=Path("/srv"))["NAME"] == "/srv/var/k.sqlite3"
    )
    assert parse_database_url("sqlite:////abs/k.sqlite3", base_dir=Path("/srv"))["NAME"] == "/abs/k.sqlite3"
    with pytest.raises(ValueError, match="unsupported scheme"):
        parse_database_url("mysql://db/k", base_dir=Path("/srv"))
