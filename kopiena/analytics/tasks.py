"""Background jobs for analytics, enqueued by ``kopiena clock`` (``settings.PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from kopiena.analytics.accounts import account_snapshots_poll
from kopiena.analytics.rollups import rollups_refresh


@task(queue_name="default")
def analytics_rollups_refresh() -> dict[str, int]:
    """Fold new snapshots, published posts, answers and inbox items into the chart rollups."""
    return rollups_refresh()


@task(queue_name="default")
def analytics_account_snapshots_poll() -> int:
    """Read each account's followers / following / posts once a (workspace-local) day."""
    return account_snapshots_poll()
