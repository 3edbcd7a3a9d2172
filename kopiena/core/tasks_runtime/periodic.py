"""The periodic-task registry: ``settings.PERIODIC_TASKS``, checked once when the clock starts.

Each entry is ``("dotted.path.to.task", every_seconds)``. The path must name a django-tasks ``Task``
(a function decorated with ``@task``) that takes no arguments; it is enqueued on its own queue
(``@task(queue_name="deliveries")``) at most once per ``every_seconds``. A run that has not started yet
is never enqueued a second time, so a stopped worker does not pile up copies; the task itself must be
idempotent and find its own work (e.g. "deliveries due now").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django_tasks.base import Task


@dataclass(frozen=True)
class PeriodicTask:
    path: str
    every_seconds: float
    task: Task


def periodic_tasks(entries: list[tuple[str, float]] | None = None) -> list[PeriodicTask]:
    """Resolve and validate the registry; raises ImproperlyConfigured naming the bad entry."""
    raw = settings.PERIODIC_TASKS if entries is None else entries
    resolved: list[PeriodicTask] = []
    seen: set[str] = set()
    for entry in raw:
        try:
            path, every_seconds = entry
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                f"PERIODIC_TASKS entry {entry!r}: expected (dotted_path, every_seconds)"
            ) from None
        if path in seen:
            raise ImproperlyConfigured(f"PERIODIC_TASKS lists {path!r} twice")
        seen.add(path)
        if not isinstance(every_seconds, int | float) or every_seconds <= 0:
            raise ImproperlyConfigured(f"PERIODIC_TASKS {path!r}: every_seconds must be a positive number")
        try:
            task = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"PERIODIC_TASKS {path!r} cannot be imported: {exc}") from exc
        if not isinstance(task, Task):
            raise ImproperlyConfigured(f"PERIODIC_TASKS {path!r} is not a @task")
        resolved.append(PeriodicTask(path=path, every_seconds=float(every_seconds), task=task))
    return resolved
