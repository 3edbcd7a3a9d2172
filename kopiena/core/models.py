"""Base models shared by every domain app."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkspaceScopedModel(TimeStampedModel):
    """Every tenant row belongs to exactly one workspace; selectors always filter on it."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One row per worker process, refreshed every few seconds while it runs.

    The health page, ``/healthz`` and the "no worker" banner read only this table: a worker is alive when
    its ``last_seen`` is recent and it has not reported a graceful stop.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    queues = models.JSONField(default=list)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    tasks_done = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class ClockLease(models.Model):
    """Leader lease for ``kopiena clock`` on databases without advisory locks (SQLite).

    The holder renews ``expires_at`` every few seconds; another clock takes over once it has expired.
    """

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or '-'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class PeriodicTaskState(models.Model):
    """When the clock last enqueued each periodic task, so a new leader keeps the schedule."""

    task_path = models.CharField(max_length=255, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.task_path
