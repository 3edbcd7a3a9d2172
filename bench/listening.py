"""Listening bench: generated mentions through the whole store path, next to a raw batched insert.

    .venv/bin/python bench/listening.py [--rows 1000000] [--engine both|sqlite|postgres] [--batch 5000]

For each engine (``both``: SQLite, then PostgreSQL, each in its own process because Django is set up once
per process) it creates a fresh database, one workspace with three saved queries (en/lv/ru brand terms, one
with a language filter) and a feed source, and generates ``--rows`` feed items in English, Latvian and
Russian (questions, complaints, praise, spam; 5 % re-deliveries of an earlier item and 2 % the same article
with tracking parameters, so dedupe has work) over the last 90 days. Then:

* pipeline: ``kopiena.listening.store.mentions_store`` per batch — normalise → dedupe (per source id and
  canonical URL) → match → classify (``kopiena.nlp.classify_batch``) → route (the policy's listening.inbox
  section: questions/complaints/acute from non-followers become inbox threads) → store with rollups.
* raw insert: the same rows as plain ``Mention`` objects ``bulk_create``-d in batches of the same size
  into a second workspace — the floor the pipeline is compared against.
* page queries at the final size: 90-day volume/sentiment chart (all queries), share of voice, top
  authors, top domains, trends (7 days against the 7 before: as the page reads them after the clock's
  refresh, and computed), mentions list first page, a deep page (keyset cursor half-way down), the list
  filtered to one query; each timed ``--repeat`` times, p50/p95 ms.

Prints JSON: rows, seconds, rows/s, per-batch p50/p95 ms, the load average at start (the machine may be
shared: say so next to the figures). Aims: ≥ 10,000 mentions/s on SQLite; page queries p95 < 100 ms at
1,000,000 mentions on both databases.
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

# Most mentions are chatter; about one in ten asks something or complains (those are routed to the inbox).
CHATTER = {
    "en": [
        "Best flat white in town, Riga Roastery you rock",
        "Had a quiet morning at Riga Roastery, good coffee and a book",
        "Riga Roastery has a new Ethiopian roast this week",
        "Meeting the team at Riga Roastery at {n}:00",
        "FREE followers!!! click {link} riga roastery coffee giveaway",
    ],
    "lv": [
        "Labākā kafija pilsētā, paldies Rīgas Grauzdētavai!",
        "Rīgas Grauzdētava — mierīgs rīts un laba kafija",
        "Rīgas Grauzdētavā šonedēļ jauna Etiopijas kafija",
        "Tiekamies Rīgas Grauzdētavā pulksten {n}",
    ],
    "ru": [
        "Лучший кофе в городе — Рижская обжарка, спасибо!",
        "Спокойное утро в Рижской обжарке, хороший кофе",
        "В Рижской обжарке на этой неделе новая эфиопская обжарка",
        "Встречаемся в Рижской обжарке в {n} часов",
    ],
}
NEEDS_ANSWER = {
    "en": [
        "Does Riga Roastery open on Sunday? I want to bring friends for coffee",
        "Riga Roastery beans arrived broken, I want a refund for order {n}",
    ],
    "lv": [
        "Vai Rīgas Grauzdētava strādā svētdienās? Gribu atnākt uz kafiju",
        "Kāpēc mans pasūtījums {n} no Rīgas Grauzdētavas vēl nav atnācis?",
    ],
    "ru": [
        "Рижская обжарка работает в воскресенье? Хочу зайти на кофе",
        "Почему мой заказ {n} из Рижской обжарки до сих пор не пришёл?",
    ],
}
QUERIES = [
    ("Riga Roastery (en)", '"riga roastery"'),
    (
        "Rīgas Grauzdētava",
        '"rīgas grauzdētava" OR grauzdētav* OR "рижская обжарка" OR "рижской обжарки" OR "рижской обжарке"',
    ),
    ("Coffee, lv only", "kafija OR kafiju"),
]
DOMAINS = [f"site{i}.example" for i in range(300)]


def items(*, rows: int, batch: int, now: datetime, seed: int = 11, start: int = 0):
    """Yield lists of RemoteItem, ``batch`` at a time (so a million never sit in memory at once)."""
    from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem

    rng = random.Random(seed)
    languages = ["lv"] * 4 + ["ru"] * 3 + ["en"] * 3
    span = 90 * 24 * 3600
    authors = 20_000
    out = []
    for i in range(start, start + rows):
        roll = rng.random()
        if i - start > 1000 and roll < 0.05:
            n = rng.randrange(max(start, i - 3000), i)  # a re-delivery of an item already seen
            url_n, id_n = n, n
        elif i > 1000 and roll < 0.07:
            n = rng.randrange(
                max(start, i - 3000), i
            )  # the same article with tracking parameters, another id
            url_n, id_n = n, i
        else:
            url_n = id_n = i
        lang = languages[url_n % len(languages)]
        pool = NEEDS_ANSWER if url_n % 10 == 3 else CHATTER
        template = pool[lang][(url_n * 7) % len(pool[lang])]
        author = (url_n * 7919) % authors
        domain = DOMAINS[url_n % len(DOMAINS)]
        suffix = "?utm_source=feed&utm_medium=rss" if id_n != url_n else ""
        out.append(
            RemoteItem(
                external_id=f"item-{id_n}",
                kind=ItemKind.MENTION,
                text=template.format(n=url_n, link=f"https://{domain}/win"),
                created_at=now - timedelta(seconds=(url_n * 7717) % span),
                author=AccountRef(
                    id=f"author-{author}", handle=f"person{author}", name=f"Person {author}",
                    url=f"https://{domain}/@person{author}", followers_count=(author * 37) % 50_000,
                ),
                url=f"https://{domain}/posts/{url_n}{suffix}",
                title="",
            )
        )  # fmt: skip
        if len(out) == batch:
            yield out
            out = []
    if out:
        yield out


def top_up(*, workspace, source, queries, now, count: int, start: int, batch: int) -> int:
    from django.db import transaction

    from kopiena.listening.models import Mention, MentionMatch
    from kopiena.listening.pipeline import normalise_item
    from kopiena.listening.store import rollups_add

    by_language = {"en": [queries[0].pk], "lv": [queries[1].pk, queries[2].pk], "ru": [queries[1].pk]}
    sentiments = ["neutral", "neutral", "positive", "negative", "neutral"]
    written, seen = 0, set()
    for chunk in items(rows=count, batch=batch, now=now, seed=29, start=start):
        rows, ids = [], []
        for n, item in enumerate(chunk):
            c = normalise_item(item, fetched_at=now)
            if c.external_id in seen or c.url_key in seen:
                continue
            seen.update((c.external_id, c.url_key))
            language = "ru" if item.text[:1] in "РВПЛС" else ("en" if "Riga" in item.text else "lv")
            rows.append(Mention(
                workspace_id=workspace.pk, source_id=source.pk, external_id=c.external_id,
                canonical_url=c.canonical_url, url_key=c.url_key, url=c.url, domain=c.domain, platform="rss",
                author_handle=c.author_handle, author_name=c.author_name, author_url=c.author_url,
                author_followers=c.author_followers, text=c.text, language=language,
                sentiment=sentiments[n % len(sentiments)], published_at=c.published_at, fetched_at=now,
            ))  # fmt: skip
            ids.append(by_language[language])
        with transaction.atomic():
            stored = Mention.objects.bulk_create(rows, batch_size=1000)
            MentionMatch.objects.bulk_create(
                [MentionMatch(mention_id=m.pk, query_id=q, published_at=m.published_at, sentiment=m.sentiment)
                 for m, qs in zip(stored, ids, strict=True) for q in qs],
                batch_size=2000,
            )  # fmt: skip
            rollups_add(workspace.pk, list(zip(stored, ids, strict=True)))
        written += len(stored)
    return written


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def summary(samples_ms: list[float]) -> dict:
    return {"p50_ms": round(percentile(samples_ms, 50), 2), "p95_ms": round(percentile(samples_ms, 95), 2),
            "max_ms": round(max(samples_ms), 2)}  # fmt: skip


def run_engine(args) -> dict:
    from bench.publishing_setup import (
        bench_database_url,
        create_database,
        drop_database,
        migrate,
        setup_django,
    )

    load_at_start = os.getloadavg()
    tmpdir = tempfile.mkdtemp(prefix="kopiena-listening-")
    url = bench_database_url("listening", args.engine, tmpdir)
    create_database(url)
    setup_django(url, tmpdir)
    migrate()
    from django.db import connection

    from kopiena.listening.models import ListeningQuery, ListeningSource, Mention, SourceKind
    from kopiena.listening.pipeline import normalise_item
    from kopiena.listening.selectors import (
        MentionFilter,
        encode_cursor,
        mentions_page,
        share_of_voice,
        top_authors,
        top_domains,
        volume_series,
    )
    from kopiena.listening.store import compiled_queries, mentions_store
    from kopiena.listening.trends import trends_current, trends_find, trends_refresh_active
    from kopiena.nlp import classify_batch
    from kopiena.teams.models import User
    from kopiena.teams.services import workspace_create

    owner = User.objects.create_user(username="bench", email="bench@example.lv", password="bench-password-1")
    workspace = workspace_create(owner=owner, name="Rīgas Grauzdētava", timezone="Europe/Riga", country="LV")
    workspace.languages = ["lv", "ru", "en"]
    workspace.save(update_fields=["languages"])
    raw_ws = workspace_create(owner=owner, name="Raw insert", timezone="Europe/Riga", country="LV")
    source = ListeningSource.objects.create(workspace=workspace, kind=SourceKind.FEED, name="Feeds",
                                            feed_url="https://site0.example/feed")  # fmt: skip
    raw_source = ListeningSource.objects.create(workspace=raw_ws, kind=SourceKind.FEED, name="Raw",
                                                feed_url="https://site0.example/feed")  # fmt: skip
    queries = [
        ListeningQuery.objects.create(
            workspace=workspace,
            name=name,
            expression=expression,
            languages=["lv"] if "lv only" in name else [],
        )
        for name, expression in QUERIES
    ]
    compiled = compiled_queries(queries)
    classify_batch(["warm up the model"], languages=["lv", "ru", "en"])  # load once, outside the timing
    now = datetime.now(UTC).replace(microsecond=0)

    # The pipeline.
    batch_ms, totals = [], {"received": 0, "created": 0, "duplicates": 0, "to_inbox": 0, "spam": 0}
    started, cpu_started = time.perf_counter(), time.process_time()
    for batch in items(rows=args.rows, batch=args.batch, now=now):
        t = time.perf_counter()
        result = mentions_store(source=source, items=batch, queries=compiled, route=True)
        batch_ms.append((time.perf_counter() - t) * 1000)
        for key in totals:
            totals[key] += getattr(result, key)
    pipeline_seconds = time.perf_counter() - started
    pipeline_cpu = time.process_time() - cpu_started  # this process only (not the PostgreSQL server)
    pipeline_stored = Mention.objects.filter(workspace=workspace).count()

    # Classification alone over the same texts (where the pipeline's time goes), with the classifier's
    # cache of recent texts emptied first: the pipeline has just classified these very texts.
    from kopiena.nlp import classify as classify_module

    classify_module._cached.clear()
    classify_seconds = 0.0
    classified_texts = set()
    for batch in items(rows=min(args.rows, 50_000), batch=args.batch, now=now):
        texts = [item.text for item in batch]
        classified_texts.update(texts)
        t = time.perf_counter()
        classify_batch(texts, languages=["lv", "ru", "en"])
        classify_seconds += time.perf_counter() - t
    classify_rate = round(min(args.rows, 50_000) / classify_seconds)

    # The raw batched insert of the same rows (normalised, no dedupe/classify/route/rollups).
    raw_ms = []
    raw_seconds = 0.0
    seen: set[str] = set()
    for batch in items(rows=args.rows, batch=args.batch, now=now):
        rows = []
        for item in batch:
            c = normalise_item(item, fetched_at=now)
            if c.external_id in seen or c.url_key in seen:
                continue
            seen.update((c.external_id, c.url_key))
            rows.append(Mention(
                workspace_id=raw_ws.pk, source_id=raw_source.pk, external_id=c.external_id,
                canonical_url=c.canonical_url, url_key=c.url_key, url=c.url, domain=c.domain, platform="rss",
                author_handle=c.author_handle, author_name=c.author_name, author_url=c.author_url,
                author_followers=c.author_followers, text=c.text, language="lv", sentiment="neutral",
                published_at=c.published_at, fetched_at=now,
            ))  # fmt: skip
        t = time.perf_counter()
        Mention.objects.bulk_create(rows, batch_size=1000)
        elapsed = time.perf_counter() - t
        raw_seconds += elapsed
        raw_ms.append(elapsed * 1000)
    raw_rows = len(seen) // 2 if seen else 0

    # Top the workspace up to --page-rows mentions for the page queries, through the raw path plus the
    # matches and rollups the store step would write (classifying a million texts is not what is timed).
    topped_up, top_up_seconds = 0, 0.0
    if args.page_rows > args.rows:
        t = time.perf_counter()
        topped_up = top_up(workspace=workspace, source=source, queries=queries, now=now,
                           count=args.page_rows - args.rows, start=args.rows + 10, batch=args.batch)  # fmt: skip
        top_up_seconds = time.perf_counter() - t

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Page queries at the final size.
    ids = [0, *[q.pk for q in queries]]
    stored = Mention.objects.filter(workspace=workspace).count()
    middle = Mention.objects.filter(workspace=workspace).order_by("-published_at", "-pk")[stored // 2]
    deep = encode_cursor(middle)
    one_query = MentionFilter(query_id=queries[1].pk)
    pages = {
        "volume_chart_90_days": lambda: volume_series(workspace=workspace, query_ids=ids, days=90),
        "share_of_voice_30_days": lambda: share_of_voice(workspace=workspace, days=30),
        "top_authors": lambda: top_authors(workspace=workspace),
        "top_domains": lambda: top_domains(workspace=workspace),
        # What the Trends page does (reads what the clock computed), and the computing itself.
        "trends_7_days_page": lambda: trends_current(workspace=workspace, days=7),
        "trends_7_days_computed": lambda: trends_find(workspace=workspace, days=7),
        "mentions_first_page": lambda: mentions_page(workspace=workspace),
        "mentions_deep_page": lambda: mentions_page(workspace=workspace, after=deep),
        "mentions_one_query_first_page": lambda: mentions_page(workspace=workspace, filters=one_query),
    }
    t = time.perf_counter()
    trends_refresh_active()  # the clock's job: what the Trends page then reads
    trends_clock_seconds = time.perf_counter() - t
    page_figures = {}
    for name, call in pages.items():
        call()  # warm
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            call()
            samples.append((time.perf_counter() - t) * 1000)
        page_figures[name] = summary(samples)

    result = {
        "engine": args.engine,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "rows_generated": args.rows,
        "batch": args.batch,
        "pipeline": {
            **totals,
            "mentions_stored": pipeline_stored,
            "seconds": round(pipeline_seconds, 2),
            "items_per_second": round(args.rows / pipeline_seconds),
            "cpu_seconds": round(pipeline_cpu, 2),
            "items_per_cpu_second": round(args.rows / pipeline_cpu),
            "batch": summary(batch_ms),
        },
        "classify_only_texts_per_second": classify_rate,
        # The generated mentions repeat their templates: only these many texts were really classified.
        "classify_only_distinct_texts": len(classified_texts),
        "raw_insert": {
            "rows": raw_rows,
            "seconds": round(raw_seconds, 2),
            "rows_per_second": round(raw_rows / raw_seconds) if raw_seconds else None,
            "batch": summary(raw_ms),
        },
        "page_queries_at_mentions": stored,
        "topped_up_rows": topped_up,
        "top_up_seconds": round(top_up_seconds, 1),
        "trends_clock_refresh_seconds": round(trends_clock_seconds, 3),
        "page_queries": page_figures,
    }
    drop_database(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--page-rows",
        type=int,
        default=0,
        help="time the page queries at this many mentions (the rest written by the raw path + rollups)",
    )
    parser.add_argument("--engine", choices=["both", "sqlite", "postgres"], default="both")
    args = parser.parse_args()
    if args.engine != "both":
        print(json.dumps(run_engine(args), indent=2, ensure_ascii=False))
        return
    results = []
    for engine in ("sqlite", "postgres"):
        command = [sys.executable, __file__, "--engine", engine, "--rows", str(args.rows), "--batch",
                   str(args.batch), "--repeat", str(args.repeat), "--page-rows", str(args.page_rows)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            results.append({"engine": engine, "error": done.stderr[-2000:]})
        else:
            results.append(json.loads(done.stdout))
    print(json.dumps({"bench": "listening", "results": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
