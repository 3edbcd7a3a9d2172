"""The hot path's statements, compiled once per process instead of once per delivery.

Django compiles a queryset into SQL every time it runs. For the load after a claim (four joined models,
~80 columns) that costs about 0.8 ms of CPU and for each guarded UPDATE about 0.1 ms — per delivery, more
than the database spends answering them, and the delivery engine is CPU-bound. These helpers build the
same statements once from the models' metadata and convert values with the fields' own converters (the
ones the ORM applies), so they behave identically on SQLite and PostgreSQL. Only table and column names
from ``_meta`` are ever interpolated; every value is a parameter.
"""

# Only table and column names from _meta (and our own CTE names) are interpolated; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Field, Model

from kopiena.integrations.models import ConnectedAccount, Credential
from kopiena.publishing.models import Delivery, Post, Variant

_CACHE: dict[tuple, object] = {}
_CACHE_LOCK = threading.Lock()


def _cached(key: tuple, build: Callable[[], object], vendor: str | None = None):
    key = (vendor or connection.vendor, *key)  # the connection proxy's attribute costs: pass it if known
    found = _CACHE.get(key)
    if found is None:
        found = build()
        with _CACHE_LOCK:
            _CACHE[key] = found
    return found


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# ---- UPDATE … WHERE pk = %s AND <guards> -----------------------------------------------------------


