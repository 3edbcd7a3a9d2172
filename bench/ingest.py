"""Benchmark: the inbox's ingest path at scale, next to a raw batched insert of the same rows. Prints JSON.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--engine sqlite|postgres|both] [--batch 1000]

Generated items (fixed seed; en/lv/ru texts from bench/classify.py's templates): comments under posts,
replies to earlier items, brand mentions and direct messages, spread over ``--accounts`` accounts. Each
batch goes through ``items_ingest`` — normalise (text cap) → dedupe (batch + stored) → thread →
``classify_batch`` → policy routing → SLA (AppliedSla + event, business time) → store (bulk insert,
FTS index/trigger) → audit. The raw figure is the same rows bulk-inserted as ``Item`` rows (one
``bulk_create`` per batch, one transaction each) into an empty account: the floor the pipeline is
compared to. The machine's load average at start is reported: on a shared machine, compare ratios.
Benches use their own database (a temporary SQLite file; ``bench_ingest`` on PostgreSQL, dropped after).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/ (bench/calendar.py shadows calendar)

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bench.classify import synthetic_comments
from bench.publishing_setup import bench_database_url, create_database, drop_database, migrate, setup_django

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def generate(rows: int, accounts: int, seed: int = 11):
    """``rows`` RemoteItems per account index: 60 % comments, 20 % replies, 12 % mentions, 8 % messages."""
    from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem

    rng = random.Random(seed)
    texts = synthetic_comments(min(rows, 50_000), seed=seed)
    recent: dict[int, list[str]] = {a: [] for a in range(accounts)}
    out: list[tuple[int, RemoteItem]] = []
    for n in range(rows):
        account = n % accounts
        roll = rng.random()
        author = f"u{rng.randint(1, 200_000)}"
        parent, post = "", f"post{rng.randint(1, 2_000)}"
        if roll < 0.60:
            kind = ItemKind.COMMENT
            parent = post
        elif roll < 0.80 and recent[account]:
            kind, parent = ItemKind.COMMENT, rng.choice(recent[account][-500:])
        elif roll < 0.92:
            kind, post = ItemKind.MENTION, ""
        else:
            kind, post = ItemKind.MESSAGE, ""
        external_id = f"i{n}"
        recent[account].append(external_id)
        out.append(
            (
                account,
                RemoteItem(
                    external_id=external_id,
                    kind=kind,
                    text=texts[n % len(texts)],
                    created_at=START + timedelta(seconds=n * 0.5),
                    author=AccountRef(
                        id=author, handle=f"@{author}", name=author, is_follower=rng.random() < 0.5
                    ),
                    url=f"https://social.example/@{author}/{external_id}",
                    parent_id=parent,
                    thread_id=post,
                ),
            )
        )
    return out


def run(engine: str, rows: int, batch: int, accounts: int, profile: bool = False) -> dict:
    load_at_start = os.getloadavg()
    var_dir = tempfile.mkdtemp(prefix="kopiena-bench-")
    url = bench_database_url("ingest", engine, var_dir)
    create_database(url)
    setup_django(url, var_dir)
    try:
        migrate()
        return _measure(engine, rows, batch, accounts, load_at_start, profile)
    finally:
        drop_database(url)


def _measure(engine: str, rows: int, batch: int, accounts: int, load_at_start, profile: bool) -> dict:
    from django.db import transaction

    from kopiena.inbox.ingest import place, stored_text
    from kopiena.inbox.models import Item, Thread
    from kopiena.inbox.services import items_ingest
    from kopiena.integrations.services import account_connect
    from kopiena.nlp import classify_batch
    from kopiena.teams.models import User
    from kopiena.teams.selectors import access_workspace
    from kopiena.teams.services import workspace_create

    owner = User.objects.create_user("bench-owner", email="owner@bench.example", password="x")
    workspace = workspace_create(owner=owner, name="Bench", timezone="Europe/Riga", country="LV")
    access = access_workspace(actor=owner, slug=workspace.slug)

    def connect(i: int):
        return account_connect(
            access=access,
            platform="mastodon",
            name=f"Bench {i}",
            credentials={"access_token": f"tok-bench-{i}"},
            base_url="https://social.example",
            external_id=str(1000 + i),
        )

    live = [connect(i) for i in range(accounts)]
    items = generate(rows, accounts)
    classify_batch(["warm up"], languages=["en", "lv", "ru"])  # model load is not ingest

    # The pipeline, batch by batch per account (as polling and webhooks hand them over).
    by_account: dict[int, list] = {}
    for account, item in items:
        by_account.setdefault(account, []).append(item)
    batches = [
        (live[a], chunk[i : i + batch])
        for a, chunk in by_account.items()
        for i in range(0, len(chunk), batch)
    ]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    cpu_started = time.process_time()
    for account, chunk in batches:
        items_ingest(account=account, remote_items=chunk)
    pipeline_seconds = time.perf_counter() - started
    pipeline_cpu = time.process_time() - cpu_started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    stored = Item.objects.count()

    # The raw floor: the same rows as Item rows, one bulk insert per batch, no classification or routing.
    raw_account = connect(accounts)
    thread = Thread.objects.create(workspace=workspace, account=raw_account, root_external_id="raw")
    started = time.perf_counter()
    raw_cpu_started = time.process_time()
    for _account, chunk in batches:
        with transaction.atomic():
            Item.objects.bulk_create(
                [
                    Item(
                        workspace=workspace,
                        account=raw_account,
                        thread=thread,
                        kind=place(r, {}).kind,
                        external_id=r.external_id,
                        parent_external_id=r.parent_id,
                        author_handle=r.author.handle,
                        author_name=r.author.name,
                        author_external_id=r.author.id,
                        author_url=r.author.url,
                        is_follower=r.author.is_follower,
                        text=stored_text(r.text)[0],
                        remote_created_at=r.created_at,
                        url=r.url,
                    )
                    for r in chunk
                ]
            )
    raw_seconds = time.perf_counter() - started
    raw_cpu = time.process_time() - raw_cpu_started
    pipeline_rate = rows / pipeline_seconds
    raw_rate = rows / raw_seconds
    return {
        "engine": engine,
        "rows": rows,
        "stored": stored,
        "threads": Thread.objects.exclude(root_external_id="raw").count(),
        "batch": batch,
        "accounts": accounts,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "pipeline_seconds": round(pipeline_seconds, 2),
        "pipeline_cpu_seconds": round(pipeline_cpu, 2),
        "pipeline_items_per_second": round(pipeline_rate, 1),
        "raw_insert_items_per_second": round(raw_rate, 1),
        "ratio_to_raw": round(pipeline_rate / raw_rate, 3),
        # On a shared machine wall time mostly measures the neighbours: per CPU-second of this process
        # (the database work of SQLite runs in-process; PostgreSQL's server time is not counted).
        "pipeline_items_per_cpu_second": round(rows / pipeline_cpu, 1),
        "raw_items_per_cpu_second": round(rows / raw_cpu, 1),
        "cpu_ratio_to_raw": round(raw_cpu / pipeline_cpu, 3),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile of the pipeline on stderr")
    args = parser.parse_args()
    if args.engine == "both":  # Django is set up once per process: one child per database
        results = []
        for engine in ("sqlite", "postgres"):
            command = [sys.executable, __file__, "--engine", engine, "--rows", str(args.rows)]
            command += ["--batch", str(args.batch), "--accounts", str(args.accounts)]
            results.append(
                json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            )
        print(json.dumps({"bench": "ingest", "runs": results}, indent=2))
        return
    print(json.dumps(run(args.engine, args.rows, args.batch, args.accounts, args.profile), indent=2))


if __name__ == "__main__":
    main()
