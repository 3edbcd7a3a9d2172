"""Task-runtime benchmark: 10,000 no-op tasks through the real `kopiena worker` processes.

    .venv/bin/python bench/tasks.py                 # SQLite (1 worker) and PostgreSQL (2 workers)
    .venv/bin/python bench/tasks.py --backend sqlite --tasks 2000

Prints JSON. Each backend runs on its own database (a temporary SQLite file; the PostgreSQL database
``kopiena_bench``, created if missing), never the development or test ones.

Per backend:
- enqueue rate: N tasks enqueued one transaction each, with no worker running;
- completion rate: the workers start on that full queue; N / seconds until the last one finished;
- latency p50/p95 (enqueue to done): a steady stream of tasks at 50/s, below capacity, i.e. what a user
  sees (enqueue-to-done during the drain would only measure the backlog).
Every task inserts its own task id into a table whose primary key is that id, so a task that ran twice
would fail on the duplicate; the bench then checks rows == tasks == successful results, and that every
result was claimed by exactly one worker.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The workers import the no-op task as ``bench.tasks``; so does this process once Django is set up. And
# run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would stand in for the
# standard library's calendar module: the repository root takes its place.
if sys.path and Path(sys.path[0]).resolve() == REPO / "bench":
    sys.path[0] = str(REPO)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "kopiena_bench"


def django_setup(database_url: str) -> None:
    os.environ["KOPIENA_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopiena.config.settings")
    import django

    django.setup()


if __name__ != "__main__":  # imported (after django.setup()) as bench.tasks, by the bench and the workers
    from django.db import connection
    from django_tasks import task

    @task(takes_context=True)
    def noop(context) -> None:
        """Record that this task id ran; the primary key refuses a second run of the same task."""
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_ran (task_id) VALUES (%s)", [str(context.task_result.id)])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_backend(backend: str, n_tasks: int, paced: int, concurrency: int | None) -> dict:
    load_at_start = round(os.getloadavg()[0], 2)
    tmp = Path(tempfile.mkdtemp(prefix="kopiena-bench-"))
    if backend == "sqlite":
        url, n_workers = f"sqlite:///{tmp / 'bench.sqlite3'}", 1
        concurrency = concurrency or 1  # SQLite has one writer at a time; more threads only queue
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_BENCH_DB]).fetchone():
                admin.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')
        server = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://")
        url, n_workers = f"{server}/{PG_BENCH_DB}", 2
        concurrency = concurrency or 4  # threads overlap their commit waits (group commit)
    env = {**os.environ, "KOPIENA_DATABASE_URL": url, "KOPIENA_VAR_DIR": str(tmp), "PYTHONPATH": str(REPO)}
    env.pop("KOPIENA_TEST_DB_NAME", None)
    kopiena = [sys.executable, "-m", "kopiena"]
    subprocess.run([*kopiena, "migrate", "-v0", "--skip-checks"], env=env, check=True, cwd=REPO)

    django_setup(url)
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from bench.tasks import noop
    from kopiena.core.models import WorkerHeartbeat
    from kopiena.core.tasks_runtime.health import worker_status

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ran")
        cursor.execute("CREATE TABLE bench_ran (task_id VARCHAR(64) PRIMARY KEY)")
    empty_task_table(DBTaskResult)
    WorkerHeartbeat.objects.all().delete()
    commits_per_s = probe_commits_per_second()

    # 1. Enqueue rate: N tasks, each enqueued in its own transaction (as a web request would).
    started = time.perf_counter()
    for _ in range(n_tasks):
        noop.enqueue()
    enqueue_seconds = time.perf_counter() - started
    analyze(DBTaskResult)  # as autovacuum would on a live system: the planner needs the queue's shape

    # 2. Completion rate: start the workers on the full queue and time the drain.
    workers_started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                *kopiena,
                "worker",
                "--queues",
                "default",
                "--concurrency",
                str(concurrency),
                "-v0",
                "--skip-checks",
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=(tmp / f"worker{i}.log").open("w"),
        )
        for i in range(n_workers)
    ]
    try:
        drain = wait_done(DBTaskResult, n_tasks)
        drain_seconds = time.perf_counter() - workers_started
        worker_cpu_seconds = sum(process_cpu_seconds(process.pid) for process in workers)
        drain_check = check_ran_once(DBTaskResult, n_tasks)
        if worker_status().alive < n_workers:
            raise RuntimeError(f"expected {n_workers} live workers; logs in {tmp}")

        # 3. Latency: a steady stream below capacity, enqueue-to-done per task.
        empty_task_table(DBTaskResult)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_ran")
        started = time.perf_counter()
        for n in range(paced):
            delay = started + n / PACED_PER_SECOND - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            noop.enqueue()
        wait_done(DBTaskResult, paced)
        paced_check = check_ran_once(DBTaskResult, paced)
        latencies = [(done - queued).total_seconds() for queued, done in paced_check.pop("times")]
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(30)
    drain_check.pop("times")
    return {
        "backend": backend,
        "worker_processes": n_workers,
        "threads_per_worker": concurrency,
        "tasks": n_tasks,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m_at_start": load_at_start,
            "single_connection_commits_per_s": commits_per_s,
        },
        "enqueue_per_s": round(n_tasks / enqueue_seconds, 1),
        "completion_per_s": round(n_tasks / drain_seconds, 1),
        "completion_per_s_excluding_worker_start": round(n_tasks / drain, 1),
        # Includes start-up (imports, migrations check) but not PostgreSQL's own CPU.
        "worker_cpu_ms_per_task": round(1000 * worker_cpu_seconds / n_tasks, 2),
        "latency": {
            "tasks": paced,
            "enqueued_per_s": PACED_PER_SECOND,
            "p50_s": round(statistics.median(latencies), 4),
            "p95_s": round(percentile(latencies, 0.95), 4),
        },
        "no_task_ran_twice": drain_check["ok"] and paced_check["ok"],
        "checks": {"drain": drain_check, "latency": paced_check},
    }


PACED_PER_SECOND = 50.0


def empty_task_table(DBTaskResult) -> None:
    """Start from an empty queue table (TRUNCATE on PostgreSQL, so earlier runs leave no dead rows)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(DBTaskResult._meta.db_table)}")
    else:
        DBTaskResult.objects.all().delete()