def update_row(
    model: type[Model], pk: int, values: dict, *, where: Iterable[tuple[str, str, object]] = ()
) -> int:
    """``UPDATE model SET values WHERE pk = pk AND <where>``; returns the number of rows changed (0 or 1).

    ``where``: (field, op, value) with op ``=``, ``<>`` or ``in`` (value a sequence) — the guards that make
    an UPDATE from an unexpected state change nothing."""
    where = list(where)
    vendor = connection.vendor
    shape = (model, tuple(values), tuple((name, op, len(v) if op == "in" else 0) for name, op, v in where))
    sql = _cached(("update", *shape), lambda: _update_sql(model, list(values), where), vendor)
    params = [_prep(model, name, value, vendor=vendor) for name, value in values.items()]
    params.append(pk)
    _guard_params(model, where, params, vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _guard_params(model: type[Model], where, params: list, vendor: str) -> None:
    for name, op, value in where:
        if op == "in":
            params.extend(_prep(model, name, item, save=False, vendor=vendor) for item in value)
        else:
            params.append(_prep(model, name, value, save=False, vendor=vendor))


def _update_sql(model: type[Model], names: list[str], where: list[tuple[str, str, object]]) -> str:
    meta = model._meta
    assignments = ", ".join(f"{_q(meta.get_field(name).column)} = %s" for name in names)
    guards = [f"{_q(meta.pk.column)} = %s"]
    for name, op, value in where:
        column = _q(meta.get_field(name).column)
        if op == "in":
            guards.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
        elif op in ("=", "<>"):
            guards.append(f"{column} {op} %s")
        else:
            raise ValueError(f"unsupported operator {op!r}")
    return f"UPDATE {_q(meta.db_table)} SET {assignments} WHERE {' AND '.join(guards)}"


_PREPPERS: dict[tuple, Callable] = {}


def _prep(model: type[Model], name: str, value, *, save: bool = True, vendor: str | None = None):
    """The value as the ORM would send it for ``model.name`` (``get_db_prep_save`` / ``_value``)."""
    key = (vendor or connection.vendor, model, name, save)
    prep = _PREPPERS.get(key)
    if prep is None:
        prep = _PREPPERS[key] = _prepper(model, name, save)
    return prep(value)


_TEXT = (models.CharField, models.TextField)
_INTEGER = (models.IntegerField, models.AutoField)


def _prepper(model: type[Model], name: str, save: bool) -> Callable:
    """Per field, once: a str value of a text column, an int of an integer column (or key) and None of
    anything but JSON are sent as they are — what ``get_db_prep_*`` returns for them anyway, without its
    ~10 µs of calls per value (a delivery's outcome writes ~40 values); the rest go through the field."""

    def build() -> Callable:
        field = model._meta.get_field(name)
        target = field.target_field if field.is_relation else field
        plain = str if isinstance(target, _TEXT) else int if isinstance(target, _INTEGER) else None
        keeps_none = not isinstance(field, models.JSONField)

        def prep(value):
            if value is None and keeps_none:
                return None
            if (plain is str and isinstance(value, str)) or (plain is int and type(value) is int):
                return value
            if save:
                return field.get_db_prep_save(value, connection)
            return field.get_db_prep_value(value, connection, prepared=False)

        return prep

    return build()


# ---- the claimed delivery with its post, variant, account and credential stamp ---------------------

_CREDENTIAL_FIELDS = ("id", "account_id", "updated_at")


class _Load:
    """SELECT of every column of Delivery, Post, Variant and ConnectedAccount plus the credential's stamp
    and two facts the send needs (does the variant have media, does the post have other deliveries), and
    how to turn a row back into related model instances (as ``select_related`` would).

    ``source`` is what the delivery columns are read from: the table itself, or (PostgreSQL) the rows the
    claim's ``UPDATE … RETURNING *`` just moved, so that claiming and loading are one round trip."""

    def __init__(self) -> None:
        self.parts: list[tuple[type[Model], list[Field], list[tuple]]] = []
        columns: list[str] = []
        for model, alias in ((Delivery, "d"), (Post, "p"), (Variant, "v"), (ConnectedAccount, "a")):
            fields = list(model._meta.concrete_fields)
            columns += [f"{alias}.{_q(f.column)}" for f in fields]
            self.parts.append((model, fields, [_converters(f) for f in fields]))
        credential_fields = [Credential._meta.get_field(name) for name in _CREDENTIAL_FIELDS]
        columns += [f"c.{_q(f.column)}" for f in credential_fields]
        self.credential = (credential_fields, [_converters(f) for f in credential_fields])
        t = {m: _q(m._meta.db_table) for m in (Delivery, Post, Variant, ConnectedAccount, Credential)}
        self.table = t[Delivery]
        fk = {name: _q(Delivery._meta.get_field(name).column) for name in ("post", "variant", "account")}
        media = _q(Variant.media.through._meta.db_table)
        columns += [
            f"EXISTS (SELECT 1 FROM {media} m WHERE m.variant_id = d.{fk['variant']})",
            f"EXISTS (SELECT 1 FROM {t[Delivery]} s WHERE s.{fk['post']} = d.{fk['post']} AND s.id <> d.id)",
        ]
        self.select = f"SELECT {', '.join(columns)} FROM "
        self.joins = (
            f" d INNER JOIN {t[Post]} p ON p.id = d.{fk['post']} "
            f"INNER JOIN {t[Variant]} v ON v.id = d.{fk['variant']} "
            f"INNER JOIN {t[ConnectedAccount]} a ON a.id = d.{fk['account']} "
            f"LEFT OUTER JOIN {t[Credential]} c ON c.{_q(Credential._meta.get_field('account').column)} = a.id"
        )

    def by_ids_sql(self, count: int) -> str:
        ids = ", ".join(["%s"] * count)
        return f"{self.select}{self.table}{self.joins} WHERE d.id IN ({ids}) ORDER BY d.next_attempt_at, d.id"

    def from_cte_sql(self, cte: str) -> str:
        """``WITH d AS (cte) SELECT …``: the load over the rows a data-modifying statement returns."""
        return f"WITH d AS ({cte}) {self.select}d{self.joins} ORDER BY d.next_attempt_at, d.id"

    def hydrate(self, row: Sequence) -> Delivery:
        objects = []
        start = 0
        for model, fields, converters in self.parts:
            values = _convert(row[start : start + len(fields)], fields, converters)
            objects.append(model.from_db(connection.alias, [f.attname for f in fields], values))
            start += len(fields)
        delivery, post, variant, account = objects
        credential_fields, converters = self.credential
        credential = None
        end = start + len(credential_fields)
        if row[start] is not None:
            values = _convert(row[start:end], credential_fields, converters)
            credential = Credential.from_db(connection.alias, [f.attname for f in credential_fields], values)
        Delivery._meta.get_field("post").set_cached_value(delivery, post)
        Delivery._meta.get_field("variant").set_cached_value(delivery, variant)
        Delivery._meta.get_field("account").set_cached_value(delivery, account)
        # None too is an answer: "no credential" without another query.
        ConnectedAccount._meta.get_field("credential").set_cached_value(account, credential)
        delivery.has_media, delivery.post_has_siblings = bool(row[end]), bool(row[end + 1])
        return delivery


def _converters(field: Field) -> tuple:
    """(expression, converters) as the ORM's compiler pairs them: the backend's, then the field's."""
    column = field.get_col(field.model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)


def _convert(values: Sequence, fields: list[Field], converters: list[tuple]) -> list:
    out = []
    for value, (column, field_converters) in zip(values, converters, strict=True):
        for convert in field_converters:
            value = convert(value, column, connection)
        out.append(value)
    return out


def _loader() -> _Load:
    return _cached(("load",), _Load)


def load_deliveries(delivery_ids: Sequence[int]) -> list[Delivery]:
    """The deliveries, oldest due first, each with ``post``, ``variant``, ``account`` and
    ``account.credential`` (id and stamp only) in place and ``has_media`` / ``post_has_siblings`` set:
    one statement, compiled once per process."""
    if not delivery_ids:
        return []
    load = _loader()
    with connection.cursor() as cursor:
        cursor.execute(load.by_ids_sql(len(delivery_ids)), list(delivery_ids))
        return [load.hydrate(row) for row in cursor.fetchall()]


def load_delivery(delivery_id: int) -> Delivery:
    """One delivery as ``load_deliveries`` gives it; ``Delivery.DoesNotExist`` when there is none."""
    found = load_deliveries([delivery_id])
    if not found:
        raise Delivery.DoesNotExist(f"delivery {delivery_id}")
    return found[0]


def claim_and_load(cte: str, params: Sequence) -> list[Delivery]:
    """Run a claiming ``UPDATE … RETURNING *`` and load what it claimed in the same statement (PostgreSQL
    runs a data-modifying WITH once, atomically, whatever the outer SELECT does)."""
    load = _loader()
    with connection.cursor() as cursor:
        cursor.execute(load.from_cte_sql(cte), list(params))
        return [load.hydrate(row) for row in cursor.fetchall()]


# ---- several dependent writes in one round trip -----------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One row written by ``write_together``: an UPDATE of row ``pk`` (guarded by ``where``, as in
    ``update_row``) or, with ``pk=None``, an INSERT of ``values``. ``after``: the index of an earlier
    write that must have changed its row for this one to happen."""

    model: type[Model]
    values: dict
    pk: int | None = None
    where: tuple[tuple[str, str, object], ...] = ()
    after: int | None = None


def write_together(writes: Sequence[Write], *, atomic: bool = True) -> list[int]:
    """Apply ``writes``; returns how many rows each changed (0 or 1).

    PostgreSQL: ONE statement — each write a data-modifying ``WITH`` member, joined to the one it depends
    on through its ``RETURNING`` (a single statement is atomic on its own, so no BEGIN/COMMIT either).
    SQLite, which has no data-modifying ``WITH``: the same writes one by one, in a transaction unless
    ``atomic=False`` (for writes whose later members only follow the first, e.g. a display state)."""
    if connection.vendor != "postgresql":
        with transaction.atomic(savepoint=False) if atomic else nullcontext():
            changed: list[int] = []
            for write in writes:
                if write.after is not None and not changed[write.after]:
                    changed.append(0)
                elif write.pk is None:
                    write.model._base_manager.create(**write.values)
                    changed.append(1)
                else:
                    changed.append(update_row(write.model, write.pk, write.values, where=write.where))
            return changed
    shape = tuple(
        (
            w.model,
            tuple(w.values),
            w.pk is None,
            tuple((n, op, len(v) if op == "in" else 0) for n, op, v in w.where),
            w.after,
        )
        for w in writes
    )
    vendor = "postgresql"
    sql = _cached(("together", *shape), lambda: _together_sql(writes), vendor)
    params: list = []
    for write in writes:
        params.extend(_prep(write.model, name, value, vendor=vendor) for name, value in write.values.items())
        if write.pk is not None:
            params.append(write.pk)
            _guard_params(write.model, write.where, params, vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchone())


def _together_sql(writes: Sequence[Write]) -> str:
    members = []
    for index, write in enumerate(writes):
        meta = write.model._meta
        depends = f"EXISTS (SELECT 1 FROM w{write.after})" if write.after is not None else ""
        if write.pk is None:
            fields = [meta.get_field(name) for name in write.values]
            # Typed placeholders: in INSERT … SELECT, PostgreSQL would otherwise read an untyped
            # parameter (a str, a None) as text and refuse it for a non-text column.
            values = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)
            columns = ", ".join(_q(f.column) for f in fields)
            where = f" WHERE {depends}" if depends else ""
            body = f"INSERT INTO {_q(meta.db_table)} ({columns}) SELECT {values}{where} RETURNING 1"
        else:
            body = _update_sql(write.model, list(write.values), list(write.where))
            if depends:
                body += f" AND {depends}"
            body += " RETURNING 1"
        members.append(f"w{index} AS ({body})")
    counts = ", ".join(f"(SELECT count(*) FROM w{index})" for index in range(len(writes)))
    return f"WITH {', '.join(members)} SELECT {counts}"
