"""Dispatch bench: throughput and lateness of the delivery engine on PostgreSQL.

    .venv/bin/python bench/publish.py [--deliveries 10000] [--accounts 1000] [--workers 2] [--rate 300]

Two runs on a fresh ``bench_publish`` database, each with ``--workers`` worker processes (``--threads``
drain loops each, like ``kopiena worker --concurrency``) polling the
due-delivery index directly (``deliveries_drain``; no task queue in between) against the local fake
platform (no injected faults):

* burst — every delivery due at the same moment: throughput = deliveries / seconds until the last one.
* steady — deliveries fall due at ``--rate`` per second: lateness = published_at − due_at (p50, p99).

Meanwhile this process chains the audit events the workers queue every 5 s, as the clock's
``audit_flush_pending`` task does, and at the end checks one ``post.published`` event per post and an
intact chain.

Prints JSON. Aim (issue 5): ≥ 300 deliveries/s and p99 lateness < 2 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would stand in for the
# standard library's calendar module: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import tempfile
import threading
import time
from datetime import timedelta
from multiprocessing import get_context

from bench.publishing_setup import (
    bench_database_url,
    create_database,
    drop_database,
    migrate,
    percentile,
    seed_deliveries,
    setup_django,
)

AUDIT_FLUSH_SECONDS = 5  # settings.PERIODIC_TASKS: kopiena.audit.tasks.audit_flush_pending


def worker(database_url: str, var_dir: str, stop_at: float, threads: int) -> None:
    """One worker process running ``threads`` drain loops, as ``kopiena worker --concurrency`` does."""
    setup_django(database_url, var_dir)
    from django.db import connection

    from kopiena.publishing.engine import deliveries_drain, engine_config, worker_name
    from kopiena.publishing.fakeplatform import use_fake_platform

    config = engine_config()

    def loop(name: str) -> None:
        while time.time() < stop_at:
            if not deliveries_drain(worker=name, max_seconds=5, config=config):
                time.sleep(0.02)
        connection.close()

    with use_fake_platform():
        pool = [threading.Thread(target=loop, args=(f"{worker_name()}:{n}",)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()


def platform_main(port_queue) -> None:
    from kopiena.publishing.fakeplatform import FakePlatform

    platform = FakePlatform().start()
    port_queue.put(platform.base_url)
    while True:
        time.sleep(3600)


def run(args, database_url: str, var_dir: str, base_url: str, spread_seconds: float, label: str) -> dict:
    from django.db import connections
    from django.db.models import Max, Min

    from kopiena.audit.models import AuditEvent
    from kopiena.audit.selectors import audit_verify
    from kopiena.audit.services import audit_flush
    from kopiena.core.clock import now
    from kopiena.publishing.fakeplatform import KEY
    from kopiena.publishing.models import Delivery, DeliveryAttempt, DeliveryState

    first_due = now() + timedelta(seconds=6)  # workers are started and warm by then
    workspace = seed_deliveries(
        label=label,
        accounts=args.accounts,
        deliveries=args.deliveries,
        base_url=base_url,
        first_due=first_due,
        spread_seconds=spread_seconds,
        platform=KEY,
    )
    mine = Delivery.objects.filter(workspace=workspace)
    connections.close_all()
    ctx = get_context("spawn")
    stop_at = time.time() + 6 + spread_seconds + args.max_seconds
    procs = [
        ctx.Process(target=worker, args=(database_url, var_dir, stop_at, args.threads))
        for _ in range(args.workers)
    ]
    for proc in procs:
        proc.start()
    next_flush = time.time() + AUDIT_FLUSH_SECONDS
    while time.time() < stop_at:
        time.sleep(0.5)
        if time.time() >= next_flush:
            audit_flush()
            next_flush += AUDIT_FLUSH_SECONDS
        if not mine.exclude(state=DeliveryState.PUBLISHED).exists():
            break
    for proc in procs:
        proc.terminate()
        proc.join()
    audit_flush()
    audited = AuditEvent.objects.filter(workspace=workspace, action="post.published").count()
    retries = (
        DeliveryAttempt.objects.filter(delivery__workspace=workspace)
        .exclude(error_code="")
        .values_list("error_code", "message")
    )
    rows = list(mine.filter(state=DeliveryState.PUBLISHED).values_list("due_at", "published_at"))
    lateness = [(published - due).total_seconds() for due, published in rows]
    span = mine.aggregate(first=Min("due_at"), last=Max("published_at"))
    seconds = (span["last"] - span["first"]).total_seconds() if rows else float("nan")
    return {
        "published": len(rows),
        "of": args.deliveries,
        "seconds_from_first_due_to_last_published": round(seconds, 2),
        "deliveries_per_second": round(len(rows) / seconds, 1) if rows else 0,
        "lateness_p50_seconds": round(percentile(lateness, 50), 3),
        "lateness_p99_seconds": round(percentile(lateness, 99), 3),
        "lateness_max_seconds": round(max(lateness), 3) if lateness else None,
        "attempts_that_failed": [f"{code}: {message}" for code, message in retries[:5]],
        "posts_with_published_audit_event": audited,
        "audit_chain_intact": audit_verify().ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="drain loops per worker process")
    parser.add_argument("--rate", type=float, default=300, help="arrival rate of the steady run, per second")
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--max-seconds", type=float, default=240)
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="kopiena-bench-")
    database_url = bench_database_url("publish", args.engine, var_dir)
    create_database(database_url)
    setup_django(database_url, var_dir)
    migrate()
    ctx = get_context("spawn")
    port_queue = ctx.Queue()
    platform = ctx.Process(target=platform_main, args=(port_queue,), daemon=True)
    platform.start()
    base_url = port_queue.get(timeout=30)
    try:
        burst = run(args, database_url, var_dir, base_url, spread_seconds=0, label="burst")
        steady = run(
            args, database_url, var_dir, base_url, spread_seconds=args.deliveries / args.rate, label="steady"
        )
    finally:
        platform.terminate()
        drop_database(database_url)
    print(
        json.dumps(
            {
                "bench": "publish",
                "engine": args.engine,
                "workers": args.workers,
                "threads_per_worker": args.threads,
                "accounts": args.accounts,
                "deliveries": args.deliveries,
                "burst": burst,
                "steady": {"arrival_per_second": args.rate, **steady},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
