"""Benchmark: batch classification throughput of ``kopiena.nlp.classify_batch``. Prints JSON.

    .venv/bin/python bench/classify.py [--n 100000] [--batch-size 1000] [--distinct]

The comments are synthetic (templates in en/lv/ru with emoji, mentions, links, typos of diacritics),
generated with a fixed seed; no dataset text is used. Figures: model load seconds (cold, in this
process), texts per second over all batches, p50/p95 batch latency, peak resident memory
(``resource.getrusage``), CPU seconds (on a shared machine, texts per CPU-second is the steadier
figure), and the share of time spent in language identification.
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
import platform
import random
import resource
import statistics
import time

TEMPLATES = {
    "en": [
        "Why is my order #{n} still not delivered? {emoji}",
        "Love the new {product}, great job team! {emoji}",
        "@{user} the {product} broke after {n} days, I want a refund",
        "Can you please tell me when the {product} will be back in stock?",
        "You should add a {product} in blue, it would be nice",
        "Terrible service at the {city} store, nobody answered my calls for {n} days",
        "Just bought the {product} in {city}, works fine",
        "check out my channel for free {product} giveaway {link}",
        "Thanks for the quick answer!",
        "is this available in {city} or only online??",
    ],
    "lv": [
        "Kāpēc mans pasūtījums #{n} vēl nav piegādāts? {emoji}",
        "Paldies par lielisko {product}, super! {emoji}",
        "@{user} {product} salūza pēc {n} dienām, gribu naudu atpakaļ",
        "Ludzu pasakiet, kad {product} atkal bus pieejams?",
        "Vajadzētu pievienot {product} zilā krāsā, būtu labi",
        "Briesmīga apkalpošana {city} veikalā, {n} dienas neviens neatbild",
        "Nopirku {product} {city}, viss strādā",
        "Vai piegāde uz {city} ir bez maksas?",
    ],
    "ru": [
        "Почему мой заказ #{n} до сих пор не доставлен? {emoji}",
        "Спасибо за отличный {product}, супер! {emoji}",
        "@{user} {product} сломался через {n} дней, верните деньги",
        "Подскажите, пожалуйста, когда {product} снова будет в наличии?",
        "Предлагаю добавить {product} синего цвета, было бы удобно",
        "Ужасное обслуживание в магазине {city}, {n} дней никто не отвечает",
        "Купил {product} в {city}, всё работает",
        "Есть ли доставка в {city}?",
    ],
}
PRODUCTS = ["kafija", "coffee maker", "telefons", "наушники", "rucksack", "tējkanna", "чайник", "laptop"]
CITIES = ["Riga", "Rīga", "Liepāja", "Daugavpils", "Jelgava", "Рига", "Ventspils"]
EMOJI = ["", "😡", "👍", "🙏", "😂😂", "❤️", "🤬", "!!!"]


def synthetic_comments(n: int, seed: int = 7, *, distinct: bool = False) -> list[str]:
    """``n`` comments; with ``distinct``, no two alike (repeats are answered from the classifier's cache, so
    this is the figure for a stream without reposts)."""
    rng = random.Random(seed)
    languages = list(TEMPLATES)
    comments = []
    seen = set()
    while len(comments) < n:
        template = rng.choice(TEMPLATES[rng.choice(languages)])
        comments.append(
            template.format(
                n=rng.randint(2, 99999),
                emoji=rng.choice(EMOJI),
                product=rng.choice(PRODUCTS),
                user=f"user{rng.randint(1, 999)}",
                city=rng.choice(CITIES),
                link=f"https://example.com/{rng.randint(1, 10**6)}",
            )
        )
        if distinct:
            if comments[-1] in seen:
                comments.pop()
            else:
                seen.add(comments[-1])
    return comments


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--distinct", action="store_true", help="no text twice (no cache hits)")
    args = parser.parse_args()
    comments = synthetic_comments(args.n, distinct=args.distinct)

    started = time.perf_counter()
    load_cpu_started = time.process_time()
    from kopiena.nlp import classify_batch
    from kopiena.nlp.language import detect_languages
    from kopiena.nlp.model import get_model

    get_model()
    load_seconds = time.perf_counter() - started
    load_cpu_seconds = time.process_time() - load_cpu_started
    started = time.perf_counter()
    classify_batch(comments[:10])  # first call builds the lingua detector
    first_call_seconds = time.perf_counter() - started

    latencies = []
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    for offset in range(0, len(comments), args.batch_size):
        batch_started = time.perf_counter()
        classify_batch(comments[offset : offset + args.batch_size])
        latencies.append(time.perf_counter() - batch_started)
    total_seconds = time.perf_counter() - started
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )

    language_started = time.perf_counter()
    for offset in range(0, len(comments), args.batch_size):
        detect_languages(comments[offset : offset + args.batch_size])
    language_seconds = time.perf_counter() - language_started

    latencies.sort()
    print(
        json.dumps(
            {
                "texts": len(comments),
                "distinct_texts": len(set(comments)),
                "batch_size": args.batch_size,
                "texts_per_second": round(len(comments) / total_seconds),
                "total_seconds": round(total_seconds, 2),
                # CPU time of this process (all threads): less sensitive to other tenants of the machine.
                "cpu_seconds": round(cpu_seconds, 2),
                "texts_per_cpu_second": round(len(comments) / cpu_seconds),
                "model_load_seconds": round(load_seconds, 3),
                "model_load_cpu_seconds": round(load_cpu_seconds, 3),
                "first_call_seconds": round(first_call_seconds, 3),
                "batch_latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
                "batch_latency_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
                "language_id_share_of_time": round(language_seconds / total_seconds, 3),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "cpu_count": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "python": platform.python_version(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
