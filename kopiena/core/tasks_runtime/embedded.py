"""One process that does everything (``kopiena run``, ``kopiena demo --serve``): the web UI on waitress
(a threaded, production-grade WSGI server), the task worker and the clock on threads beside it.

Ctrl-C (or SIGTERM) stops the web server, lets running tasks finish, marks the worker stopped and
releases the clock's leadership, in that order.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from kopiena.core.heap import freeze_startup_objects
from kopiena.core.tasks_runtime.clock import Clock
from kopiena.core.tasks_runtime.worker import Worker

JOIN_SECONDS = 30.0


def prepare_database(*, stdout: TextIO, migrate: bool) -> None:
    """Apply pending migrations (only when there are any) and make sure the cache table exists."""
    if migrate:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            stdout.write("Applying database migrations…\n")
            call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
    collect_static_if_stale(stdout=stdout)


STATIC_STAMP = ".kopiena-static-stamp"


def _static_sources_fingerprint() -> str:
    """A digest of every file collectstatic would collect (path, size, mtime), from Django's own finders."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            try:
                info = os.stat(storage.path(path))
            except (NotImplementedError, OSError):
                continue
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_if_stale(*, stdout: TextIO) -> bool:
    """In production pages name static files through whitenoise's manifest, so a missing manifest — or
    one from an older version, missing a newer file — turns pages into 500s. Collect when there is no
    manifest or the sources changed since the last collection (a stamp beside the manifest), so
    ``kopiena run`` works without a manual ``collectstatic`` after install or upgrade. Returns whether it
    collected."""
    if settings.DEBUG:
        return False  # development serves the sources directly (WHITENOISE_USE_FINDERS)
    root = Path(settings.STATIC_ROOT)
    fingerprint = _static_sources_fingerprint()
    stamp = root / STATIC_STAMP
    if (root / "staticfiles.json").exists() and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    stdout.write("Collecting static files…\n")
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n")
    return True


def task_log_level(verbosity: int) -> None:
    """django-tasks logs two lines per task at INFO, and httpx one per request: with 1-second periodic
    tasks that buries the console. Show them only with ``-v 2`` or more; WARNING and up always show."""
    level = logging.INFO if verbosity >= 2 else logging.WARNING
    for name in ("django_tasks", "django_tasks_db", "httpx"):
        logging.getLogger(name).setLevel(level)


def install_stop_signals(on_stop: Callable[[], None]) -> None:
    """First SIGINT/SIGTERM: ``on_stop()`` (graceful). A second one: exit now."""
    stopping = threading.Event()

    def handler(signum, frame):
        if stopping.is_set():
            sys.stderr.write("Stopping immediately.\n")
            raise SystemExit(1)
        stopping.set()
        on_stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def serve(
    *,
    host: str,
    port: int,
    stdout: TextIO,
    web_threads: int = 8,
    worker_concurrency: int = 1,
    with_worker: bool = True,
    with_clock: bool = True,
    after_start: Callable[[str], None] | None = None,
) -> None:
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    stop = threading.Event()
    threads: list[threading.Thread] = []
    if with_worker:
        worker = Worker(
            queues=list(settings.TASKS["default"].get("QUEUES") or ["default"]),
            concurrency=worker_concurrency,
            stop_event=stop,
        )
        threads.append(threading.Thread(target=worker.run, name="kopiena-worker", daemon=True))
    if with_clock:
        clock = Clock(stop_event=stop)
        threads.append(threading.Thread(target=clock.run, name="kopiena-clock", daemon=True))

    server = create_server(get_wsgi_application(), host=host, port=port, threads=web_threads)
    freeze_startup_objects()
    shown_host = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    url = f"http://{shown_host}:{server.effective_port}/"

    def on_stop() -> None:
        stop.set()
        raise KeyboardInterrupt  # waitress ends its loop on KeyboardInterrupt and drains its threads

    install_stop_signals(on_stop)
    for thread in threads:
        thread.start()
    if threads:
        stop.wait(1.0)  # let the worker and clock log their start, so the login block below is last
    parts = [name for name, on in (("worker", with_worker), ("clock", with_clock)) if on]
    stdout.write(f"Kopiena is running at {url} (web + {' + '.join(parts) or 'no background work'}).\n")
    if after_start is not None:
        after_start(url)
    stdout.write("Press Ctrl-C to stop.\n")
    stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        stdout.write("Stopping: letting running tasks finish…\n")
        stdout.flush()
        server.close()
        for thread in threads:
            thread.join(JOIN_SECONDS)
        stdout.write("Stopped.\n")
        stdout.flush()
