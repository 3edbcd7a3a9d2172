"""Week planner bench: propose next week for 200 accounts of one workspace.

    .venv/bin/python bench/plan.py [--engine sqlite|postgres] [--accounts 200] [--repeat 5]

Seeds one workspace with ``--accounts`` Mastodon accounts, each with a lunchtime and an evening queue
slot every day and a few posts already scheduled next week (so cadence and mix have something to count),
60 open ideas of every kind and a local event; then times ``proposals_generate`` — the plan through
publishing's own checks for every candidate, and writing the proposals — ``--repeat`` times (each run
replaces the previous proposals). Prints JSON: proposals, seconds p50/p95, proposals/s, load average at
start. Aim: < 2 s on SQLite for 200 accounts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from bench.publishing_setup import (
    bench_database_url,
    create_database,
    drop_database,
    migrate,
    percentile,
    setup_django,
)


def seed(accounts: int):
    from kopiena.core.zones import zone_of
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.planning.models import Idea, IdeaKind, LocalEvent
    from kopiena.planning.selectors import next_week_start
    from kopiena.publishing.models import Delivery, Post, PostState, Variant
    from kopiena.publishing.queues import QueueSlot
    from kopiena.teams.models import Membership, Role, User, Workspace

    owner = User.objects.create_user(
        username="agency", email="agency@example.lv", password="bench-password-1"
    )
    workspace = Workspace.objects.create(name="Agency", slug="agency", languages=["lv", "ru", "en"])
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    rows = ConnectedAccount.objects.bulk_create(
        ConnectedAccount(
            workspace=workspace, platform="mastodon", name=f"Client {i}", base_url="https://mastodon.example"
        )
        for i in range(accounts)
    )
    QueueSlot.objects.bulk_create(
        QueueSlot(workspace=workspace, account=account, weekday=day, local_time=at)
        for account in rows
        for day in range(7)
        for at in (clock_time(12, 30), clock_time(18, 0))
    )
    zone = zone_of(workspace.timezone)
    start = next_week_start(zone)
    for account in rows:  # two posts already on next week's calendar
        for n, content_type in ((1, "photo"), (3, "video")):
            at = datetime.combine(start + timedelta(days=n), clock_time(9), tzinfo=zone).astimezone(UTC)
            post = Post.objects.create(
                workspace=workspace, author=owner, text="Planned", content_type=content_type,
                state=PostState.SCHEDULED, scheduled_at=at,
            )  # fmt: skip
            variant = Variant.objects.create(post=post, account=account, text=post.text)
            Delivery.objects.create(
                workspace=workspace,
                post=post,
                variant=variant,
                account=account,
                due_at=at,
                next_attempt_at=at,
            )
    kinds = [k for k in IdeaKind.values if k not in (IdeaKind.TESTIMONIAL, IdeaKind.DISCOUNT)]
    Idea.objects.bulk_create(
        Idea(workspace=workspace, kind=kinds[i % len(kinds)], title=f"Ideja {i}?", count=i % 7)
        for i in range(60)
    )
    LocalEvent.objects.create(workspace=workspace, title="Tirgus diena", starts_on=start + timedelta(days=5))
    return owner, workspace, start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the last run to FILE")
    args = parser.parse_args()
    load = os.getloadavg()[0]

    tmpdir = tempfile.mkdtemp(prefix="kopiena-plan-")
    url = bench_database_url("plan", args.engine, tmpdir)
    create_database(url)
    setup_django(url, tmpdir)
    migrate()
    from kopiena.planning.services import proposals_generate
    from kopiena.teams.selectors import access_workspace

    owner, workspace, start = seed(args.accounts)
    access = access_workspace(actor=owner, slug=workspace.slug)
    samples, cpu, proposals = [], [], 0
    profiler = None
    for run in range(args.repeat):
        if args.profile and run == args.repeat - 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = proposals_generate(access=access, start=start)
        samples.append(time.perf_counter() - started)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        cpu.append(time.process_time() - started_cpu)
        proposals = len(result.proposals)
    drop_database(url)
    best = percentile(samples, 50)
    print(
        json.dumps(
            {
                "bench": "plan",
                "engine": args.engine,
                "accounts": args.accounts,
                "rows": proposals,
                "seconds_p50": round(best, 3),
                "seconds_p95": round(percentile(samples, 95), 3),
                "cpu_seconds_p50": round(percentile(cpu, 50), 3),  # this process only (the machine is shared)
                "rows_per_second": round(proposals / best),
                "runs": len(samples),
                "load_average_at_start": round(load, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