def analyze(DBTaskResult) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(DBTaskResult._meta.db_table)}")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def probe_commits_per_second(n: int = 300) -> float:
    """How fast one connection can commit small inserts here: the disk's (fsync) ceiling for work that
    commits once per task, which every task with a durable write does."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_probe")
        cursor.execute("CREATE TABLE bench_probe (n INTEGER)")
        started = time.perf_counter()
        for n_row in range(n):
            cursor.execute("INSERT INTO bench_probe (n) VALUES (%s)", [n_row])
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_probe")
    return round(n / elapsed, 1)


def wait_done(DBTaskResult, n_tasks: int) -> float:
    """Wait until every task finished; returns seconds from the first claim to the last finish."""
    from django.db.models import Max, Min

    deadline = time.monotonic() + 900
    while DBTaskResult.objects.finished().count() < n_tasks:
        if time.monotonic() > deadline:
            raise RuntimeError("tasks did not finish in 15 minutes")
        time.sleep(0.2)
    span = DBTaskResult.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    return (span["last"] - span["first"]).total_seconds()


def check_ran_once(DBTaskResult, n_tasks: int) -> dict:
    from django.db import connection

    rows = list(DBTaskResult.objects.values_list("enqueued_at", "finished_at", "status", "worker_ids"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT task_id) FROM bench_ran")
        ran, distinct = cursor.fetchone()
    successful = sum(1 for r in rows if r[2] == "SUCCESSFUL")
    claimed_once = sum(1 for r in rows if len(r[3]) == 1)
    per_worker: dict[str, int] = {}
    for r in rows:
        for worker_id in r[3]:
            per_worker[worker_id] = per_worker.get(worker_id, 0) + 1
    return {
        "ok": ran == distinct == successful == claimed_once == n_tasks,
        "successful": successful,
        "rows_written": ran,
        "claimed_exactly_once": claimed_once,
        "tasks_per_worker": sorted(per_worker.values(), reverse=True),
        "times": [(r[0], r[1]) for r in rows],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--paced", type=int, default=500, help="tasks in the latency phase")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="threads per worker process (default: SQLite 1, PostgreSQL 4)",
    )
    args = parser.parse_args()
    if args.backend:
        print(json.dumps(run_backend(args.backend, args.tasks, args.paced, args.concurrency or None)))
        return 0
    # One child per backend: Django's settings are fixed once a process has set up.
    results = []
    for backend in ("sqlite", "postgres"):
        child = subprocess.run(
            [
                *(sys.executable, __file__, "--backend", backend),
                *(
                    "--tasks",
                    str(args.tasks),
                    "--paced",
                    str(args.paced),
                    "--concurrency",
                    str(args.concurrency),
                ),
            ],
            capture_output=True,
            text=True,
        )
        if child.returncode != 0:
            results.append({"backend": backend, "error": child.stderr.strip().splitlines()[-1:]})
        else:
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "tasks", "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
