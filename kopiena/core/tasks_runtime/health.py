"""What /healthz, the health page and the "no worker" banner report. Reads only; never raises on a
database outage (that is reported as ``database_ok=False``)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min, Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from kopiena.core.clock import now
from kopiena.core.models import WorkerHeartbeat
from kopiena.core.tasks_runtime.heartbeat import heartbeat_interval_seconds


def silence_limit_seconds() -> float:
    """How long a worker may be silent before it counts as gone.

    WORKER_STALE_SECONDS is a promise: the banner shows within that long of a worker dying. A beat
    can be up to one interval old when the worker dies, and the banner value is cached for one more
    interval, so the silence allowed is the promise minus both (50 s of 60: still ten missed beats).
    """
    interval = heartbeat_interval_seconds()
    return max(2 * interval, settings.WORKER_STALE_SECONDS - 2 * interval)


@dataclass(frozen=True)
class WorkerStatus:
    """``stale`` is True when no live worker has sent a heartbeat within WORKER_STALE_SECONDS."""

    alive: int
    last_seen: datetime | None
    stale: bool


def worker_status(at: datetime | None = None) -> WorkerStatus:
    """One query: how many workers beat recently, and when any worker was last seen."""
    at = at or now()
    since = at - timedelta(seconds=silence_limit_seconds())
    row = WorkerHeartbeat.objects.aggregate(
        newest_beat=Max("last_seen"),
        alive_workers=Count("pk", filter=Q(stopped_at__isnull=True, last_seen__gte=since)),
    )
    alive = row["alive_workers"]
    return WorkerStatus(alive=alive, last_seen=row["newest_beat"], stale=alive == 0)


_cache_lock = threading.Lock()
_cached: tuple[float, WorkerStatus] | None = None


def cached_worker_status() -> WorkerStatus:
    """``worker_status()`` reused for one heartbeat interval per process: the banner is on every page."""
    global _cached
    with _cache_lock:
        if _cached is not None and time.monotonic() - _cached[0] < heartbeat_interval_seconds():
            return _cached[1]
    try:
        status = worker_status()
    except DatabaseError:
        return WorkerStatus(alive=0, last_seen=None, stale=True)
    with _cache_lock:
        _cached = (time.monotonic(), status)
    return status


def forget_cached_worker_status() -> None:
    global _cached
    with _cache_lock:
        _cached = None


@dataclass(frozen=True)
class WorkerRow:
    beat: WorkerHeartbeat
    alive: bool


@dataclass(frozen=True)
class QueueDepth:
    name: str
    ready: int
    running: int


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    database_ms: float | None
    workers: list[WorkerRow]
    worker: WorkerStatus
    queues: list[QueueDepth]
    oldest_due_age_seconds: float | None
    failed_last_day: int

    @property
    def ok(self) -> bool:
        return self.database_ok and not self.worker.stale

    def as_json(self) -> dict:
        """For the unauthenticated /healthz: counts and ages only, no host names, pids or tenant data."""
        stale_after = settings.WORKER_STALE_SECONDS
        return {
            "status": "ok" if self.ok else "unhealthy",
            "database": {"ok": self.database_ok, "latency_ms": self.database_ms},
            "workers": {
                "alive": self.worker.alive,
                "last_seen": self.worker.last_seen.isoformat() if self.worker.last_seen else None,
                "stale_after_seconds": stale_after,
            },
            "queues": {q.name: {"ready": q.ready, "running": q.running} for q in self.queues},
            "oldest_due_task_age_seconds": self.oldest_due_age_seconds,
            "failed_tasks_last_24h": self.failed_last_day,
        }


def health_report(at: datetime | None = None) -> HealthReport:
    at = at or now()
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database_ms = round((time.perf_counter() - started) * 1000, 2)
        worker = worker_status(at)
        alive_since = at - timedelta(seconds=silence_limit_seconds())
        workers = [
            WorkerRow(beat=beat, alive=beat.stopped_at is None and beat.last_seen >= alive_since)
            for beat in WorkerHeartbeat.objects.filter(last_seen__gte=at - timedelta(days=1))[:20]
        ]
        queues = _queue_depths()
        oldest = _oldest_due_age_seconds(at)
        failed = DBTaskResult.objects.failed().filter(finished_at__gte=at - timedelta(days=1)).count()
    except DatabaseError:
        return HealthReport(
            database_ok=False,
            database_ms=None,
            workers=[],
            worker=WorkerStatus(alive=0, last_seen=None, stale=True),
            queues=[],
            oldest_due_age_seconds=None,
            failed_last_day=0,
        )
    return HealthReport(
        database_ok=True,
        database_ms=database_ms,
        workers=workers,
        worker=worker,
        queues=queues,
        oldest_due_age_seconds=oldest,
        failed_last_day=failed,
    )


def _queue_depths() -> list[QueueDepth]:
    counts = {
        (row["queue_name"], row["status"]): row["n"]
        for row in DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .values("queue_name", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    configured = settings.TASKS["default"].get("QUEUES") or ["default"]
    names = list(configured) + sorted({name for name, _ in counts} - set(configured))
    return [
        QueueDepth(
            name=name,
            ready=counts.get((name, TaskResultStatus.READY), 0),
            running=counts.get((name, TaskResultStatus.RUNNING), 0),
        )
        for name in names
    ]


def _oldest_due_age_seconds(at: datetime) -> float | None:
    """How long the longest-waiting due task has waited: the worker backlog in seconds."""
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    row = ready.aggregate(
        enqueued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        scheduled=Min("run_after", filter=Q(run_after__lte=at)),
    )
    due_since = [value for value in (row["enqueued"], row["scheduled"]) if value is not None]
    if not due_since:
        return None
    return round(max(0.0, (at - min(due_since)).total_seconds()), 3)
