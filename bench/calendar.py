"""Calendar bench: the month view's data selector with 100,000 posts in one workspace.

    .venv/bin/python bench/calendar.py [--engine sqlite|postgres] [--posts 100000] [--years 10]

Seeds one workspace with ``--posts`` posts (two target accounts each, spread evenly over ``--years``,
so a month holds about posts / (12 × years) of them) plus a second workspace of the same size that the
selector must skip, then times ``posts_for_calendar`` for random months (6-week grid, as a month view
shows) with no filter and with an account filter, and the whole HTTP request the calendar makes for
those events (``calendar_events``: middleware, session, the selector, JSON) through Django's handler.
Prints JSON with p50/p95 milliseconds. Aim: p95 < 50 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would stand in for the
# standard library's calendar module: import from the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
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

CONTENT_TYPES = ["photo", "video", "text", "audio", "comic", "poll", "link", "story", "carousel"]
BATCH = 5000


def seed(*, label: str, posts: int, years: int, start: datetime):
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.publishing.models import Post, PostState, Variant
    from kopiena.teams.models import Membership, Role, User, Workspace

    owner = User.objects.create_user(username=label, email=f"{label}@example.lv", password="bench-password-1")
    workspace = Workspace.objects.create(name=label, slug=label)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    accounts = ConnectedAccount.objects.bulk_create(
        ConnectedAccount(workspace=workspace, platform="mastodon", name=f"{label} {i}") for i in range(6)
    )
    step = timedelta(days=365 * years) / posts
    rng = random.Random(label)
    states = [PostState.SCHEDULED] * 6 + [PostState.PUBLISHED] * 3 + [PostState.DRAFT]
    for offset in range(0, posts, BATCH):
        rows = Post.objects.bulk_create(
            Post(
                workspace=workspace,
                author=owner,
                text=f"Post {i}: {rng.choice(['Motivation Monday', 'Trivia Tuesday', 'Octopus Day'])}",
                content_type=rng.choice(CONTENT_TYPES),
                theme=rng.choice(["", "Throwback Thursday", "Follow Friday"]),
                state=rng.choice(states),
                scheduled_at=start + i * step,
            )
            for i in range(offset, min(offset + BATCH, posts))
        )
        Variant.objects.bulk_create(
            Variant(post=post, account=account, text=post.text)
            for post in rows
            for account in rng.sample(accounts, 2)
        )
    return owner, workspace, accounts


def time_calls(fn, months: list[datetime], repeat: int) -> dict:
    samples, sizes = [], []
    for _ in range(repeat):
        for month in months:
            grid_start = month - timedelta(days=month.weekday())
            started = time.perf_counter()
            entries = fn(start=grid_start, end=grid_start + timedelta(weeks=6))
            samples.append((time.perf_counter() - started) * 1000)
            sizes.append(len(entries))
    return {
        "calls": len(samples),
        "posts_per_view_avg": round(sum(sizes) / len(sizes)),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmpdir = tempfile.mkdtemp(prefix="kopiena-calendar-")
    url = bench_database_url("calendar", args.engine, tmpdir)
    create_database(url)
    setup_django(url, tmpdir)
    migrate()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from kopiena.core.heap import freeze_startup_objects
    from kopiena.publishing.selectors import posts_for_calendar
    from kopiena.teams.selectors import access_workspace

    start = datetime(2025, 1, 1, tzinfo=UTC)
    seeding = time.perf_counter()
    owner, workspace, accounts = seed(label="agency", posts=args.posts, years=args.years, start=start)
    seed(label="neighbour", posts=args.posts, years=args.years, start=start)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - seeding
    access = access_workspace(actor=owner, slug=workspace.slug)
    rng = random.Random(1)
    months = [
        datetime(2025 + m // 12, m % 12 + 1, 1, tzinfo=UTC) for m in rng.sample(range(12 * args.years), 20)
    ]

    def unfiltered(**window):
        return posts_for_calendar(access=access, **window)

    def by_account(**window):
        return posts_for_calendar(access=access, account_ids=[accounts[0].pk], states=["scheduled"], **window)

    client = Client()
    client.force_login(owner)
    events_url = reverse("calendar_events", kwargs={"ws": workspace.slug})

    def over_http(*, start, end):
        response = client.get(events_url, {"start": start.isoformat(), "end": end.isoformat()})
        assert response.status_code == 200, response.content[:200]
        return response.json()

    unfiltered(start=months[0], end=months[0] + timedelta(days=42))  # warm caches
    over_http(start=months[0], end=months[0] + timedelta(days=42))
    freeze_startup_objects()  # what `kopiena run` and `kopiena worker` do before serving
    result = {
        "bench": "calendar",
        "engine": args.engine,
        "posts_in_workspace": args.posts,
        "posts_in_database": 2 * args.posts,
        "years": args.years,
        "seed_seconds": round(seed_seconds, 1),
        "month_view": time_calls(unfiltered, months, args.repeat),
        "month_view_one_account_scheduled": time_calls(by_account, months, args.repeat),
        "month_view_http_request": time_calls(over_http, months, args.repeat),
    }
    drop_database(url)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
