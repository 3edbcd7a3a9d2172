"""The task worker: claims due django-tasks rows and runs them, on N threads, with a heartbeat.

Claiming is django-tasks-db's own: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (workers on many
machines never take the same row), an EXCLUSIVE transaction on SQLite. Before claiming, a plain read
checks that anything is due, so an idle worker never takes SQLite's write lock away from the web process.

Each thread keeps its own persistent database connection (``CONN_MAX_AGE=None`` on PostgreSQL): closing
it per task cuts throughput about 4×. Connections are only health-checked every ``RECYCLE_SECONDS`` or
after a database error, then reopened.

On PostgreSQL the worker's own bookkeeping (claiming a row, recording the outcome) commits with
``synchronous_commit = off``: it does not wait for its own WAL flush, which is most of a no-op task's
cost on a disk with slow fsync. Nothing durable is risked: the task's own writes still commit
synchronously, and flushing them flushes the earlier claim too; only if PostgreSQL itself crashes can a
just-finished outcome be lost, and ``runtime_tidy`` then fails the task as orphaned.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator

from django.db import DatabaseError, close_old_connections, connection, transaction
from django_tasks.base import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from kopiena.core.tasks_runtime.heartbeat import (
    heartbeat_beat,
    heartbeat_interval_seconds,
    heartbeat_start,
    heartbeat_stop,
)

logger = logging.getLogger("kopiena.worker")

RECYCLE_SECONDS = 30.0
ERROR_BACKOFF_SECONDS = 2.0


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
        try:
            self._beat_until_stopped()
        finally:
            self.stop_event.set()
            for thread in threads:
                thread.join()
            try:
                heartbeat_stop(worker_id=self.worker_id, tasks_done=self.tasks_done)
            except DatabaseError:
                logger.exception("worker %s: could not record the stop", self.worker_id)
            connection.close()
            logger.info("worker %s stopped after %d tasks", self.worker_id, self.tasks_done)

    def _beat_until_stopped(self) -> None:
        interval = heartbeat_interval_seconds()
        while not self.stop_event.wait(interval):
            try:
                heartbeat_beat(worker_id=self.worker_id, tasks_done=self.tasks_done)
            except DatabaseError:
                # A missed beat is survivable; the banner only appears after several in a row.
                logger.exception("worker %s: heartbeat failed", self.worker_id)
                connection.close()

    def _loop(self) -> None:
        recycle_at = time.monotonic() + RECYCLE_SECONDS
        busy = False  # right after a task, skip the "anything due?" read: under load there usually is
        try:
            while not self.stop_event.is_set():
                if time.monotonic() >= recycle_at:
                    close_old_connections()
                    recycle_at = time.monotonic() + RECYCLE_SECONDS
                try:
                    claimed = self._claim(check_first=not busy)
                except DatabaseError:
                    logger.exception("worker %s: claiming failed; retrying", self.worker_id)
                    connection.close()
                    self.stop_event.wait(ERROR_BACKOFF_SECONDS)
                    continue
                busy = claimed is not None
                if claimed is None:
                    self.stop_event.wait(self.poll_interval_seconds)
                    continue
                self._run(claimed)
                with self._done_lock:
                    self.tasks_done += 1
        finally:
            connection.close()

    def _ready(self):
        return DBTaskResult.objects.ready().filter(backend_name=self.backend_name, queue_name__in=self.queues)

    def _claim(self, *, check_first: bool = True) -> DBTaskResult | None:
        ready = self._ready()
        if check_first and not ready.exists():
            return None
        try:
            with exclusive_transaction(ready.db):
                _relax_commit()
                claimed = ready.get_locked()
                if claimed is not None:
                    claimed.claim(self.worker_id)
                return claimed
        except DatabaseError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def _run(self, db_result: DBTaskResult) -> None:
        """django-tasks-db's run step, with the outcome written as bookkeeping (see the module doc)."""
        try:
            task = db_result.task
            task_result = db_result.task_result
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            with _bookkeeping():
                db_result.set_successful(value)  # inside the try: an unstorable value fails the task
            task_finished.send(sender=backend_type, task_result=db_result.task_result)
        except BaseException as exc:  # like django-tasks-db: even sys.exit() in a task only fails the task
            with _bookkeeping():
                db_result.set_failed(exc)
            try:
                sender, finished = type(db_result.task.get_backend()), db_result.task_result
            except Exception:
                logger.exception("task %s failed and cannot be loaded", db_result.id)
            else:
                task_finished.send(sender=sender, task_result=finished)


def _relax_commit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


@contextlib.contextmanager
def _bookkeeping() -> Iterator[None]:
    with transaction.atomic():
        _relax_commit()
        yield
