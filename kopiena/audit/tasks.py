"""The audit job the clock runs (``settings.PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from kopiena.audit.services import audit_flush


@task()
def audit_flush_pending() -> int:
    """Chain the events hot paths queued (``audit_record(defer=True)``) since the last run."""
    return audit_flush()
