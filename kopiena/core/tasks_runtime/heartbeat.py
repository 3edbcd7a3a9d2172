"""Worker heartbeats: a row per worker process, refreshed while it runs (read by ``health``)."""

from __future__ import annotations

import os
import socket

from django.conf import settings

from kopiena.core.clock import now
from kopiena.core.models import WorkerHeartbeat


def heartbeat_interval_seconds() -> float:
    """Beat several times per staleness window so one slow write never raises the banner."""
    return max(0.5, min(5.0, settings.WORKER_STALE_SECONDS / 6))


def heartbeat_start(*, worker_id: str, queues: list[str]) -> WorkerHeartbeat:
    at = now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": queues,
            "started_at": at,
            "last_seen": at,
            "stopped_at": None,
            "tasks_done": 0,
        },
    )
    return beat


def heartbeat_beat(*, worker_id: str, tasks_done: int) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now(), tasks_done=tasks_done)


def heartbeat_stop(*, worker_id: str, tasks_done: int) -> None:
    at = now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        last_seen=at, stopped_at=at, tasks_done=tasks_done
    )
