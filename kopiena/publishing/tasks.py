"""Background jobs for publishing, run by ``kopiena worker`` and enqueued by ``kopiena clock``
(``settings.PERIODIC_TASKS``). Thin: each calls one engine function."""

from __future__ import annotations

from django_tasks import task

from kopiena.publishing import engine, notifications


@task(queue_name="deliveries")
def deliveries_dispatch() -> int:
    """Send whatever is due. Enqueued every second; a run drains the queue for up to 50 s, and while
    one runs the clock enqueues another, so busy minutes get more workers."""
    if not engine.due_count():
        return 0
    return engine.deliveries_drain(max_seconds=50.0)


@task(queue_name="deliveries")
def deliveries_housekeeping() -> dict[str, int]:
    """Recover dead workers' claims and reconcile unconfirmed deliveries."""
    return engine.deliveries_maintain()


@task(queue_name="default")
def publishing_metrics_poll() -> int:
    """Read engagement of recently published posts into MetricSnapshot rows."""
    return engine.metrics_poll()


@task(queue_name="default")
def notification_emails_send(notification_ids: list[int]) -> int:
    """E-mail notifications once their transaction has committed (enqueued by ``notify``)."""
    return notifications.notification_emails_send(notification_ids)
