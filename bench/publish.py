"""Dispatch bench: throughput, lateness and CPU cost of the delivery engine on PostgreSQL.

    .venv/bin/python bench/publish.py [--runs 5] [--deliveries 10000] [--accounts 1000] [--workers 2]
                                      [--rate 300] [--mixed]

Each run seeds fresh deliveries (one-account posts over ``--accounts`` accounts) into a ``bench_publish``
database and starts ``--workers`` worker processes (``--threads`` drain loops each, like ``kopiena worker
--concurrency``) polling the due-delivery index directly (``deliveries_drain``) against a local platform
stand-in (``bench/fast_platform.py``: one asyncio event loop in its own process, no faults):

* burst — every delivery due at the same moment: throughput = deliveries / seconds until the last one.
* steady — deliveries fall due at ``--rate`` per second: lateness = published_at − due_at (p50, p99).

CPU: the seconds of user + system time, from ``/proc/<pid>/stat``, that the worker processes, the
PostgreSQL backends serving them (found through ``pg_stat_activity``) and the platform stand-in spent
between the moment every worker is warm and the last delivery; then deliveries per CPU-second of workers
+ database and milliseconds of workers + database CPU per delivery. Unlike deliveries per second, these
hardly depend on what else the machine runs — the figure to compare between machines. The load average
is reported at the start and the end of every run.

``--mixed`` (the ``kopiena run`` shape): one steady phase at ``--rate`` (default 100/s there) while another
process ingests ``--inbox-items`` inbox items (100,000) through ``items_ingest`` and a third requests the
calendar's events for a month ``--calendar-rps`` times a second (20) through Django's handler.

Meanwhile this process chains the audit events the workers queue every 5 s, as the clock's
``audit_flush_pending`` task does, and at the end checks one ``post.published`` event per post and an
intact chain. Prints JSON: every run, and min / median / max of the headline figures.
Aim (issue 18): every run ≥ 300 deliveries/s burst, p99 lateness < 1 s at 300/s; ≤ 2 ms CPU per
delivery; mixed: p99 < 2 s at 100/s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would stand in for the
# standard library's calendar module: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import json
import os
import signal
import statistics
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
PARKED = timedelta(days=1)  # seeded this far ahead, moved to "now" once every worker is warm
_TICK = os.sysconf("SC_CLK_TCK")
WORKER_APP = "kopiena-bench-worker"
IDLE_POLL_SECONDS = 0.02


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14 and 15 of stat)


def worker(
    database_url: str, var_dir: str, stop_at: float, threads: int, ready, profile_dir: str = ""
) -> None:
    """One worker process running ``threads`` drain loops, as ``kopiena worker --concurrency`` does.

    With ``profile_dir``, each loop's cProfile statistics after warm-up go to ``<profile_dir>/<pid>-<n>.prof``."""
    os.environ["PGAPPNAME"] = WORKER_APP  # libpq: lets the CPU meter tell the workers' backends apart
    setup_django(database_url, var_dir)
    from django.db import connection

    from kopiena.publishing.engine import deliveries_drain, engine_config, worker_name
    from kopiena.publishing.fakeplatform import use_fake_platform

    config = engine_config()

    def loop(name: str) -> None:
        deliveries_drain(worker=name, max_seconds=1, config=config)  # connects and warms up
        ready.release()
        profile = cProfile.Profile() if profile_dir else None
        if profile:
            profiles[name] = profile
            profile.enable()
        while time.time() < stop_at:
            if not deliveries_drain(worker=name, max_seconds=5, config=config):
                # Idle: the process as a whole looks every IDLE_POLL_SECONDS (each thread that often ×
                # threads) — an empty claim per thread every 20 ms cost more CPU than 100 deliveries/s.
                time.sleep(IDLE_POLL_SECONDS * threads)
        connection.close()

    profiles: dict[str, cProfile.Profile] = {}

    def dump_profiles(*_):
        # The bench ends a run by terminating the workers: the statistics are written on the way out.
        for name, profile in profiles.items():
            profile.disable()
            profile.dump_stats(os.path.join(profile_dir, f"{os.getpid()}-{name.rsplit(':', 1)[-1]}.prof"))
        os._exit(0)

    if profile_dir:
        signal.signal(signal.SIGTERM, dump_profiles)

    with use_fake_platform():
        pool = [threading.Thread(target=loop, args=(f"{worker_name()}:{n}",)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()


class CpuMeter:
    """CPU seconds of the workers, their PostgreSQL backends and the platform between start() and stop()."""

    def __init__(self, workers: list[int], platform: int):
        self.workers, self.platform = workers, platform

    def _backends(self) -> list[int]:
        from django.db import connection

        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [WORKER_APP],
            )
            return [row[0] for row in cursor.fetchall()]

    def _sample(self) -> dict:
        backends = self._backends()
        return {
            "workers": {pid: cpu_seconds(pid) for pid in self.workers},
            "database": {pid: cpu_seconds(pid) for pid in backends},
            "platform": {self.platform: cpu_seconds(self.platform)},
        }

    def start(self) -> None:
        self.load_start = os.getloadavg()
        self.first = self._sample()

    def stop(self) -> dict:
        last = self._sample()
        spent = {
            part: sum(seconds - self.first[part].get(pid, 0.0) for pid, seconds in last[part].items())
            for part in last
        }
        return {
            "cpu_seconds_workers": round(spent["workers"], 2),
            "cpu_seconds_database": round(spent["database"], 2),
            "cpu_seconds_platform": round(spent["platform"], 2),
            "load_average_start": [round(x, 2) for x in self.load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
        }


def start_workers(args, database_url: str, var_dir: str, stop_in: float) -> list:
    from django.db import connections

    connections.close_all()
    ctx = get_context("spawn")
    ready = ctx.Semaphore(0)
    stop_at = time.time() + stop_in
    procs = [
        ctx.Process(
            target=worker,
            args=(database_url, var_dir, stop_at, args.threads, ready, args.profile),
            daemon=True,
        )
        for _ in range(args.workers)
    ]
    for proc in procs:
        proc.start()
    for _ in range(args.workers * args.threads):
        if not ready.acquire(timeout=120):
            raise RuntimeError("a worker did not start")
    return procs


def run(args, database_url, var_dir, platform, spread_seconds, label, side_load=None) -> dict:
    from django.db.models import F, Max, Min

    from kopiena.audit.models import AuditEvent
    from kopiena.audit.selectors import audit_verify
    from kopiena.audit.services import audit_flush
    from kopiena.core.clock import now
    from kopiena.publishing.fakeplatform import KEY
    from kopiena.publishing.models import Delivery, DeliveryAttempt, DeliveryState

    parked_due = now() + PARKED
    workspace = seed_deliveries(
        label=label,
        accounts=args.accounts,
        deliveries=args.deliveries,
        base_url=platform["url"],
        first_due=parked_due,
        spread_seconds=spread_seconds,
        platform=KEY,
    )
    mine = Delivery.objects.filter(workspace=workspace)
    procs = start_workers(args, database_url, var_dir, stop_in=PARKED.total_seconds())
    meter = CpuMeter([proc.pid for proc in procs], platform["pid"])
    side = side_load() if side_load else None
    meter.start()
    # Every worker is warm: the deliveries fall due from half a second from now.
    shift = parked_due - (now() + timedelta(seconds=0.5))
    mine.update(due_at=F("due_at") - shift, next_attempt_at=F("next_attempt_at") - shift)
    deadline = time.time() + 0.5 + spread_seconds + args.max_seconds
    next_flush = time.time() + AUDIT_FLUSH_SECONDS
    while time.time() < deadline:
        time.sleep(0.5)
        if time.time() >= next_flush:
            audit_flush()
            next_flush += AUDIT_FLUSH_SECONDS
        if not mine.exclude(state=DeliveryState.PUBLISHED).exists():
            break
    cpu = meter.stop()
    side_result = side.stop(cpu_seconds) if side else None
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
    engine_cpu = cpu["cpu_seconds_workers"] + cpu["cpu_seconds_database"]
    result = {
        "published": len(rows),
        "of": args.deliveries,
        "seconds_from_first_due_to_last_published": round(seconds, 2),
        "deliveries_per_second": round(len(rows) / seconds, 1) if rows else 0,
        "lateness_p50_seconds": round(percentile(lateness, 50), 3),
        "lateness_p99_seconds": round(percentile(lateness, 99), 3),
        "lateness_max_seconds": round(max(lateness), 3) if lateness else None,
        **cpu,
        "deliveries_per_cpu_second": round(len(rows) / engine_cpu, 1) if engine_cpu else None,
        "cpu_ms_per_delivery": round(1000 * engine_cpu / len(rows), 3) if rows else None,
        "platform_cpu_ms_per_delivery": round(1000 * cpu["cpu_seconds_platform"] / len(rows), 3)
        if rows
        else None,
        "attempts_that_failed": [f"{code}: {message}" for code, message in retries[:5]],
        "posts_with_published_audit_event": audited,
        "audit_chain_intact": audit_verify().ok,
    }
    if side_result is not None:
        result["side_load"] = side_result
    return result


def spread(runs: list[dict], key: str) -> dict:
    values = [r[key] for r in runs if r.get(key) is not None]
    if not values:
        return {}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


HEADLINES = [
    "deliveries_per_second",
    "lateness_p99_seconds",
    "cpu_ms_per_delivery",
    "deliveries_per_cpu_second",
    "platform_cpu_ms_per_delivery",
]


def start_platform() -> tuple[dict, object]:
    from bench.fast_platform import serve

    ctx = get_context("spawn")
    port_queue = ctx.Queue()
    proc = ctx.Process(target=serve, args=(port_queue,), daemon=True)
    proc.start()
    return {"url": port_queue.get(timeout=30), "pid": proc.pid}, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="drain loops per worker process")
    parser.add_argument(
        "--rate", type=float, default=None, help="steady arrivals per second (300; mixed 100)"
    )
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--max-seconds", type=float, default=240)
    parser.add_argument("--no-burst", action="store_true", help="steady runs only")
    parser.add_argument("--mixed", action="store_true", help="steady runs beside inbox ingest and calendar")
    parser.add_argument("--inbox-items", type=int, default=100_000)
    parser.add_argument("--calendar-rps", type=float, default=20)
    parser.add_argument(
        "--profile", default="", help="write each worker loop's cProfile stats to this folder"
    )
    args = parser.parse_args()
    args.rate = args.rate or (100 if args.mixed else 300)

    var_dir = tempfile.mkdtemp(prefix="kopiena-bench-")
    database_url = bench_database_url("publish", args.engine, var_dir)
    create_database(database_url)
    setup_django(database_url, var_dir)
    migrate()
    platform, platform_proc = start_platform()
    runs = []
    side_load = None
    if args.mixed:
        from bench.publish_mixed import SideLoad

        def side_load():
            return SideLoad(database_url, var_dir, items=args.inbox_items, calendar_rps=args.calendar_rps)

    try:
        for number in range(1, args.runs + 1):
            one = {"run": number}
            if not (args.no_burst or args.mixed):
                one["burst"] = run(args, database_url, var_dir, platform, 0, f"burst-{number}")
            one["steady"] = {
                "arrival_per_second": args.rate,
                **run(
                    args,
                    database_url,
                    var_dir,
                    platform,
                    args.deliveries / args.rate,
                    f"steady-{number}",
                    side_load=side_load,
                ),
            }
            runs.append(one)
            print(json.dumps(one), file=sys.stderr, flush=True)  # progress: a long bench shows its runs
    finally:
        platform_proc.terminate()
        drop_database(database_url)
    summary = {
        phase: {key: spread([r[phase] for r in runs], key) for key in HEADLINES}
        for phase in ("burst", "steady")
        if phase in runs[0]
    }
    print(
        json.dumps(
            {
                "bench": "publish",
                "mode": "mixed" if args.mixed else "plain",
                "engine": args.engine,
                "workers": args.workers,
                "threads_per_worker": args.threads,
                "accounts": args.accounts,
                "deliveries": args.deliveries,
                "cpus": os.cpu_count(),
                "summary": summary,
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
