"""Housekeeping the clock runs for the runtime itself (registered in ``settings.PERIODIC_TASKS``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kopiena.core.clock import now
from kopiena.core.models import WorkerHeartbeat

HEARTBEAT_KEEP = timedelta(days=7)
# Finished task rows are history, not state: keep the queue table small so claiming stays fast.
SUCCESSFUL_KEEP = timedelta(days=7)
FAILED_KEEP = timedelta(days=30)
LOST_MESSAGE = "The worker running this task stopped sending heartbeats (killed or crashed)."


class WorkerLost(Exception):
    """Recorded on tasks whose worker died mid-run, so they show as failed instead of running forever."""


@task()
def runtime_tidy() -> dict:
    """Fail tasks orphaned by a dead worker; forget old finished tasks and long-gone workers."""
    at = now()
    alive_since = at - timedelta(seconds=settings.WORKER_STALE_SECONDS * 5)
    live_ids = set(
        WorkerHeartbeat.objects.filter(stopped_at__isnull=True, last_seen__gte=alive_since).values_list(
            "worker_id", flat=True
        )
    )
    orphaned = 0
    for result in DBTaskResult.objects.running().filter(started_at__lt=alive_since).iterator():
        if result.worker_ids and result.worker_ids[-1] in live_ids:
            continue
        DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=at,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=LOST_MESSAGE,
        )
        orphaned += 1
    forgotten, _ = WorkerHeartbeat.objects.filter(last_seen__lt=at - HEARTBEAT_KEEP).delete()
    pruned, _ = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=at - SUCCESSFUL_KEEP)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=at - FAILED_KEEP)
    ).delete()
    return {
        "orphaned_tasks_failed": orphaned,
        "heartbeats_forgotten": forgotten,
        "finished_tasks_pruned": pruned,
    }
