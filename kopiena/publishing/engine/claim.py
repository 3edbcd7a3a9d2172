"""Claiming due deliveries so that exactly one worker sends each.

``UPDATE … WHERE id IN (SELECT id … ORDER BY next_attempt_at LIMIT n FOR UPDATE SKIP LOCKED) AND state =
'pending'``: on PostgreSQL, SKIP LOCKED lets concurrent workers each take different rows without waiting
on each other, and the claimed rows are loaded (with post, variant, account and credential stamp) in the
same statement — ``WITH d AS (UPDATE … RETURNING *) SELECT … FROM d JOIN …`` — so a claim is one round
trip. SQLite has no row locks: the UPDATE runs under the database's single write lock and is guarded on
``state='pending'``, so two workers can never both move the same row; it returns the ids, and one SELECT
loads them. Written as SQL because the ORM cannot express UPDATE … RETURNING.

A claim may take a few rows at once (``limit``): each claimed row holds its own lease and is sent, or
released, one by one (``deliveries_release``; a worker that dies leaves them ``claimed``, and recovery
puts them back to ``pending`` — nothing was sent), so batching changes the round trips, not the
exactly-once rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import connection
from django.db.models import F

from kopiena.core.clock import now
from kopiena.publishing.engine.sql import claim_and_load, load_deliveries
from kopiena.publishing.models import Delivery, DeliveryState


def _claim_sql(returning: str) -> str:
    quote = connection.ops.quote_name
    table = quote(Delivery._meta.db_table)
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    # Only our own table name, a constant clause and our own state constant are interpolated; every other
    # value is a parameter. The state is written into the text so that the planner can use the partial
    # due-scan index (``WHERE state = 'pending'``) in a prepared statement's generic plan too.
    pending = f"'{DeliveryState.PENDING.value}'"
    return (
        f"UPDATE {table} SET state = %s, claimed_by = %s, claimed_at = %s, lease_expires_at = %s, "  # noqa: S608
        f"attempts = attempts + 1, updated_at = %s "
        f"WHERE id IN (SELECT id FROM {table} WHERE state = {pending} AND next_attempt_at <= %s "
        f"ORDER BY next_attempt_at LIMIT %s{skip_locked}) AND state = {pending} "
        f"RETURNING {returning}"
    )


def deliveries_claim(*, worker: str, lease_seconds: float, limit: int = 1) -> list[Delivery]:
    """Claim up to ``limit`` of the most overdue pending deliveries for ``worker`` (oldest due first).

    Each claim counts as an attempt and holds a lease: if the worker dies, ``deliveries_recover`` takes
    the row back after ``lease_seconds`` (to pending if nothing was sent, to unconfirmed if it was)."""
    moment = now()
    stamp = connection.ops.adapt_datetimefield_value
    params = [
        DeliveryState.CLAIMED.value,
        worker,
        stamp(moment),
        stamp(moment + timedelta(seconds=lease_seconds)),
        stamp(moment),
        stamp(moment),
        limit,
    ]
    if connection.vendor == "postgresql":
        return claim_and_load(_claim_sql("*"), params)
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql("id"), params)
        ids = [row[0] for row in cursor.fetchall()]
    return load_deliveries(ids)


def delivery_claim(*, worker: str, lease_seconds: float) -> Delivery | None:
    """Claim the most overdue pending delivery for ``worker``; None when nothing is due."""
    claimed = deliveries_claim(worker=worker, lease_seconds=lease_seconds, limit=1)
    return claimed[0] if claimed else None


def deliveries_release(deliveries: Sequence[Delivery], *, worker: str) -> int:
    """Hand claimed, unsent deliveries back to the queue at once (not an attempt: the count is undone),
    so that other workers take them instead of waiting behind this one. Returns how many went back."""
    if not deliveries:
        return 0
    return Delivery.objects.filter(
        pk__in=[d.pk for d in deliveries], state=DeliveryState.CLAIMED, claimed_by=worker
    ).update(
        state=DeliveryState.PENDING,
        claimed_by="",
        lease_expires_at=None,
        attempts=F("attempts") - 1,
        updated_at=now(),
    )


def due_count() -> int:
    """How many deliveries are due now (a cheap read the dispatcher uses before taking write locks)."""
    return Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now()).count()
