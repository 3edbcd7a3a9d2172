"""The side load of ``bench/publish.py --mixed``: what else ``kopiena run`` does on the same machine while
deliveries fall due — an inbox ingest and people paging through the calendar.

Two processes, each with its own database connections (never counted as the engine's CPU):

* inbox — ingests ``items`` comments in batches of ``INGEST_BATCH`` through ``items_ingest`` (dedupe,
  classification, threading, routing, SLA clocks), as fast as it can, until done or stopped;
* calendar — ``calendar_rps`` requests a second for a month's events (``calendar_events``, through
  Django's handler with a logged-in session) over a workspace of ``CALENDAR_POSTS`` posts.

Both seed their data first; ``SideLoad(...)`` returns once both are ready and running.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context

from bench.publishing_setup import percentile, setup_django

INGEST_BATCH = 200
CALENDAR_POSTS = 20_000  # over 2 years: ~1,150 posts in a 6-week grid, as bench/calendar.py's month


def _inbox(database_url, var_dir, items, ready, stop, results) -> None:
    setup_django(database_url, var_dir)
    from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
    from kopiena.inbox.services import items_ingest
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.teams.models import Workspace

    workspace = Workspace.objects.create(name="inbox", slug=f"inbox-{time.time_ns()}")
    account = ConnectedAccount.objects.create(workspace=workspace, platform="mastodon", name="Inbox")
    texts = [
        "Vai rīt strādājat?",
        "Kad būs piegāde? Gaidu jau nedēļu.",
        "Super, paldies!",
        "Когда откроется новый магазин?",
        "This is the worst service ever, nobody answers",
        "Cik maksā piegāde uz Liepāju?",
    ]
    moment = datetime.now(UTC) - timedelta(days=1)
    ready.release()
    started, done = time.monotonic(), 0
    while done < items and not stop.is_set():
        batch = [
            RemoteItem(
                external_id=f"c{n}",
                kind=ItemKind.COMMENT,
                text=f"{texts[n % len(texts)]} #{n}",
                created_at=moment + timedelta(seconds=n),
                author=AccountRef(id=f"u{n % 5000}", handle=f"user{n % 5000}"),
                parent_id=f"p{n % 300}",
                thread_id=f"p{n % 300}",
            )
            for n in range(done, min(done + INGEST_BATCH, items))
        ]
        items_ingest(account=account, remote_items=batch)
        done += len(batch)
    seconds = time.monotonic() - started
    results.put(
        (
            "inbox",
            {
                "items_ingested": done,
                "seconds": round(seconds, 1),
                "items_per_second": round(done / seconds, 1),
            },
        )
    )


def _calendar(database_url, var_dir, rps, ready, stop, results) -> None:
    setup_django(database_url, var_dir)
    from django.test import Client
    from django.urls import reverse

    from bench.calendar import seed

    start = datetime(2025, 1, 1, tzinfo=UTC)
    owner, workspace, _accounts = seed(
        label=f"calendar-{time.time_ns()}", posts=CALENDAR_POSTS, years=2, start=start
    )
    client = Client()
    client.force_login(owner)
    url = reverse("calendar_events", kwargs={"ws": workspace.slug})
    months = [start + timedelta(days=30 * m) for m in range(24)]
    ready.release()
    samples, failures, n = [], 0, 0
    next_at = time.monotonic()
    while not stop.is_set():
        month = months[n % len(months)]
        n += 1
        began = time.perf_counter()
        response = client.get(
            url, {"start": month.isoformat(), "end": (month + timedelta(weeks=6)).isoformat()}
        )
        samples.append((time.perf_counter() - began) * 1000)
        failures += response.status_code != 200
        next_at += 1 / rps
        time.sleep(max(0.0, next_at - time.monotonic()))
    results.put(
        (
            "calendar",
            {
                "requests": len(samples),
                "failed": failures,
                "p50_ms": round(percentile(samples, 50), 1),
                "p95_ms": round(percentile(samples, 95), 1),
                "max_ms": round(max(samples), 1) if samples else None,
            },
        )
    )


class SideLoad:
    def __init__(self, database_url: str, var_dir: str, *, items: int, calendar_rps: float):
        ctx = get_context("spawn")
        ready, self._stop, self._results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
        self._procs = [
            ctx.Process(
                target=_inbox,
                args=(database_url, var_dir, items, ready, self._stop, self._results),
                daemon=True,
            ),
            ctx.Process(
                target=_calendar,
                args=(database_url, var_dir, calendar_rps, ready, self._stop, self._results),
                daemon=True,
            ),
        ]
        for proc in self._procs:
            proc.start()
        for _ in self._procs:
            if not ready.acquire(timeout=600):
                raise RuntimeError("the side load did not start")
        self.pids = [proc.pid for proc in self._procs]

    def stop(self, cpu_seconds) -> dict:
        cpu = round(sum(cpu_seconds(pid) for pid in self.pids), 1)
        self._stop.set()
        found = dict(self._results.get(timeout=600) for _ in self._procs)
        for proc in self._procs:
            proc.join(timeout=30)
        return {**found, "cpu_seconds_side_processes": cpu}
