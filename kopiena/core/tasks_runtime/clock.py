"""The clock: on the elected leader, enqueue each periodic task when it is due.

The schedule lives in ``PeriodicTaskState`` so a clock that takes over continues it instead of firing
everything at once. A run that is still waiting in the queue is not enqueued again (no pile-up while the
workers are down).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kopiena.core.clock import now
from kopiena.core.models import PeriodicTaskState
from kopiena.core.tasks_runtime.leader import leader_for
from kopiena.core.tasks_runtime.periodic import PeriodicTask, periodic_tasks

logger = logging.getLogger("kopiena.clock")

TICK_SECONDS = 0.25
FOLLOWER_WAIT_SECONDS = 1.0


class Clock:
    def __init__(
        self,
        *,
        entries: list[PeriodicTask] | None = None,
        stop_event: threading.Event | None = None,
        clock_id: str | None = None,
    ) -> None:
        self.entries = periodic_tasks() if entries is None else entries
        self.stop_event = stop_event or threading.Event()
        self.clock_id = clock_id or f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._states: dict[str, PeriodicTaskState] | None = None

    def run(self) -> None:
        leader = leader_for(self.clock_id)
        logger.info("clock %s started with %d periodic tasks", self.clock_id, len(self.entries))
        was_leader = False
        try:
            while not self.stop_event.is_set():
                leading = leader.is_leader()
                if leading != was_leader:
                    logger.info("clock %s is %s", self.clock_id, "the leader" if leading else "waiting")
                    self._states = None  # re-read the schedule: another clock may have advanced it
                    was_leader = leading
                if leading:
                    try:
                        self.tick(now())
                    except DatabaseError:
                        logger.exception("clock %s: tick failed; retrying", self.clock_id)
                        connection.close()
                        self._states = None
                self.stop_event.wait(TICK_SECONDS if leading else FOLLOWER_WAIT_SECONDS)
        finally:
            leader.release()
            connection.close()
            logger.info("clock %s stopped", self.clock_id)

    def tick(self, at: datetime) -> list[str]:
        """Enqueue every entry that is due at ``at``; returns the paths enqueued."""
        if self._states is None:
            known = {s.task_path: s for s in PeriodicTaskState.objects.all()}
            self._states = {
                e.path: known.get(e.path) or PeriodicTaskState(task_path=e.path) for e in self.entries
            }
        enqueued = []
        for entry in self.entries:
            state = self._states[entry.path]
            if state.last_enqueued_at and at < state.last_enqueued_at + timedelta(
                seconds=entry.every_seconds
            ):
                continue
            if self._still_waiting(state):
                continue
            try:
                with transaction.atomic():
                    result = entry.task.enqueue()
                    state.last_enqueued_at = at
                    state.last_result_id = str(result.id)
                    state.save()
            except DatabaseError:
                raise  # the database is gone for every entry: run() backs off
            except Exception:
                # One broken entry must not stop the others' schedule; it is retried next tick.
                logger.exception("clock: could not enqueue %s", entry.path)
                continue
            enqueued.append(entry.path)
        return enqueued

    @staticmethod
    def _still_waiting(state: PeriodicTaskState) -> bool:
        return bool(state.last_result_id) and (
            DBTaskResult.objects.filter(pk=state.last_result_id, status=TaskResultStatus.READY).exists()
        )
