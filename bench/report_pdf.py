"""Client report bench: a 90-day report of a busy workspace rendered to PDF (issue 13: aim < 10 s).

    .venv/bin/python bench/report_pdf.py [--engine sqlite|postgres] [--days 90] [--accounts 10]
        [--posts-per-day 20] [--items 100000] [--answered 10000] [--repeat 3]

Seeds one workspace (and a neighbour of the same size that the report must skip) with published deliveries
(three metric snapshots each, so "latest snapshot" has to choose), inbox items with sentiment spread over
the period, and answered conversations, then times ``report_data`` (the numbers), the HTML and the PDF
(WeasyPrint) for the whole period. Prints JSON: seconds per step, p50/p95 of the PDF, load average at start.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bench.publishing_setup import (
    bench_database_url,
    create_database,
    drop_database,
    migrate,
    percentile,
    setup_django,
)

BATCH = 5000
TYPES = ["photo", "video", "text", "carousel", "link"]


def seed(*, label: str, days: int, accounts_n: int, per_day: int, items_n: int, answered: int, end: datetime):
    from kopiena.analytics.models import MetricSnapshot
    from kopiena.inbox.models import Item, Thread
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.publishing.models import Delivery, DeliveryState, Post, PostState, Variant
    from kopiena.teams.models import Membership, Role, User, Workspace

    rng = random.Random(label)
    owner = User.objects.create_user(username=label, email=f"{label}@example.lv", password="bench-password-1")
    workspace = Workspace.objects.create(name=label, slug=label, timezone="Europe/Riga")
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    accounts = ConnectedAccount.objects.bulk_create(
        ConnectedAccount(workspace=workspace, platform="mastodon", name=f"{label} {i}", external_id=str(i))
        for i in range(accounts_n)
    )
    start = end - timedelta(days=days)
    total = days * per_day
    step = (end - start) / total
    for offset in range(0, total, BATCH):
        moments = [start + i * step for i in range(offset, min(offset + BATCH, total))]
        posts = Post.objects.bulk_create(
            Post(
                workspace=workspace,
                author=owner,
                text=f"Post {i}",
                content_type=rng.choice(TYPES),
                state=PostState.PUBLISHED,
                scheduled_at=at,
                published_at=at,
            )
            for i, at in enumerate(moments)
        )
        variants = Variant.objects.bulk_create(
            Variant(post=post, account=rng.choice(accounts), text=post.text) for post in posts
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                workspace=workspace,
                post=post,
                variant=variant,
                account_id=variant.account_id,
                due_at=post.published_at,
                next_attempt_at=post.published_at,
                state=DeliveryState.PUBLISHED,
                published_at=post.published_at,
            )
            for post, variant in zip(posts, variants, strict=True)
        )
        MetricSnapshot.objects.bulk_create(
            MetricSnapshot(
                workspace=workspace,
                account_id=d.account_id,
                delivery=d,
                taken_at=d.published_at + timedelta(hours=hours),
                likes=rng.randrange(100) * hours // 48,
                reposts=rng.randrange(10),
                replies=rng.randrange(20),
                views=rng.randrange(5000),
            )
            for d in deliveries
            for hours in (1, 24, 48)
        )
    threads_n = max(items_n // 4, 1)
    item_step = (end - start) / items_n
    for offset in range(0, threads_n, BATCH):
        Thread.objects.bulk_create(
            Thread(
                workspace=workspace,
                account=rng.choice(accounts),
                root_external_id=f"t{i}",
                last_item_at=start + i * 4 * item_step,
                first_responded_at=(start + i * 4 * item_step + timedelta(hours=rng.randrange(1, 30)))
                if i < answered
                else None,
            )
            for i in range(offset, min(offset + BATCH, threads_n))
        )
    thread_ids = list(Thread.objects.filter(workspace=workspace).values_list("pk", "account_id"))
    sentiments = ["negative", "neutral", "neutral", "positive", ""]
    for offset in range(0, items_n, BATCH):
        Item.objects.bulk_create(
            Item(
                workspace=workspace,
                account_id=thread_ids[i // 4 % len(thread_ids)][1],
                thread_id=thread_ids[i // 4 % len(thread_ids)][0],
                kind="comment",
                external_id=f"i{i}",
                text="Kad būs kafija?",
                remote_created_at=start + i * item_step,
                sentiment=rng.choice(sentiments),
            )
            for i in range(offset, min(offset + BATCH, items_n))
        )
    # The report reads the analytics rollups (as the analytics pages do); the clock's task keeps them up
    # to date in production, here they are built once after the bulk load (not timed).
    from kopiena.analytics.rollups import rollups_rebuild

    rollups_rebuild(workspace=workspace)
    return workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--posts-per-day", type=int, default=20)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--answered", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_at_start = os.getloadavg()

    tmpdir = tempfile.mkdtemp(prefix="kopiena-report-")
    url = bench_database_url("report_pdf", args.engine, tmpdir)
    create_database(url)
    setup_django(url, tmpdir)
    migrate()
    from django.db import connection
    from django.utils import translation

    from kopiena.reports.models import ALL_SECTIONS
    from kopiena.reports.render import report_context, report_html, report_pdf

    end = datetime.now(UTC).replace(microsecond=0)
    seeding = time.perf_counter()
    sizes = dict(
        days=args.days,
        accounts_n=args.accounts,
        per_day=args.posts_per_day,
        items_n=args.items,
        answered=args.answered,
        end=end,
    )
    workspace = seed(label="agency", **sizes)
    seed(label="neighbour", **sizes)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - seeding

    last = end.date()
    first = last - timedelta(days=args.days - 1)
    data_s, html_s, pdf_s, total_s, pdf_bytes = [], [], [], [], 0
    with translation.override("lv"):
        for _ in range(args.repeat):
            began = time.perf_counter()
            rendered = report_context(
                workspace=workspace,
                title="Bench",
                sections=ALL_SECTIONS,
                start=first,
                end=last,
                language="lv",
            )
            data_s.append(time.perf_counter() - began)
            mark = time.perf_counter()
            report_html(rendered)
            html_s.append(time.perf_counter() - mark)
            mark = time.perf_counter()
            pdf_bytes = len(report_pdf(rendered))
            pdf_s.append(time.perf_counter() - mark)
            total_s.append(time.perf_counter() - began)
    result = {
        "bench": "report_pdf",
        "engine": args.engine,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "days": args.days,
        "deliveries_in_workspace": args.days * args.posts_per_day,
        "metric_snapshots_in_database": 2 * 3 * args.days * args.posts_per_day,
        "inbox_items_in_database": 2 * args.items,
        "answered_threads": args.answered,
        "seed_seconds": round(seed_seconds, 1),
        "repeat": args.repeat,
        "numbers_seconds_p50": round(percentile(data_s, 50), 3),
        "html_seconds_p50": round(percentile(html_s, 50), 3),
        "pdf_seconds_p50": round(percentile(pdf_s, 50), 3),
        "report_total_seconds_p50": round(percentile(total_s, 50), 3),
        "report_total_seconds_p95": round(percentile(total_s, 95), 3),
        "reports_per_second": round(1 / percentile(total_s, 50), 2),
        "pdf_bytes": pdf_bytes,
        "aim_seconds": 10,
    }
    drop_database(url)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
