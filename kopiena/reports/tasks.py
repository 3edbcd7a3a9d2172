"""Background jobs of client reports (thin)."""

from __future__ import annotations

from django_tasks import task

from kopiena.reports import services


@task(queue_name="default")
def reports_send_scheduled() -> int:
    """Enqueued by the clock every few minutes: e-mail the weekly and monthly reports that are due."""
    return services.reports_send_due()
