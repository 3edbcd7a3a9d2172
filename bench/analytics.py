"""Analytics bench: chart queries over a big history, on SQLite and PostgreSQL.

    .venv/bin/python bench/analytics.py [--snapshots 10000000] [--items 1000000] [--accounts 100]
        [--days 730] [--engine both|sqlite|postgres] [--repeat 20]

For each engine (``both``: SQLite, then PostgreSQL, each in its own process) it creates a fresh database,
one workspace with ``--accounts`` accounts and writes, in bulk, ``--days`` days of history: published posts
(one per account and day at most; ``--snapshots`` spread over them, so 10,000,000 snapshots over 73,000
posts is ~137 readings a post), a daily follower count per account, ``--items`` inbox items (two per
conversation, a language and a sentiment each) and an answered SLA clock per conversation by one of five
people. Then:

* rollups: ``analytics.rollups.rollups_refresh`` run until it has read everything — the first build, which
  the clock otherwise does bit by bit (rows/s);
* chart queries: every selector the analytics page calls, workspace-wide and for one account, over the
  last 7, 28, 90 and 365 days and the whole history, each timed ``--repeat`` times: p50 / p95 / max ms per
  query, and the worst p95.

Prints JSON with the load average at start (the machine may be shared: say so next to the figures).
Aim: p95 < 100 ms per chart query at 10,000,000 snapshots and 1,000,000 items on both databases.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta

BATCH = 5000
CONTENT_TYPES = ("photo", "text", "video", "link", "poll")
THEMES = ("Motivation Monday", "Tuesday tip", "Wise Wednesday", "Throwback Thursday", "Friday fun", "", "")
SENTIMENTS = ("positive", "neutral", "neutral", "negative", "")
LANGUAGES = ("lv", "ru", "en")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def seed(args, now: datetime) -> dict:
    """The history, written with bulk inserts (the bench measures reading, not the write paths)."""
    from kopiena.analytics.models import AccountSnapshot, MetricSnapshot
    from kopiena.inbox.models import AppliedSla, Item, SlaEvent, SlaEventKind, SlaKind, SlaStatus, Thread
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.publishing.models import Delivery, DeliveryState, Post, PostState, Variant
    from kopiena.teams.models import Membership, Role, User, Workspace

    rng = random.Random(7)
    owner = User.objects.create_user(username="bench", email="bench@example.lv", password="bench-password-1")
    workspace = Workspace.objects.create(name="bench", slug="bench", timezone="Europe/Riga")
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    people = [owner]
    for n, role in enumerate((Role.MANAGER, Role.MODERATOR, Role.MODERATOR, Role.ANALYST)):
        user = User.objects.create_user(
            username=f"person{n}", email=f"p{n}@example.lv", password="bench-password-1"
        )
        Membership.objects.create(workspace=workspace, user=user, role=role)
        people.append(user)
    accounts = ConnectedAccount.objects.bulk_create(
        ConnectedAccount(workspace=workspace, platform="mastodon", name=f"Account {i}", handle=f"acc{i}",
                         base_url="https://social.example", approval_required=False)
        for i in range(args.accounts)
    )  # fmt: skip
    start = now - timedelta(days=args.days)
    posts_total = max(1, min(args.accounts * args.days, args.snapshots // 20 or 1))
    per_post = max(1, args.snapshots // posts_total)
    extra = max(0, args.snapshots - per_post * posts_total)  # the first `extra` posts get one reading more
    timings = {}

    began = time.perf_counter()
    snapshots_written = 0
    for first in range(0, posts_total, BATCH):
        count = min(BATCH, posts_total - first)
        moments = [start + timedelta(seconds=rng.uniform(0, args.days * 86400)) for _ in range(count)]
        posts = Post.objects.bulk_create(
            Post(workspace=workspace, author=owner, text=f"Bench post {first + i}", state=PostState.PUBLISHED,
                 content_type=rng.choice(CONTENT_TYPES), theme=rng.choice(THEMES), published_at=moments[i])
            for i in range(count)
        )  # fmt: skip
        chosen = [accounts[(first + i) % len(accounts)] for i in range(count)]
        variants = Variant.objects.bulk_create(
            Variant(post=post, account=account, text=post.text)
            for post, account in zip(posts, chosen, strict=True)
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery(workspace=workspace, post=post, variant=variant, account=account, due_at=at, next_attempt_at=at,
                     state=DeliveryState.PUBLISHED, published_at=at, remote_id=f"r{post.pk}")
            for post, variant, account, at in zip(posts, variants, chosen, moments, strict=True)
        )  # fmt: skip
        rows = []
        for i, (delivery, account, at) in enumerate(zip(deliveries, chosen, moments, strict=True)):
            likes = rng.randint(0, 200)
            readings = per_post + (1 if first + i < extra else 0)
            for k in range(readings):
                share = (k + 1) / readings
                rows.append(MetricSnapshot(
                    workspace_id=workspace.pk, account_id=account.pk, delivery_id=delivery.pk,
                    taken_at=at + timedelta(minutes=10 * (k + 1)), likes=int(likes * share),
                    reposts=int(likes * share / 5), replies=int(likes * share / 9),
                    views=int(likes * share * 30) if account.pk % 4 else None,
                ))  # fmt: skip
                if len(rows) >= BATCH * 4:
                    MetricSnapshot.objects.bulk_create(rows)
                    snapshots_written += len(rows)
                    rows = []
        MetricSnapshot.objects.bulk_create(rows)
        snapshots_written += len(rows)
    timings["posts_and_snapshots_s"] = round(time.perf_counter() - began, 1)

    began = time.perf_counter()
    followers = {a.pk: rng.randint(500, 20000) for a in accounts}
    rows = []
    for day in range(args.days + 1):
        date_ = (start + timedelta(days=day)).date()
        for account in accounts:
            followers[account.pk] += rng.randint(-2, 9)
            rows.append(AccountSnapshot(workspace=workspace, account=account, day=date_, taken_at=start + timedelta(days=day),
                                        followers=followers[account.pk], following=100, posts=day))  # fmt: skip
        if len(rows) >= BATCH * 4:
            AccountSnapshot.objects.bulk_create(rows)
            rows = []
    AccountSnapshot.objects.bulk_create(rows)
    timings["account_snapshots_s"] = round(time.perf_counter() - began, 1)

    began = time.perf_counter()
    threads_total = max(1, args.items // 2)
    items_written = 0
    for first in range(0, threads_total, BATCH):
        count = min(BATCH, threads_total - first)
        moments = [start + timedelta(seconds=rng.uniform(0, args.days * 86400)) for _ in range(count)]
        chosen = [accounts[rng.randrange(len(accounts))] for _ in range(count)]
        languages = [rng.choice(LANGUAGES) for _ in range(count)]
        threads = Thread.objects.bulk_create(
            Thread(workspace=workspace, account=account, root_external_id=f"t{first + i}", subject="Bench",
                   language=languages[i], kind="comment", last_item_at=moments[i],
                   first_responded_at=moments[i] + timedelta(hours=2))
            for i, account in enumerate(chosen)
        )  # fmt: skip
        Item.objects.bulk_create(
            Item(workspace=workspace, account=thread.account, thread=thread, kind="comment",
                 external_id=f"i{first + i}-{k}", text="Kad būs kafija?", remote_created_at=moments[i] + timedelta(minutes=k),
                 language=languages[i], sentiment=rng.choice(SENTIMENTS))
            for i, thread in enumerate(threads)
            for k in range(2)
        )  # fmt: skip
        items_written += 2 * count
        slas = AppliedSla.objects.bulk_create(
            AppliedSla(workspace=workspace, thread=thread, kind=SlaKind.FIRST if k == 0 else SlaKind.NEXT,
                       state=SlaStatus.MET, target_seconds=6 * 3600, started_at=moments[i],
                       stopped_at=moments[i] + timedelta(hours=2 + k), answer_seconds=rng.uniform(600, 30000))
            for i, thread in enumerate(threads)
            for k in range(2 if i % 3 == 0 else 1)
        )  # fmt: skip
        SlaEvent.objects.bulk_create(
            SlaEvent(sla=sla, kind=SlaEventKind.MET if sla.answer_seconds <= sla.target_seconds else SlaEventKind.ANSWERED_LATE,
                     at=sla.stopped_at, data={"seconds": sla.answer_seconds})
            for sla in slas
        )  # fmt: skip
    timings["inbox_s"] = round(time.perf_counter() - began, 1)
    return {
        "workspace": workspace,
        "accounts": accounts,
        "posts": posts_total,
        "snapshots": snapshots_written,
        "items": items_written,
        "timings": timings,
    }


def build_rollups() -> dict:
    from kopiena.analytics.rollups import rollups_refresh

    began = time.perf_counter()
    totals: dict[str, int] = {}
    batch = 50000
    while True:
        read = rollups_refresh(batch=batch)
        for key, value in read.items():
            totals[key] = totals.get(key, 0) + value
        if all(read[k] < batch for k in ("snapshots", "deliveries", "sla_events", "items")):
            break
    seconds = time.perf_counter() - began
    source = totals["snapshots"] + totals["sla_events"] + totals["items"]
    return {
        "seconds": round(seconds, 1),
        "source_rows": source,
        "rows_per_s": round(source / seconds),
        **totals,
    }


def time_queries(workspace, account_id: int, today, repeat: int) -> dict:
    from kopiena.analytics import selectors as s

    queries = {
        "engagement_totals": lambda a: s.engagement_totals(**a),
        "engagement_by_content_type": lambda a: s.engagement_by(**a, by="content_type"),
        "engagement_by_theme": lambda a: s.engagement_by(**a, by="theme"),
        "engagement_by_account": lambda a: s.engagement_by(**a, by="account"),
        "engagement_over_time": lambda a: s.engagement_by(**a, by="day"),
        "heatmap": lambda a: s.engagement_heatmap(**a),
        "best_times": lambda a: s.best_times(
            workspace=a["workspace"], account_id=a["account_id"], today=a["end"]
        ),
        "follower_growth": lambda a: s.follower_growth(**a),
        "content_mix": lambda a: s.content_mix_published(**a),
        "cadence": lambda a: s.cadence_kept(**a),
        "response_headline_first": lambda a: s.response_headline(**a, kind="first"),
        "response_headline_next": lambda a: s.response_headline(**a, kind="next"),
        "responses_by_person": lambda a: s.response_breakdown(**a, by="person"),
        "responses_by_language": lambda a: s.response_breakdown(**a, by="language"),
        "sentiment_series": lambda a: s.sentiment_series(**a),
        "top_posts": lambda a: s.top_posts(**a),
        "bottom_posts": lambda a: s.top_posts(**a, bottom=True),
    }
    samples: dict[str, list[float]] = {name: [] for name in queries}
    periods = [7, 28, 90, 365, 731]
    for _round in range(repeat):
        for days in periods:
            for account in (None, account_id):
                args = {"workspace": workspace, "start": today - timedelta(days=days - 1), "end": today,
                        "account_id": account}  # fmt: skip
                for name, query in queries.items():
                    began = time.perf_counter()
                    query(args)
                    samples[name].append((time.perf_counter() - began) * 1000)
    result = {
        name: {"p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2), "max_ms": round(max(v), 2)}
        for name, v in samples.items()
    }  # fmt: skip
    return {"per_query": result, "worst_p95_ms": max(r["p95_ms"] for r in result.values()),
            "samples_per_query": len(next(iter(samples.values())))}  # fmt: skip


def run_engine(args) -> dict:
    from bench.publishing_setup import (
        bench_database_url,
        create_database,
        drop_database,
        migrate,
        setup_django,
    )

    load_at_start = os.getloadavg()
    tmpdir = tempfile.mkdtemp(prefix="kopiena-analytics-")
    url = bench_database_url("analytics", args.engine, tmpdir)
    create_database(url)
    setup_django(url, tmpdir)
    migrate()
    from kopiena.core.zones import zone_of

    now = datetime.now(UTC)
    began = time.perf_counter()
    seeded = seed(args, now)
    seed_seconds = time.perf_counter() - began
    rollups = build_rollups()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # both engines: planner statistics, as a maintained database has
    today = now.astimezone(zone_of("Europe/Riga")).date()
    queries = time_queries(seeded["workspace"], seeded["accounts"][0].pk, today, args.repeat)
    from kopiena.analytics.models import EngagementDay, PostStat, ResponseDay, SentimentDay

    result = {
        "bench": "analytics",
        "engine": args.engine,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "accounts": args.accounts,
        "days": args.days,
        "posts": seeded["posts"],
        "snapshots": seeded["snapshots"],
        "inbox_items": seeded["items"],
        "seed_seconds": round(seed_seconds, 1),
        "seed_rows_per_s": round((seeded["snapshots"] + seeded["items"]) / seed_seconds),
        "seed_timings": seeded["timings"],
        "rollup_rows": {
            "post_stats": PostStat.objects.count(),
            "engagement_days": EngagementDay.objects.count(),
            "response_days": ResponseDay.objects.count(),
            "sentiment_days": SentimentDay.objects.count(),
        },
        "rollup_build": rollups,
        "queries": queries,
        "aim_p95_ms": 100,
        "met": queries["worst_p95_ms"] < 100,
    }
    drop_database(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=10_000_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--engine", choices=["both", "sqlite", "postgres"], default="both")
    args = parser.parse_args()
    if args.engine != "both":
        print(json.dumps(run_engine(args), indent=2, ensure_ascii=False))
        return
    results = []
    for engine in ("sqlite", "postgres"):
        command = [sys.executable, __file__, "--engine", engine, "--snapshots", str(args.snapshots), "--items",
                   str(args.items), "--accounts", str(args.accounts), "--days", str(args.days), "--repeat",
                   str(args.repeat)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            results.append({"engine": engine, "error": done.stderr[-2000:]})
        else:
            results.append(json.loads(done.stdout))
    print(json.dumps({"bench": "analytics", "results": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
