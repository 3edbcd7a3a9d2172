"""Background jobs of notifications (thin: each calls one function)."""

from __future__ import annotations

from django_tasks import task

from kopiena.notifications import delivery


@task(queue_name="default")
def notice_deliveries_send(delivery_ids: list[int]) -> dict:
    """Send these deliveries now (enqueued by ``notify`` once its transaction has committed)."""
    return delivery.deliveries_send(ids=delivery_ids)


@task(queue_name="default")
def notifications_dispatch() -> dict:
    """Enqueued by the clock: retries, deliveries held by quiet hours, and daily digests that are due."""
    counts = delivery.deliveries_send()
    counts["digests"] = delivery.digests_send()
    return counts
