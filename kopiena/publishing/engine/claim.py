"""Claiming one due delivery so that exactly one worker sends it.

One statement: ``UPDATE … WHERE id = (SELECT id … ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
AND state = 'pending' RETURNING id``. On PostgreSQL, SKIP LOCKED lets concurrent workers each take a
different row without waiting on each other. SQLite has no row locks: the statement runs under the
database's single write lock and is guarded on ``state='pending'``, so two workers can never both move
the same row. Written as SQL because the ORM cannot express UPDATE … RETURNING; it is two round trips
(claim, then load) instead of four for a transaction around SELECT FOR UPDATE and UPDATE.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from kopiena.core.clock import now
from kopiena.publishing.engine.sql import load_delivery
from kopiena.publishing.models import Delivery, DeliveryState, Variant


def _claim_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(Delivery._meta.db_table)
    media = quote(Variant.media.through._meta.db_table)
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    # Only our own table names and a constant clause are interpolated; every value is a parameter.
    # RETURNING answers two questions the send asks, in the same round trip (and saves the ORM compiling
    # them as subqueries for every delivery): does the variant have media, does the post have other
    # deliveries (if not, its state follows this one's without locking the post; see record.py).
    sql = (
        f"UPDATE {table} SET state = %s, claimed_by = %s, claimed_at = %s, lease_expires_at = %s, "  # noqa: S608
        f"attempts = attempts + 1, updated_at = %s "
        f"WHERE id = (SELECT id FROM {table} WHERE state = %s AND next_attempt_at <= %s "
        f"ORDER BY next_attempt_at LIMIT 1{skip_locked}) AND state = %s "
        f"RETURNING id, "
        f"EXISTS (SELECT 1 FROM {media} m WHERE m.variant_id = {table}.variant_id), "
        f"EXISTS (SELECT 1 FROM {table} s WHERE s.post_id = {table}.post_id AND s.id <> {table}.id)"
    )
    return sql


def delivery_claim(*, worker: str, lease_seconds: float) -> Delivery | None:
    """Claim the most overdue pending delivery for ``worker``; None when nothing is due.

    The claim counts as an attempt and holds a lease: if the worker dies, ``deliveries_recover`` takes
    the row back after ``lease_seconds`` (to pending if nothing was sent, to unconfirmed if it was)."""
    moment = now()
    stamp = connection.ops.adapt_datetimefield_value
    params = [
        DeliveryState.CLAIMED.value,
        worker,
        stamp(moment),
        stamp(moment + timedelta(seconds=lease_seconds)),
        stamp(moment),
        DeliveryState.PENDING.value,
        stamp(moment),
        DeliveryState.PENDING.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    delivery_id, has_media, post_has_siblings = row
    delivery = load_delivery(delivery_id)
    delivery.has_media = bool(has_media)
    delivery.post_has_siblings = bool(post_has_siblings)
    return delivery


def due_count() -> int:
    """How many deliveries are due now (a cheap read the dispatcher uses before taking write locks)."""
    return Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now()).count()
