"""Claiming one due delivery so that exactly one worker sends it.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` on the due scan index, so concurrent workers each take a
different row without waiting on each other. SQLite has no row locks: the transaction is IMMEDIATE (the
whole database is write-locked for its duration) and the UPDATE is guarded on ``state='pending'``, so two
workers can never both move the same row.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from kopiena.core.clock import now
from kopiena.publishing.models import Delivery, DeliveryState


def delivery_claim(*, worker: str, lease_seconds: float) -> Delivery | None:
    """Claim the most overdue pending delivery for ``worker``; None when nothing is due.

    The claim counts as an attempt and holds a lease: if the worker dies, ``deliveries_recover`` takes
    the row back after ``lease_seconds`` (to pending if nothing was sent, to unconfirmed if it was)."""
    moment = now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account__credential", "post", "variant")
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=moment)
            .order_by("next_attempt_at")
            .first()
        )
        if delivery is None:
            return None
        changed = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.CLAIMED,
            claimed_by=worker,
            claimed_at=moment,
            lease_expires_at=moment + timedelta(seconds=lease_seconds),
            attempts=delivery.attempts + 1,
            updated_at=moment,
        )
        if not changed:
            return None
    delivery.state = DeliveryState.CLAIMED
    delivery.claimed_by, delivery.claimed_at = worker, moment
    delivery.attempts += 1
    return delivery


def due_count() -> int:
    """How many deliveries are due now (a cheap read the dispatcher uses before taking write locks)."""
    return Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now()).count()
