"""Background jobs of planning (thin)."""

from __future__ import annotations

from django_tasks import task

from kopiena.planning import services


@task(queue_name="default")
def planning_feeds_refresh() -> int:
    """Enqueued by the clock: re-read the iCal feeds not read for six hours (SSRF-guarded, size-capped)."""
    return services.event_feeds_refresh()
