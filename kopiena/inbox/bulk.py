"""Fast batched writes for ingest: INSERT / UPDATE of many model rows without the ORM's per-value work.

``bulk_create`` spends most of its time preparing each value through each field (a third of the ingest
time at 1,000 items per batch); these helpers prepare a column once per type and hand the database one
``executemany`` (SQLite and PostgreSQL speak the same ``ON CONFLICT DO NOTHING`` / ``RETURNING``).
Values go through the same adapters Django uses for the column types we write (datetimes through the
backend's ``adapt_datetimefield_value``, JSON through the field), so what is stored is what the ORM
would store. Only plain columns: no ``save()``, no signals (there are none on these models).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection, models

from kopiena.core.clock import now

# SQLite's default limit of bound variables per statement is 32,766 (PostgreSQL: 65,535).
MAX_PARAMS = 30_000


def _adapt_datetime() -> Callable[[Any], Any]:
    """The backend's datetime adapter; on SQLite with UTC storage (Django's default) the same text it
    writes, without its per-value settings lookups."""
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC" and settings.USE_TZ:

        def fast(value):
            if value.tzinfo is None:
                return adapt(value)
            return str(value.astimezone(UTC).replace(tzinfo=None))

        return fast
    return adapt


def _converter(field: models.Field, *, updating: bool) -> Callable[[Any], Any] | None:
    """How a value of ``field`` is handed to the database (None: as it is). ``auto_now`` columns get
    the current time (and ``auto_now_add`` ones when unset), as ``save()`` would."""
    if isinstance(field, models.DateTimeField):
        adapt = _adapt_datetime()
        if field.auto_now or (field.auto_now_add and not updating):
            moment = adapt(now())
            if field.auto_now:
                return lambda value: moment
            return lambda value: moment if value is None else adapt(value)
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.JSONField):
        adapt_json, encoder = connection.ops.adapt_json_value, field.encoder
        return lambda value: None if value is None else adapt_json(value, encoder)
    return None


def _columns(model: type[models.Model], names: Sequence[str], *, updating: bool = False):
    fields = [model._meta.get_field(name) for name in names]
    converters = [_converter(f, updating=updating) for f in fields]
    return [f.column for f in fields], [f.attname for f in fields], converters


def _rows(objs: Sequence[Any], attnames, converters) -> list[tuple]:
    """Row tuples from model instances, or from dicts keyed by attname (no model instance built)."""
    pairs = list(zip(attnames, converters, strict=True))
    if objs and isinstance(objs[0], dict):
        return [
            tuple(row[name] if convert is None else convert(row[name]) for name, convert in pairs)
            for row in objs
        ]
    return [
        tuple(
            getattr(obj, name) if convert is None else convert(getattr(obj, name)) for name, convert in pairs
        )
        for obj in objs
    ]


def defaults(model: type[models.Model]) -> dict[str, Any]:
    """Every concrete column's default by attname (what an unsaved instance would carry), for rows
    written as dicts: a column another branch adds comes with its default."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def fields_of(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def insert(
    model: type[models.Model],
    objs: Sequence[Any],
    fields: Sequence[str],
    *,
    ignore_conflicts: bool = False,
    set_pks: bool = False,
) -> int | None:
    """INSERT ``objs`` — model instances, or dicts keyed by attname — (their ``fields`` only).

    ``ignore_conflicts``: rows that would break a unique constraint are skipped. ``set_pks``: each object
    gets its new primary key (a dict under ``"id"``); not with ``ignore_conflicts`` (see
    :func:`insert_keyed`). Returns how many rows were inserted (None: the database does not say)."""
    if not objs:
        return 0
    if set_pks and ignore_conflicts:
        raise ValueError("set_pks with ignore_conflicts: use insert_keyed")
    table, column_sql, one, rows = _prepared(model, objs, fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if set_pks:
        pk = connection.ops.quote_name(model._meta.pk.column)
        returned = _insert_returning(table, column_sql, one, rows, f"RETURNING {pk}", conflict="")
        for obj, (new_pk,) in zip(objs, returned, strict=True):
            _saved(obj, new_pk)
        return len(rows)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({column_sql}) VALUES {one}{conflict}", rows)  # noqa: S608
        return cursor.rowcount if cursor.rowcount is not None and cursor.rowcount >= 0 else None


def insert_keyed(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str], *, key: str
) -> set:
    """INSERT instances, skipping those that break a unique constraint, and give each inserted one its
    primary key; ``key`` (a column unique within the batch) tells which rows the database inserted.
    Returns the keys of the inserted rows (those missing lost to a concurrent writer)."""
    if not objs:
        return set()
    table, column_sql, one, rows = _prepared(model, objs, fields)
    key_field = model._meta.get_field(key)
    by_key = {getattr(obj, key_field.attname): obj for obj in objs}
    pk = connection.ops.quote_name(model._meta.pk.column)
    returning = f"RETURNING {connection.ops.quote_name(key_field.column)}, {pk}"
    inserted = set()
    for row in _insert_returning(table, column_sql, one, rows, returning, conflict=" ON CONFLICT DO NOTHING"):
        if row is not None:
            value, new_pk = row
            _saved(by_key[value], new_pk)
            inserted.add(value)
    return inserted


def _prepared(model, objs, fields):
    columns, attnames, converters = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return table, column_sql, one, _rows(objs, attnames, converters)


def _insert_returning(table, column_sql, one, rows, returning, *, conflict) -> list:
    """INSERT ``rows`` with ``RETURNING``; what each inserted row returned. PostgreSQL: one pipelined
    ``executemany`` (psycopg's ``returning=True``), a result per row in order, None for a skipped one — a
    multi-row VALUES with thousands of placeholders costs psycopg more to parse than to run. SQLite:
    multi-row VALUES statements; the result lists only the inserted rows (callers match them by key)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            raw.executemany(
                f"INSERT INTO {table} ({column_sql}) VALUES {one}{conflict} {returning}",  # noqa: S608
                rows,
                returning=True,
            )
            results = []
            while True:
                results.append(raw.fetchone())
                if not raw.nextset():
                    break
            return results
        results = []
        for _start, chunk in _chunks(rows, (rows and len(rows[0])) or 1):
            cursor.execute(
                f"INSERT INTO {table} ({column_sql}) VALUES {', '.join([one] * len(chunk))}{conflict} "  # noqa: S608
                f"{returning}",
                [value for row in chunk for value in row],
            )
            results.extend(cursor.fetchall())
        return results


def _chunks(rows: list[tuple], width: int):
    size = max(1, MAX_PARAMS // width)
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


def _saved(obj: Any, pk: Any) -> None:
    if isinstance(obj, dict):
        obj["id"] = pk
        return
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def update(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """UPDATE ``fields`` of each of ``objs`` by primary key, in one ``executemany``."""
    if not objs:
        return
    columns, attnames, converters = _columns(model, fields, updating=True)
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    pk = connection.ops.quote_name(model._meta.pk.column)
    rows = [(*row, obj.pk) for obj, row in zip(objs, _rows(objs, attnames, converters), strict=True)]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)  # noqa: S608
