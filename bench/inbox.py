"""Benchmark: the inbox list views at scale — every view's first page, a page ``--deep`` rows in (keyset),
and a full-text search — as the selector's query time and the whole request (Django test client, logged
in). Prints JSON with p50/p95 per case.

    .venv/bin/python bench/inbox.py [--rows 1000000] [--members 200] [--engine sqlite|postgres] [--repeat 20]

The inbox is seeded by bulk inserts (threads and items in en/lv/ru with deadlines, roles, intents,
kinds, follower flags; one item per thread plus replies), not through ingest (bench/ingest.py measures
that). The deep page's cursor is the keyset cursor of row ``--deep`` (found once, untimed), so the timed
query is what a person paging that far would run. The load average at start is reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/ (bench/calendar.py shadows calendar)

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bench.classify import synthetic_comments
from bench.publishing_setup import bench_database_url, create_database, drop_database, migrate, setup_django

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def seed(workspace, account, members, rows: int, seed: int = 5) -> None:
    from django.db import transaction

    from kopiena.inbox.models import Item, Thread

    rng = random.Random(seed)
    texts = synthetic_comments(min(rows, 50_000), seed=seed)
    kinds = ["comment"] * 6 + ["mention"] * 2 + ["dm"]
    intents = ["", ",question,", ",complaint,", ",praise,", ",question,request,"]
    roles = ["moderator", "manager", "contributor"]
    threads_wanted = max(1, rows * 4 // 5)
    for start in range(0, threads_wanted, 5000):
        with transaction.atomic():
            batch = []
            for n in range(start, min(start + 5000, threads_wanted)):
                owed = rng.random() < 0.7
                batch.append(
                    Thread(
                        workspace=workspace,
                        account=account,
                        root_external_id=f"t{n}",
                        subject=texts[n % len(texts)][:120],
                        status="closed" if rng.random() < 0.2 else "open",
                        assignee=rng.choice(members) if rng.random() < 0.4 else None,
                        assigned_role=rng.choice(roles),
                        language=rng.choice(["en", "lv", "ru"]),
                        sentiment=rng.choice(["negative", "neutral", "positive"]),
                        acute=rng.random() < 0.02,
                        kind=rng.choice(kinds),
                        intent_keys=rng.choice(intents),
                        non_follower=rng.random() < 0.5,
                        last_item_at=NOW - timedelta(minutes=n),
                        response_due_at=NOW + timedelta(minutes=rng.randint(-3000, 3000)) if owed else None,
                    )
                )
            Thread.objects.bulk_create(batch)
    thread_ids = list(Thread.objects.filter(workspace=workspace).values_list("pk", flat=True))
    for start in range(0, rows, 5000):
        with transaction.atomic():
            Item.objects.bulk_create(
                [
                    Item(
                        workspace=workspace,
                        account=account,
                        thread_id=thread_ids[n] if n < len(thread_ids) else rng.choice(thread_ids),
                        kind="comment",
                        external_id=f"i{n}",
                        author_handle=f"@u{n % 50_000}",
                        text=texts[n % len(texts)],
                        remote_created_at=NOW - timedelta(minutes=n),
                        received_at=NOW - timedelta(minutes=n) + timedelta(seconds=rng.randint(1, 120)),
                    )
                    for n in range(start, min(start + 5000, rows))
                ]
            )


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 2),
    }


def run(args) -> dict:
    load_at_start = os.getloadavg()
    var_dir = tempfile.mkdtemp(prefix="kopiena-bench-")
    url = bench_database_url("inbox", args.engine, var_dir)
    create_database(url)
    setup_django(url, var_dir)
    try:
        migrate()
        return measure(args, load_at_start)
    finally:
        drop_database(url)


def measure(args, load_at_start) -> dict:
    from django.conf import settings
    from django.test import Client

    from kopiena.inbox import selectors
    from kopiena.inbox.selectors import FILTERS, InboxFilter, threads_for, threads_page
    from kopiena.integrations.services import account_connect
    from kopiena.teams.models import Role, User
    from kopiena.teams.selectors import access_workspace
    from kopiena.teams.services import membership_add, workspace_create

    settings.ALLOWED_HOSTS = ["*"]
    owner = User.objects.create_user("bench-owner", email="owner@bench.example", password="x")
    workspace = workspace_create(owner=owner, name="Bench", timezone="Europe/Riga", country="LV")
    members = []
    for n in range(args.members - 1):
        user = User.objects.create_user(f"member{n}", email=f"member{n}@bench.example", password="x")
        membership_add(access=None, workspace=workspace, user=user, role=Role.MODERATOR)
        members.append(user)
    access = access_workspace(actor=owner, slug=workspace.slug)
    account = account_connect(
        access=access,
        platform="mastodon",
        name="Bench",
        credentials={"access_token": "tok-bench"},
        base_url="https://social.example",
        external_id="1",
    )
    started = time.perf_counter()
    seed(workspace, account, members, args.rows)
    seed_seconds = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would gather after a bulk load
    member = access_workspace(actor=members[0], slug=workspace.slug) if members else access
    from kopiena.core.heap import freeze_startup_objects

    freeze_startup_objects()  # what `kopiena run` and the WSGI entry point do before serving
    client = Client()
    client.force_login(member.user)
    selectors.now = lambda: NOW  # deadlines are seeded around NOW

    cases = []
    for view in FILTERS:
        filters = InboxFilter(view=view)
        ordered = threads_for(access=member, filters=filters, at=NOW)
        deep = list(ordered.values_list("response_due_at", "pk")[args.deep - 1 : args.deep])
        cursor = ""
        if deep:
            due, pk = deep[0]
            micros = (due - selectors.EPOCH) // timedelta(microseconds=1) if due else None
            cursor = f"d{micros}.{pk}" if due else f"n{pk}"
        cases.append((view, "first", filters, ""))
        if cursor:
            cases.append((view, f"deep_{args.deep}", filters, cursor))
    cases.append(("all", "search", InboxFilter(view="all", q="kafija"), ""))

    if args.slowest:
        print_slowest_queries(client, f"/w/{workspace.slug}/inbox/", args.slowest)
    results = []
    for view, page, filters, cursor in cases:
        case_started = time.perf_counter()
        query_times, request_times, shown = [], [], 0
        params = {"view": view, "after": cursor, "q": filters.q}
        path = f"/w/{workspace.slug}/inbox/"
        client.get(path, {k: v for k, v in params.items() if v})  # untimed: the first one compiles templates
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            shown = len(threads_page(access=member, filters=filters, cursor=cursor, size=50, at=NOW).threads)
            query_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            response = client.get(path, {k: v for k, v in params.items() if v})
            request_times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        print(f"{view} {page}: {time.perf_counter() - case_started:.1f} s", file=sys.stderr, flush=True)
        results.append(
            {
                "view": view,
                "page": page,
                "rows_shown": shown,
                "query": percentiles(query_times),
                "request": percentiles(request_times),
            }
        )
    return {
        "bench": "inbox",
        "engine": args.engine,
        "rows": args.rows,
        "members": args.members,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "seed_seconds": round(seed_seconds, 1),
        "repeat": args.repeat,
        "cases": results,
    }


def print_slowest_queries(client, path: str, how_many: int) -> None:
    """The request's slowest SQL statements, to stderr: where a slow page spends its time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches first
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    ranked = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    print(f"{len(ranked)} queries", file=sys.stderr)
    for query in ranked[:how_many]:
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--deep", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest SQL of one request")
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
