"""Database triggers that refuse UPDATE and DELETE on the audit table, on SQLite and PostgreSQL, and
TRUNCATE on PostgreSQL (row triggers do not fire for it; SQLite has no TRUNCATE)."""

from __future__ import annotations

TABLE = "audit_auditevent"

_SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
_SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]

_PG_CREATE = [
    """CREATE OR REPLACE FUNCTION kopiena_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};",
    f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION kopiena_audit_append_only();",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE};",
    f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION kopiena_audit_append_only();",
]
_PG_DROP = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE};",
]


def install(connection) -> None:
    statements = _PG_CREATE if connection.vendor == "postgresql" else _SQLITE_CREATE
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection) -> None:
    statements = _PG_DROP if connection.vendor == "postgresql" else _SQLITE_DROP
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
