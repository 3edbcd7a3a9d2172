"""The audit job the clock runs (``settings.PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from kopiena.audit.services import audit_anchor_write, audit_flush


@task()
def audit_flush_pending() -> int:
    """Chain the events hot paths queued (``audit_record(defer=True)``) since the last run."""
    return audit_flush()


@task()
def audit_anchor() -> int | None:
    """Write the chain's head out of the database (``audit_anchor_write``); the id anchored, if any."""
    anchor = audit_anchor_write()
    return anchor.id if anchor else None
