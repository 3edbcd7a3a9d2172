"""The task worker: claims due django-tasks rows and runs them, on N threads, with a heartbeat.

Claiming is django-tasks-db's own: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (workers on many
machines never take the same row), an EXCLUSIVE transaction on SQLite. Before claiming, a plain read
checks that anything is due, so an idle worker never takes SQLite's write lock away from the web process.

Each thread keeps its own persistent database connection (``CONN_MAX_AGE=None`` on PostgreSQL): closing
it per task cuts throughput about 4×. Connections are only health-checked every ``RECYCLE_SECONDS`` or
after a database error, then reopened.

Per task the worker commits once for itself: the outcome of the task it just ran and the claim of the
next one share one short transaction. On PostgreSQL that bookkeeping commits with
``synchronous_commit = off``: it does not wait for its own WAL flush, which is most of a no-op task's
cost on a disk with slow fsync. Nothing durable is risked: the task's own writes still commit
synchronously, and flushing them flushes the earlier claim too; only if PostgreSQL itself crashes can a
just-finished outcome be lost, and ``runtime_tidy`` then fails the task as orphaned.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django_tasks.base import TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from kopiena.core.clock import now
from kopiena.core.tasks_runtime import rows
from kopiena.core.tasks_runtime.heartbeat import (
    heartbeat_beat,
    heartbeat_interval_seconds,
    heartbeat_start,
    heartbeat_stop,
)

logger = logging.getLogger("kopiena.worker")

RECYCLE_SECONDS = 30.0
ERROR_BACKOFF_SECONDS = 2.0
MAX_RECORD_ATTEMPTS = 5


def new_worker_id() -> str:
    """Unique across the pool and readable on the health page (django-tasks-db allows 64 characters)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Worker:
    """Run ``run()`` in the main thread of ``kopiena worker`` or in a thread of ``kopiena run``.

    ``stop_event`` ends it gracefully: every thread finishes the task it is running, then the heartbeat
    row is marked stopped so the health page tells the truth at once.
    """

    def __init__(
        self,
        *,
        queues: list[str],
        concurrency: int = 1,
        poll_interval_seconds: float = 0.25,
        backend_name: str = "default",
        worker_id: str | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.queues = queues
        self.concurrency = concurrency
        self.poll_interval_seconds = poll_interval_seconds
        self.backend_name = backend_name
        self.worker_id = worker_id or new_worker_id()
        self.stop_event = stop_event or threading.Event()
        self._done_lock = threading.Lock()
        self.tasks_done = 0

    def run(self) -> None:
        heartbeat_start(worker_id=self.worker_id, queues=self.queues)
        logger.info(
            "worker %s started: queues=%s concurrency=%d", self.worker_id, self.queues, self.concurrency
        )
        threads = [
            threading.Thread(target=self._loop, name=f"kopiena-worker-{n}", daemon=True)
            for n in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        streams = self._streams()
        try:
            self._beat_until_stopped(threads)
        finally:
            self.stop_event.set()
            for thread in threads:
                thread.join()
            if streams is not None:
                streams.join(timeout=10)
            try:
                heartbeat_stop(worker_id=self.worker_id, tasks_done=self.tasks_done)
            except DatabaseError:
                logger.exception("worker %s: could not record the stop", self.worker_id)
            connection.close()
            logger.info("worker %s stopped after %d tasks", self.worker_id, self.tasks_done)

    def _streams(self):
        """The inbox's streaming connections (faster arrival; polling stays the fallback) live in the
        worker that serves the ``ingest`` queue, so ``kopiena run`` and ``kopiena worker`` both hold them."""
        from kopiena.inbox import streaming

        if "ingest" not in self.queues or not streaming.streaming_enabled():
            return None
        thread = streaming.supervisor_thread(self.stop_event)
        thread.start()
        return thread

    def _beat_until_stopped(self, threads: list[threading.Thread]) -> None:
        interval = heartbeat_interval_seconds()
        while not self.stop_event.wait(interval):
            if not any(thread.is_alive() for thread in threads):
                # Never report "alive" for a worker that can no longer run anything.
                logger.error("worker %s: every task thread has died; stopping", self.worker_id)
                return
            try:
                heartbeat_beat(worker_id=self.worker_id, tasks_done=self.tasks_done)
            except DatabaseError:
                # A missed beat is survivable; the banner only appears after several in a row.
                logger.exception("worker %s: heartbeat failed", self.worker_id)
                connection.close()

    def _loop(self) -> None:
        recycle_at = time.monotonic() + RECYCLE_SECONDS
        pending: Outcome | None = None  # the last task's outcome, written with the next claim
        failures = 0
        try:
            while pending is not None or not self.stop_event.is_set():
                if time.monotonic() >= recycle_at:
                    close_old_connections()
                    recycle_at = time.monotonic() + RECYCLE_SECONDS
                try:
                    claimed = self._record_and_claim(pending, claim=not self.stop_event.is_set())
                except Exception:
                    # The database went away (or the bookkeeping has a bug): back off, reconnect, retry.
                    failures += 1
                    logger.exception("worker %s: claiming or recording failed; retrying", self.worker_id)
                    connection.close()
                    if pending is not None and failures >= MAX_RECORD_ATTEMPTS:
                        _mark_outcome_unknown(pending.db_result)
                        pending = None
                    self.stop_event.wait(ERROR_BACKOFF_SECONDS)
                    continue
                failures = 0
                if pending is not None:
                    pending.announce()
                    with self._done_lock:
                        self.tasks_done += 1
                pending = None
                if claimed is None:
                    self.stop_event.wait(self.poll_interval_seconds)
                    continue
                pending = _run(claimed)
        finally:
            connection.close()

    def _record_and_claim(self, pending: Outcome | None, *, claim: bool) -> DBTaskResult | None:
        """One short transaction: write the previous task's outcome, claim the next due task.

        Fusing the two halves the worker's commits per task. With nothing to write, a plain read first
        checks that anything is due, so an idle worker takes no write lock.
        """
        due = {"backend_name": self.backend_name, "queues": self.queues}
        if pending is None and (not claim or rows.next_due(**due, lock=False) is None):
            return None
        try:
            with exclusive_transaction():
                _relax_commit()
                if pending is not None:
                    pending.record()
                claimed = rows.next_due(**due, lock=True) if claim else None
                if claimed is not None:
                    rows.write_claim(claimed, self.worker_id)
                return claimed
        except DatabaseError as exc:
            if pending is None and is_locked_database_exception(exc):
                return None  # SQLite busy beyond the timeout: just poll again
            raise


@dataclass
class Outcome:
    """What a task did, to be written by the worker's next bookkeeping transaction."""

    db_result: DBTaskResult
    sender: type | None
    value: Any = None
    error: BaseException | None = None

    def record(self) -> None:
        if self.error is None:
            try:
                with transaction.atomic():  # a savepoint: an unstorable return value fails the task
                    rows.write_success(self.db_result, self.value)
                return
            except (TypeError, ValueError) as exc:
                self.error = exc
        rows.write_failure(self.db_result, self.error)

    def announce(self) -> None:
        if self.sender is None:
            logger.error("task %s failed and cannot be loaded", self.db_result.id)
            return
        task_finished.send(sender=self.sender, task_result=self.db_result.task_result)


def _run(db_result: DBTaskResult) -> Outcome:
    """Run one claimed task (django-tasks-db's semantics); the outcome is written by the caller."""
    sender = None
    try:
        task = db_result.task
        task_result = db_result.task_result
        sender = type(task.get_backend())
        task_started.send(sender=sender, task_result=task_result)
        if task.takes_context:
            value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
        else:
            value = task.call(*task_result.args, **task_result.kwargs)
        return Outcome(db_result=db_result, sender=sender, value=value)
    except BaseException as exc:  # like django-tasks-db: even sys.exit() in a task only fails the task
        return Outcome(db_result=db_result, sender=sender, error=exc)


def _relax_commit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


class OutcomeNotRecorded(Exception):
    """Recorded on a task that ran while the worker lost the database before writing its outcome."""


def _mark_outcome_unknown(db_result: DBTaskResult) -> None:
    try:
        DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now(),
            exception_class_path=f"{__name__}.{OutcomeNotRecorded.__qualname__}",
            traceback="The task ran, but the worker could not record its outcome (database error).",
        )
    except DatabaseError:
        logger.exception("task %s: outcome unknown and not recordable", db_result.pk)
        connection.close()
