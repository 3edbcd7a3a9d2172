"""Crash bench: deliveries to a faulty local platform while workers are SIGKILLed at random.

    .venv/bin/python bench/publish_crash.py [--deliveries 1000] [--workers 4] [--engine sqlite|postgres]

The fake platform (kopiena.publishing.fakeplatform) does NOT dedupe on the idempotency key, so any
second send would show as a duplicate. It answers some publishes with 429 or 503 and, for others,
creates the post and then never answers (timeout after accept → OutcomeUnknown). Worker processes run
the real engine (drain + lease recovery + reconcile) and are killed with SIGKILL and restarted at random.

Prints JSON: duplicates (remote posts per idempotency key > 1) and lost (a delivery neither published
with its post on the platform, nor failed with a reason; or a platform post no delivery knows) must be 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would stand in for the
# standard library's calendar module: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import random
import signal
import subprocess
import tempfile
import time

from bench.publishing_setup import (
    bench_database_url,
    create_database,
    drop_database,
    migrate,
    seed_deliveries,
    setup_django,
)


def engine_config():
    from kopiena.publishing.engine import EngineConfig

    return EngineConfig(
        late_cutoff_seconds=3600,
        lease_seconds=6,  # short, so a killed worker's rows come back within the bench
        max_attempts=10,
        retry_base_seconds=0.2,
        reconcile_delay_seconds=0.5,
        reconcile_confirm_checks=2,
        metrics_interval_seconds=3600,
        metrics_window_seconds=86400,
    )


def worker_main(args) -> None:
    setup_django(args.database_url, args.var_dir)
    from kopiena.publishing.engine import deliveries_drain, deliveries_maintain, worker_name
    from kopiena.publishing.fakeplatform import use_fake_platform

    config, name = engine_config(), worker_name()
    last_maintenance = 0.0
    with use_fake_platform():
        while True:
            done = deliveries_drain(worker=name, max_seconds=1.0, config=config)
            if time.monotonic() - last_maintenance > 0.5:
                deliveries_maintain(config=config)
                last_maintenance = time.monotonic()
            if not done:
                time.sleep(0.05)


def spawn(args) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--worker",
            "--database-url",
            args.database_url,
            "--var-dir",
            args.var_dir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summary(platform, started: float, kills: int) -> dict:
    from django.db.models import Count

    from kopiena.publishing.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryState

    rows = list(Delivery.objects.values("pk", "state", "idempotency_key", "remote_id", "failure_message"))
    per_key = dict(platform.posts_per_key)
    by_id = platform.posts
    keys = {r["idempotency_key"] for r in rows}
    published_ok = [
        r
        for r in rows
        if r["state"] == DeliveryState.PUBLISHED
        and per_key.get(r["idempotency_key"]) == 1
        and by_id.get(r["remote_id"], {}).get("key") == r["idempotency_key"]
    ]
    failed_with_reason = [r for r in rows if r["state"] == DeliveryState.FAILED and r["failure_message"]]
    unrecorded = [k for k in per_key if k not in keys]
    posted_but_failed = [
        r for r in rows if r["state"] == DeliveryState.FAILED and per_key.get(r["idempotency_key"])
    ]
    outcomes = dict(DeliveryAttempt.objects.values_list("outcome").annotate(n=Count("id")))
    reconciled = (
        DeliveryAttempt.objects.filter(outcome=AttemptOutcome.FOUND).values("delivery").distinct().count()
    )
    return {
        "deliveries": len(rows),
        "published": sum(r["state"] == DeliveryState.PUBLISHED for r in rows),
        "failed_with_reason": len(failed_with_reason),
        "states": {s: sum(r["state"] == s for r in rows) for s in DeliveryState.values},
        "duplicates": sum(n - 1 for n in per_key.values() if n > 1),
        "lost": len(rows)
        - len(published_ok)
        - len(failed_with_reason)
        + len(unrecorded)
        + len(posted_but_failed),
        "unconfirmed_then_reconciled": reconciled,
        "attempt_outcomes": outcomes,
        "platform_posts": sum(per_key.values()),
        "platform_publish_requests": platform.server.count("POST", r"/posts"),
        "workers_killed": kills,
        "seconds": round(time.monotonic() - started, 1),
    }


def audited() -> dict:
    """Every final post state has exactly one audit event, and the chain holds (after the clock's flush)."""
    from django.db.models import Count

    from kopiena.audit.models import AuditEvent
    from kopiena.audit.selectors import audit_verify
    from kopiena.audit.services import audit_flush
    from kopiena.publishing.models import Post, PostState

    audit_flush()
    events = AuditEvent.objects.filter(action="post.published").values("object_id").annotate(n=Count("id"))
    per_post = {row["object_id"]: row["n"] for row in events}
    published = [
        str(pk) for pk in Post.objects.filter(state=PostState.PUBLISHED).values_list("pk", flat=True)
    ]
    return {
        "published_posts_without_audit_event": sum(1 for pk in published if pk not in per_post),
        "posts_with_repeated_published_event": sum(1 for n in per_post.values() if n > 1),
        "audit_chain_intact": audit_verify().ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--kill-every", type=float, default=2.0, help="mean seconds between SIGKILLs")
    parser.add_argument("--max-seconds", type=float, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return

    tmpdir = tempfile.mkdtemp(prefix="kopiena-crash-")
    args.var_dir = tmpdir
    args.database_url = bench_database_url("publish_crash", args.engine, tmpdir)
    create_database(args.database_url)
    setup_django(args.database_url, tmpdir)
    migrate()
    from datetime import timedelta

    from django.db import connections

    from kopiena.core.clock import now
    from kopiena.publishing.engine import deliveries_drain, deliveries_maintain
    from kopiena.publishing.fakeplatform import KEY, FakePlatform, FaultRates, use_fake_platform
    from kopiena.publishing.models import Delivery, DeliveryState

    rng = random.Random(args.seed)
    faults = FaultRates(rate_limited=0.05, unavailable=0.05, hang_after_accept=0.05, hang_seconds=2.0)
    platform = FakePlatform(faults, seed=args.seed).start()
    seed_deliveries(
        accounts=args.accounts,
        deliveries=args.deliveries,
        base_url=platform.base_url,
        first_due=now() + timedelta(seconds=2),
        spread_seconds=10,
        platform=KEY,
    )
    connections.close_all()
    started = time.monotonic()
    workers = [spawn(args) for _ in range(args.workers)]
    kills = 0
    unfinished = [
        DeliveryState.PENDING,
        DeliveryState.CLAIMED,
        DeliveryState.PUBLISHING,
        DeliveryState.UNCONFIRMED,
    ]
    try:
        while time.monotonic() - started < args.max_seconds:
            time.sleep(rng.expovariate(1 / args.kill_every))
            victim = rng.randrange(len(workers))
            os.kill(workers[victim].pid, signal.SIGKILL)
            workers[victim].wait()
            workers[victim] = spawn(args)
            kills += 1
            if not Delivery.objects.filter(state__in=unfinished).exists():
                break
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    # Whatever the last kills left behind: recover and reconcile until nothing is in flight.
    config = engine_config()
    with use_fake_platform():
        deadline = time.monotonic() + 60
        while Delivery.objects.filter(state__in=unfinished).exists() and time.monotonic() < deadline:
            deliveries_maintain(config=config)
            deliveries_drain(worker="bench-finisher", max_seconds=2, config=config)
            time.sleep(0.2)
    result = {
        "bench": "publish_crash",
        "engine": args.engine,
        **summary(platform, started, kills),
        **audited(),
    }
    platform.stop()
    drop_database(args.database_url)
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
